"""The rooms of the live benchmark: an instructor's session each, its presenter, its players, its rows.

A room is one live session with its own presenter (a browser signed in as the
benchmark's instructor) and its own players; the presenter starts it, waits
for each question to close, shows reveal and leaderboard, and moves on, as a
person at the front of the class does.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from forms import csrf_token
from harness import Client, Failed, get_page
from live_players import Listener, Player, Stats
from sqlalchemy import create_engine, text

HOST_NAME = "bench-host"
PASSWORD = "bench-host-password"
_PIN = re.compile(r"pin=(\d{6})")


async def host_login(client: Client) -> None:
    """Log the instructor in."""
    token = csrf_token(await get_page(client, "/login"))
    response = await client.post("/login", data={"name": HOST_NAME, "password": PASSWORD,
                                                 "csrf_token": token})
    if response.status != 302:
        raise Failed(f"login: {response.status}")


async def create_session(client: Client, questions: int, seconds: int) -> tuple[int, str, str]:
    """Create a session of single-choice questions: (id, PIN, a CSRF token for the host's actions)."""
    token = csrf_token(await get_page(client, "/live"))
    response = await client.post("/live", data={
        "types": "single", "count": str(questions), "seconds": str(seconds), "points": "standard",
        "show_on_devices": "on", "shuffle": "on", "csrf_token": token})
    found = re.fullmatch(r"/live/(\d+)/host", response.location)
    if response.status != 302 or found is None:
        raise Failed(f"creating the session went to {response.location!r} ({response.status})")
    text_ = await get_page(client, response.location)
    return int(found.group(1)), _PIN.search(text_).group(1), csrf_token(text_)


async def act(client: Client, session_id: int, token: str, action: str, version: int) -> None:
    """Press one of the presenter's buttons on the screen of ``version``, sent again once if the server had
    closed the idle kept-alive connection it went out on (as a browser does; a repeat is refused as stale)."""
    form = {"action": action, "csrf_token": token, "version": str(version)}
    try:
        response = await client.post(f"/live/{session_id}/act", data=form)
    except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError):
        response = await client.post(f"/live/{session_id}/act", data=form)
    if response.status != 303:
        raise Failed(f"act {action}: {response.status}")


async def read_state(client: Client, pin: str) -> dict:
    """GET the state, retried once if the server closed an idle kept-alive connection meanwhile
    (as a browser retries an idempotent request)."""
    try:
        response = await client.get(f"/live/{pin}/state")
    except aiohttp.ServerDisconnectedError:
        response = await client.get(f"/live/{pin}/state")
    return response.json()


async def next_screen(listener: Listener, client: Client, pin: str, version: int, stop: float) -> dict:
    """The first state past ``version`` that is not an open question, as the presenter's page hears it:
    from its event stream, or by reading the state every second once the stream was refused."""
    while time.monotonic() < stop:
        if listener.refused:
            await asyncio.sleep(1.0)
            state = await read_state(client, pin)
        else:
            try:
                state = await asyncio.wait_for(listener.events.get(), 1.0)
            except TimeoutError:
                continue
        if state.get("version", -1) > version and state.get("phase") != "question":
            return state
    raise Failed("the presenter's question did not close before the time cap")


async def run_host(client: Client, session_id: int, pin: str, token: str, stats: Stats,
                   pause: float, stop: float) -> None:
    """Start, wait for each question to close, show reveal and leaderboard, move on, finish.

    Like the presenter's page, it follows the session's event stream (which
    also wakes it for every join and answer); its events are not counted with
    the players'.
    """
    listener = Listener(client, f"/live/{pin}/events", Stats(stats.questions))
    try:
        version = 0
        for index in range(stats.questions):
            stats.opened[index] = time.perf_counter()
            await act(client, session_id, token, "start" if index == 0 else "next", version)
            state = await next_screen(listener, client, pin, version, stop)
            await asyncio.sleep(pause)
            await act(client, session_id, token, "next", state["version"])  # reveal -> leaderboard
            version = state["version"] + 1
            await asyncio.sleep(pause)
        await act(client, session_id, token, "next", version)  # the last leaderboard -> podium
    finally:
        await listener.close()


def database_url(database: Path | str) -> str:
    """An SQLAlchemy URL for ``database``: a SQLite file's path, or a URL already."""
    return f"sqlite:///{database}" if isinstance(database, Path) else database


def recorded(database: Path | str, session_id: int) -> tuple[int, int, set[tuple[str, int]]]:
    """Rows in live_answers for the session, distinct (player, question) pairs, and those pairs."""
    engine = create_engine(database_url(database))
    try:
        with engine.connect() as connection:
            rows = [tuple(row) for row in connection.execute(text(
                "SELECT p.nickname, a.question_index FROM live_answers a "
                "JOIN live_players p ON p.id = a.player_id WHERE a.session_id = :sid"), {"sid": session_id})]
    finally:
        engine.dispose()
    return len(rows), len(set(rows)), set(rows)


@dataclass
class Room:
    """One session: its presenter's browser, its id, PIN and CSRF token, its players and their figures."""

    host: Client
    session_id: int
    pin: str
    token: str
    stats: Stats
    players: list[Player]

    @classmethod
    async def open(cls, number: int, host: Client, player_clients: list[Client], questions: int,
                   seconds: int) -> Room:
        """Sign the presenter in and create the session; its players (not joined yet) are r<number>p<n>."""
        await host_login(host)
        session_id, pin, token = await create_session(host, questions, seconds)
        stats = Stats(questions)
        players = [Player(f"r{number}p{n}", client, pin, stats) for n, client in enumerate(player_clients)]
        return cls(host, session_id, pin, token, stats, players)

    def present(self, pause: float, stop: float) -> asyncio.Future:
        """The presenter's run through the session, as a task."""
        return asyncio.ensure_future(run_host(self.host, self.session_id, self.pin, self.token, self.stats,
                                              pause, stop))
