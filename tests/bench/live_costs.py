"""What the live benchmark's requests cost the servers: CPU over time, the bare-insert baseline, the watcher.

Server CPU is sampled every ``SAMPLE_SECONDS`` into a timeline, so the CPU of
any stretch of the run can be read off afterwards. A question's *window* runs
from its first answer sent to its last answer's reply (in every room); the
answers' CPU is the servers' CPU over the windows, divided by the answers
replied. The baseline replays the same arrival pattern after the session:
every player posts ``/_bench/insert`` (a bare one-row insert, see
``quiz/bench.py``) at the same offset from its round's start as its answer
had from its question's opening, so both figures are per request, on the
same servers, the same clients and the same arrival pattern.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import subprocess
import sys
import time
from dataclasses import dataclass, field

from harness import NETWORK_ERRORS, Client, Server, Timed, describe
from sqlalchemy import create_engine

from quiz.live.watcher import Watcher, signatures

SAMPLE_SECONDS = 0.2
WATCHER_POLLS = 20


class Sampler:
    """Server CPU seconds (a timeline of all servers' sum) and each server's peak resident memory."""

    def __init__(self, servers: list[Server]):
        self.servers = servers
        self.cpu_start = [server.cpu_seconds() or 0.0 for server in servers]
        self.peak = [0] * len(servers)
        self.times: list[float] = []
        self.cpu: list[float] = []
        self._task = asyncio.ensure_future(self._sample())

    def _take(self) -> None:
        self.times.append(time.perf_counter())
        self.cpu.append(sum(server.cpu_seconds() or 0.0 for server in self.servers))

    async def _sample(self) -> None:
        turns = 0
        while True:
            self._take()
            if turns % round(1 / SAMPLE_SECONDS) == 0:
                for n, server in enumerate(self.servers):
                    self.peak[n] = max(self.peak[n], server.rss_bytes() or 0)
            turns += 1
            await asyncio.sleep(SAMPLE_SECONDS)

    def cpu_at(self, moment: float) -> float:
        """The servers' CPU seconds at ``moment`` (a perf_counter time), interpolated between samples."""
        if not self.times:
            return 0.0
        n = bisect.bisect_left(self.times, moment)
        if n == 0:
            return self.cpu[0]
        if n == len(self.times):
            return self.cpu[-1]
        t0, t1, c0, c1 = self.times[n - 1], self.times[n], self.cpu[n - 1], self.cpu[n]
        return c0 + (c1 - c0) * (moment - t0) / (t1 - t0) if t1 > t0 else c1

    def cpu_between(self, windows: list[tuple[float, float]]) -> float:
        """The servers' CPU seconds over the windows, summed."""
        return sum(self.cpu_at(end) - self.cpu_at(start) for start, end in windows)

    async def stop(self) -> list[tuple[float, int]]:
        """(CPU seconds used, peak bytes) per server; the timeline stays readable."""
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._take()
        return [((server.cpu_seconds() or 0.0) - start, peak)
                for server, start, peak in zip(self.servers, self.cpu_start, self.peak, strict=True)]


@dataclass
class Cost:
    """Requests of one kind: their latencies, the windows they ran in and the servers' CPU over them."""

    timed: Timed = field(default_factory=Timed)
    windows: list[tuple[float, float]] = field(default_factory=list)
    server_cpu: float = 0.0
    errors: list[str] = field(default_factory=list)

    @property
    def per_request_ms(self) -> float:
        """Server CPU per request, in milliseconds."""
        count = len(self.timed.latencies)
        return 1000 * self.server_cpu / count if count else float("nan")


def answer_cost(logs: list[dict], questions: int, sampler: Sampler) -> Cost:
    """The answers' cost: per question, the window from the first sent to the last reply, in every room."""
    cost = Cost()
    for index in range(questions):
        sent = [s for log in logs for (_, q), s in log.items() if q == index and s.replied is not None]
        if sent:
            cost.windows.append((min(s.first for s in sent), max(s.replied for s in sent)))
            cost.timed.latencies += [s.replied - s.first for s in sent]
    cost.server_cpu = sampler.cpu_between(cost.windows)
    return cost


def arrivals(rooms: list[tuple[dict, dict[int, float]]], questions: int) -> list[list[tuple[float, str]]]:
    """Per question, every answer sent as (seconds after the question first opened in any room, player)."""
    rounds = []
    for index in range(questions):
        first = min((opened[index] for _, opened in rooms if index in opened), default=0.0)
        rounds.append(sorted((sent.first - first, name) for log, _ in rooms
                             for (name, q), sent in log.items() if q == index))
    return rounds


async def bare_cost(clients: dict[str, Client], rounds: list[list[tuple[float, str]]],
                    sampler: Sampler, pause: float, stop: float) -> Cost:
    """Replay the answers' arrivals as bare inserts, a round per question; time them and read their CPU."""
    cost = Cost()

    async def insert(client: Client, at: float, marks: list[float]) -> None:
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        started = time.perf_counter()
        try:
            response = await client.post("/_bench/insert", data={})
        except NETWORK_ERRORS as exc:
            cost.errors.append(f"insert: {describe(exc)}")
            return
        if response.status != 204:
            cost.errors.append(f"insert: {response.status}")
            return
        cost.timed.record(started)
        marks.append(time.perf_counter())

    for arrival in rounds:
        if not arrival or time.monotonic() >= stop:
            continue
        begin, marks = time.perf_counter() + 0.2, []
        tasks = [asyncio.ensure_future(insert(clients[name], begin + offset, marks))
                 for offset, name in arrival]
        _, pending = await asyncio.wait(tasks, timeout=max(1.0, stop - time.monotonic()))
        for task in pending:  # the run's time cap: what was not back by then is not counted
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        if pending:
            cost.errors.append(f"insert: {len(pending)} cut at the time cap")
        if marks:
            cost.windows.append((begin + arrival[0][0], max(marks)))
        await asyncio.sleep(pause)
    await asyncio.sleep(2 * SAMPLE_SECONDS)  # a sample after the last reply
    cost.server_cpu = sampler.cpu_between(cost.windows)
    return cost


def watcher_poll(url: str, polls: int = WATCHER_POLLS) -> tuple[int, float, float]:
    """The watcher's poll on ``url`` as a server runs it (no session changing meanwhile): the running
    sessions it found, and its CPU and wall milliseconds per poll, in this process's thread."""
    engine = create_engine(url)

    def read(deadlines: dict) -> dict:
        with engine.connect() as connection:
            return signatures(connection, deadlines=deadlines)

    watcher = Watcher(read)
    try:
        watcher.check_once()  # the connection opened, the statement compiled, as in a running server
        cpu, wall = time.thread_time(), time.perf_counter()
        for _ in range(polls):
            watcher.check_once()
        cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
        running = len(read({}))
    finally:
        engine.dispose()
    return running, 1000 * cpu / polls, 1000 * wall / polls


async def measure_watcher(url: str) -> tuple[int, float, float]:
    """``watcher_poll`` in a thread, so the players' event loop keeps turning."""
    return await asyncio.to_thread(watcher_poll, url)


class Noise:
    """``count`` processes that each burn a core until stopped: a noisy neighbour on the machine."""

    def __init__(self, count: int):
        self.processes = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]

    def stop(self) -> None:
        """End each of them (only these, through their own process objects)."""
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        self.processes = []
