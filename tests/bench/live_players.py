"""The phones of the live load benchmark: an aiohttp browser each, following one session like live.js.

Used by ``live_load.py``; see its docstring for what is measured.
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
    streams: int = 0  # event streams opened
    refusals: int = 0  # event streams answered 204
    events: int = 0  # state events received
    timeline: list[tuple[int, float]] = field(default_factory=list)  # (second since opened, latency)
    state_reads: int = 0
    modes: dict[str, int] = field(default_factory=dict)  # per player: sse, polling or mixed
    errors: list[str] = field(default_factory=list)


class Listener:
    """The session's event stream, like an EventSource; ``refused`` once the server answers 204."""

    def __init__(self, client: Client, url: str, stats: Stats):
        self.client, self.url, self.stats = client, url, stats
        self.events: asyncio.Queue[dict] = asyncio.Queue()
        self.refused = False
        self._task = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
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
                        if line.startswith("data:"):
                            data = json.loads(line[5:])
                            self.stats.events += 1
                            await self.events.put(data)
                            if data.get("finished") or data.get("removed"):
                                return
            except (*NETWORK_ERRORS, Failed) as exc:
                self.stats.errors.append(f"events: {type(exc).__name__}: {exc}")
            await asyncio.sleep(1.0)  # the stream's "retry: 1000"

    async def close(self) -> None:
        """Drop the stream, as leaving the page does."""
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._task


class Player:
    """One phone: joins, then follows the session like live.js and answers each question once."""

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

    async def answer(self, index: int, choices: list[str], delay: float) -> None:
        """After ``delay``, press a random answer button, as live.js sends it (asking for JSON)."""
        await asyncio.sleep(delay)
        self.stats.sent += 1
        started = time.perf_counter()
        try:
            response = await self.client.post(
                f"/live/{self.pin}/answer", headers={"Accept": "application/json"},
                data={"csrf_token": self.csrf, "question": str(index), "choice": random.choice(choices)})
        except NETWORK_ERRORS as exc:
            self.stats.errors.append(f"answer: {describe(exc)}")
            return
        self.stats.answers.record(started)
        if index in self.stats.opened:
            self.stats.timeline.append((int(started - self.stats.opened[index]),
                                        time.perf_counter() - started))
        if response.status == 200 and response.json().get("taken"):
            self.stats.accepted.add((self.name, index))
        elif response.status in (400, 409):
            self.stats.refused.append(response.json().get("error", ""))
        else:
            self.stats.errors.append(f"answer: {response.status}")

    async def play(self, delays: tuple[float, float], stop: float) -> None:
        """Follow the session over its event stream (or by polling) until it finishes or ``stop``."""
        listener = self.listener
        try:
            while self.phase != "finished" and time.monotonic() < stop:
                if listener.refused:
                    self.modes.add("polling")
                    await asyncio.sleep(1.0)
                    self.on_state(await self.state(), delays)
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
