"""The phones of the live benchmarks: an aiohttp browser each, following one session like the live scripts.

Used by ``live_load.py`` and ``fault_drill.py``; see their docstrings for what
is measured. Like live-answer.js, a phone sends an answer again (same form) when it
gets no reply, a 5xx or a reply that is not JSON, until the server says taken
or refuses it; and like EventSource it reconnects a stream that ends or
fails, after the pause the stream's ``retry:`` asked for.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import random
import re
import time
from dataclasses import dataclass, field

from forms import csrf_token
from harness import NETWORK_ERRORS, Client, Failed, Timed, describe, get_page

_ROOT = re.compile(r'data-live-mode="play"[^>]*data-version="(\d+)" data-phase="(\w+)"')
_CSRF = re.compile(r'data-csrf="([^"]+)"')
GIVE_UP_SECONDS = 30.0  # as live-answer.js


def retry_pause(retry_after: str | None, tries: int) -> float:
    """Seconds before sending again, as live-answer.js waits: Retry-After if given, else growing; jittered."""
    try:
        base = min(float(retry_after), 5.0) if retry_after else min(2.0, 0.2 * 2 ** (tries - 1))
    except ValueError:
        base = 0.5
    return base * random.uniform(0.75, 1.25)


@dataclass
class Sent:
    """One answer as its phone saw it: first sent, acknowledged (or not), and how many tries it took."""

    first: float
    acked: float | None = None
    replied: float | None = None  # when the reply that ended it came (taken or refused)
    tries: int = 0
    outcome: str = "pending"  # taken, refused or gave up
    reason: str = ""  # the server's words when it refused the answer


@dataclass
class Stats:
    """Everything the run measures, shared by all the players."""

    questions: int
    opened: dict[int, float] = field(default_factory=dict)  # question index -> host action sent
    seen: dict[int, list[float]] = field(default_factory=dict)  # index -> seconds until each player had it
    join: Timed = field(default_factory=Timed)
    answers: Timed = field(default_factory=Timed)
    sent: int = 0
    accepted: set[tuple[str, int]] = field(default_factory=set)
    refused: list[str] = field(default_factory=list)
    late: int = 0  # answers refused with 409: the question had closed (or was not open) on arrival
    streams: int = 0  # event streams opened
    refusals: int = 0  # event streams answered 204
    events: int = 0  # state events received
    timeline: list[tuple[int, float]] = field(default_factory=list)  # (second since opened, latency)
    state_reads: int = 0
    modes: dict[str, int] = field(default_factory=dict)  # per player: sse, polling or mixed
    errors: list[str] = field(default_factory=list)
    log: dict[tuple[str, int], Sent] = field(default_factory=dict)  # (player, question) -> its answer
    failures: list[tuple[float, str]] = field(default_factory=list)  # (when, what): requests that failed
    gaps: list[tuple[float, float]] = field(default_factory=list)  # (lost, back): a stream down, then up

    def failed(self, what: str) -> None:
        """Note a request that got no usable reply (the time, and what it was)."""
        self.failures.append((time.perf_counter(), what))
        self.errors.append(what)


class Listener:
    """The session's event stream, like an EventSource; ``refused`` once the server answers 204."""

    def __init__(self, client: Client, url: str, stats: Stats):
        self.client, self.url, self.stats = client, url, stats
        self.events: asyncio.Queue[dict] = asyncio.Queue()
        self.refused = False
        self._task = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        pause, lost = 1.0, None
        while True:
            try:
                async with self.client.stream(self.url) as response:
                    if response.status == 204:
                        self.refused = True
                        self.stats.refusals += 1
                        await self.events.put({})  # wakes the player, who polls from now on
                        return
                    if response.status != 200:
                        raise Failed(f"GET {self.url}: {response.status}")
                    self.stats.streams += 1
                    async for raw in response.content:
                        line = raw.decode()
                        if line.startswith("retry:"):
                            pause = int(line[6:]) / 1000
                        elif line.startswith("data:"):
                            data = json.loads(line[5:])
                            if "version" not in data:  # a reconnect event: the stream ends next
                                continue
                            if lost is not None:
                                self.stats.gaps.append((lost, time.perf_counter()))
                                lost = None
                            self.stats.events += 1
                            await self.events.put(data)
                            if data.get("finished") or data.get("removed"):
                                return
            except (*NETWORK_ERRORS, Failed) as exc:
                self.stats.failed(f"events: {type(exc).__name__}: {exc}")
            if lost is None:
                lost = time.perf_counter()
            await asyncio.sleep(pause)  # as EventSource waits before it reconnects

    async def close(self) -> None:
        """Drop the stream, as leaving the page does."""
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._task


class Player:
    """One phone: joins, then follows the session like live-stream.js and answers each question once."""

    def __init__(self, name: str, client: Client, pin: str, stats: Stats):
        self.name, self.client, self.pin, self.stats = name, client, pin, stats
        self.version, self.phase, self.csrf = -1, "", ""
        self.answered: set[int] = set()
        self.modes: set[str] = set()
        self.pending: set[asyncio.Task] = set()
        self.listener: Listener | None = None

    async def join(self) -> None:
        """Open the join page from the QR link, send the nickname, land on the play page."""
        token = csrf_token(await get_page(self.client, f"/live/join?pin={self.pin}"))
        started = time.perf_counter()
        response = await self.client.post("/live/join", data={
            "pin": self.pin, "nickname": self.name, "csrf_token": token})
        if response.status != 303 or response.location != f"/live/{self.pin}/play":
            raise Failed(f"join: {response.status} to {response.location!r}")
        self.stats.join.record(started)
        text = await get_page(self.client, response.location)
        root, csrf = _ROOT.search(text), _CSRF.search(text)
        if root is None or csrf is None:
            raise Failed("play page without its live state")
        self.version, self.phase, self.csrf = int(root.group(1)), root.group(2), html.unescape(csrf.group(1))
        # The play page opens its stream at once, so a hall's streams open while it joins.
        self.listener = Listener(self.client, f"/live/{self.pin}/events", self.stats)

    async def state(self) -> dict:
        """Read the state JSON once, as a polling page does."""
        self.stats.state_reads += 1
        response = await self.client.get(f"/live/{self.pin}/state")
        if response.status != 200:
            raise Failed(f"state: {response.status}")
        return response.json()

    def on_state(self, state: dict, delays: tuple[float, float]) -> None:
        """Take in what an event or a poll says; a new question schedules an answer."""
        if not state or state.get("version", -1) < self.version:
            return
        self.version, self.phase = state["version"], state.get("phase", self.phase)
        if state.get("finished") or state.get("removed"):
            self.phase = "finished"
            return
        ask = state.get("ask")
        if self.phase != "question" or ask is None or ask["index"] in self.answered:
            return
        index = ask["index"]
        self.answered.add(index)
        if index in self.stats.opened:
            self.stats.seen.setdefault(index, []).append(time.perf_counter() - self.stats.opened[index])
        if not state.get("me", {}).get("answered"):
            task = asyncio.ensure_future(self.answer(index, [o[0] for o in ask["options"]],
                                                     random.uniform(*delays)))
            self.pending.add(task)
            task.add_done_callback(self.pending.discard)

    async def _send(self, form: dict) -> tuple[int, dict | None, str | None]:
        """POST the answer once: the status, the JSON body (None if there was none), Retry-After."""
        async with self.client.session.post(f"/live/{self.pin}/answer", data=form, allow_redirects=False,
                                            headers={"Accept": "application/json"}) as response:
            text = await response.text()
            try:
                body = json.loads(text)
            except ValueError:
                body = None
            return response.status, body, response.headers.get("Retry-After")

    async def answer(self, index: int, choices: list[str], delay: float) -> None:
        """After ``delay``, press a random answer button, as live-answer.js sends it (asking for JSON), until
        the server says taken or refuses it."""
        await asyncio.sleep(delay)
        self.stats.sent += 1
        form = {"csrf_token": self.csrf, "question": str(index), "choice": random.choice(choices)}
        sent = self.stats.log[(self.name, index)] = Sent(time.perf_counter())
        while True:
            sent.tries += 1
            retry_after = None
            try:
                status, body, retry_after = await self._send(form)
            except NETWORK_ERRORS as exc:
                self.stats.failed(f"answer: {describe(exc)}")
            else:
                if status < 500 and body is not None:
                    break
                self.stats.failed(f"answer: {status}")
            if time.perf_counter() - sent.first > GIVE_UP_SECONDS:
                sent.outcome = "gave up"
                return
            await asyncio.sleep(retry_pause(retry_after, sent.tries))
        self.stats.answers.record(sent.first)
        sent.replied = time.perf_counter()
        if index in self.stats.opened:
            self.stats.timeline.append((int(sent.first - self.stats.opened[index]),
                                        time.perf_counter() - sent.first))
        if status == 200 and body.get("taken"):
            sent.acked, sent.outcome = time.perf_counter(), "taken"
            self.stats.accepted.add((self.name, index))
        elif status in (400, 403, 409):
            sent.outcome, sent.reason = "refused", body.get("error", "")
            self.stats.late += status == 409
            self.stats.refused.append(sent.reason)
        else:
            self.stats.errors.append(f"answer: {status}")

    async def play(self, delays: tuple[float, float], stop: float) -> None:
        """Follow the session over its event stream (or by polling) until it finishes or ``stop``."""
        listener = self.listener
        try:
            while self.phase != "finished" and time.monotonic() < stop:
                if listener.refused:
                    self.modes.add("polling")
                    await asyncio.sleep(1.0)
                    try:
                        self.on_state(await self.state(), delays)
                    except (*NETWORK_ERRORS, Failed, ValueError) as exc:  # as live-stream.js: poll later
                        self.stats.failed(f"state: {describe(exc)}")
                    continue
                try:
                    state = await asyncio.wait_for(listener.events.get(), max(0.0, stop - time.monotonic()))
                except TimeoutError:
                    break
                if state:
                    self.modes.add("sse")
                self.on_state(state, delays)
            if self.pending:
                await asyncio.wait(self.pending, timeout=max(0.0, stop - time.monotonic()))
        finally:
            await listener.close()
            mode = "mixed" if len(self.modes) > 1 else next(iter(self.modes), "none")
            self.stats.modes[mode] = self.stats.modes.get(mode, 0) + 1
