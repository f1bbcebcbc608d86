"""Players joining one live session and answering every question, on one or two server processes.

Run: .venv/bin/python tests/bench/live_load.py [--players 2000] [--servers 1|2]
     [--workers W] [--worker-class gevent|gthread] [--questions 3] [--question-seconds 15]
     [--seconds 240]

Each server is a real ``quiz serve`` on 127.0.0.1; with ``--servers 2`` two of
them share one temporary SQLite file and the players are split between them,
while the host talks to the first. An instructor is made with ``quiz user
create``, logs in, and creates a session of single-choice questions; the
script then drives start and next like a presenter.

Players are aiohttp client sessions in this process (each with its own
cookies and two connections, a page's and its stream's) and behave like
``static/live.js`` on a phone: after joining they hold one stream of
``/live/<pin>/events`` and take each question from the event that brings it
(no page load); they answer after a random delay with a POST asking for JSON,
as the script does. A stream answered 204 (over a gthread server's stream cap)
makes the player poll ``/live/<pin>/state`` every second instead.

Printed: join rate and latency, answer POST latency p50/p95/p99, per question
the time from the host's action being sent until the last player had the
question, answers sent / accepted (answered ``{"taken": true}``) / recorded
(counted in the SQLite file, opened read-only, at the end), players on event
streams versus polling, and server CPU and memory.
The run always ends by itself within ``--seconds``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from forms import csrf_token
from harness import (
    HOST,
    NETWORK_ERRORS,
    Client,
    Failed,
    Server,
    describe,
    described,
    free_port,
    get_page,
    quiz_env,
    run_quiz_commands,
)
from live_players import Player, Stats

from quiz.serve import default_workers, options, stream_limit

HOST_NAME = "bench-host"
PASSWORD = "bench-host-password"
JOIN_CONCURRENCY = 64
TARGET_ANSWER_P99_MS = 250.0
TARGET_SEE_SECONDS = 1.0
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
    text = await get_page(client, response.location)
    return int(found.group(1)), _PIN.search(text).group(1), csrf_token(text)


async def act(client: Client, session_id: int, token: str, action: str, version: int) -> None:
    """Press one of the presenter's buttons on the screen of ``version``."""
    response = await client.post(f"/live/{session_id}/act", data={
        "action": action, "csrf_token": token, "version": str(version)})
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


async def run_host(client: Client, session_id: int, pin: str, token: str, stats: Stats,
                   pause: float, stop: float) -> None:
    """Start, wait for each question to close, show reveal and leaderboard, move on, finish."""
    version = 0
    for index in range(stats.questions):
        stats.opened[index] = time.perf_counter()
        await act(client, session_id, token, "start" if index == 0 else "next", version)
        while time.monotonic() < stop:  # the presenter screen reads the state while it runs
            await asyncio.sleep(0.5)
            state = await read_state(client, pin)
            if state["phase"] != "question":
                break
        await asyncio.sleep(pause)
        await act(client, session_id, token, "next", state["version"])  # reveal -> leaderboard
        version = state["version"] + 1
        await asyncio.sleep(pause)
    await act(client, session_id, token, "next", version)  # the last leaderboard -> podium


def recorded(database: Path, session_id: int) -> tuple[int, int, set[tuple[str, int]]]:
    """Rows in live_answers for the session, distinct (player, question) pairs, and those pairs."""
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as connection:
        rows = connection.execute(
            "SELECT p.nickname, a.question_index FROM live_answers a "
            "JOIN live_players p ON p.id = a.player_id WHERE a.session_id = ?", (session_id,)).fetchall()
    return len(rows), len(set(rows)), set(rows)


class Sampler:
    """Server CPU seconds and peak resident memory over the run, sampled every second."""

    def __init__(self, servers: list[Server]):
        self.servers = servers
        self.cpu_start = [server.cpu_seconds() or 0.0 for server in servers]
        self.peak = [0] * len(servers)
        self._task = asyncio.ensure_future(self._sample())

    async def _sample(self) -> None:
        while True:
            for n, server in enumerate(self.servers):
                self.peak[n] = max(self.peak[n], server.rss_bytes() or 0)
            await asyncio.sleep(1.0)

    async def stop(self) -> list[tuple[float, int]]:
        """(CPU seconds used, peak bytes) per server."""
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        return [((server.cpu_seconds() or 0.0) - start, peak)
                for server, start, peak in zip(self.servers, self.cpu_start, self.peak, strict=True)]


async def load(args: argparse.Namespace, servers: list[Server], database: Path, deadline: float) -> int:
    """Create the session, join the players, play it through, print the figures."""
    stats = Stats(args.questions)

    def client(server: Server) -> Client:
        return Client(f"http://{HOST}:{server.port}")

    host = client(servers[0])
    await host_login(host)
    session_id, pin, token = await create_session(host, args.questions, args.question_seconds)
    players = [Player(f"p{n}", client(servers[n % len(servers)]), pin, stats) for n in range(args.players)]
    sampler = Sampler(servers)
    wall, process = time.perf_counter(), time.process_time()
    gate = asyncio.Semaphore(JOIN_CONCURRENCY)

    async def join(player: Player) -> None:
        async with gate:
            await player.join()

    stop = deadline - 5.0
    joined_ok: list[Player] = []
    try:
        stats.join.start = time.perf_counter()
        tasks = [asyncio.ensure_future(join(p)) for p in players]
        _, pending = await asyncio.wait(tasks, timeout=max(0.0, 0.4 * (stop - time.monotonic())))
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        for player, task in zip(players, tasks, strict=True):
            if task.cancelled():
                stats.errors.append("join: cut at the time cap")
            elif task.exception() is not None:
                stats.errors.append(f"join: {describe(task.exception())}")
            else:
                joined_ok.append(player)
        join_wall = stats.join.last - stats.join.start
        delays = (1.0, max(1.5, min(8.0, 0.6 * args.question_seconds)))
        play_tasks = [asyncio.ensure_future(p.play(delays, stop)) for p in joined_ok]
        await asyncio.sleep(2.0)  # let the lobby pages open their streams
        stats.answers.start = stats.answers.last = time.perf_counter()
        host_task = asyncio.ensure_future(run_host(host, session_id, pin, token, stats, args.pause, stop))
        await asyncio.wait([host_task, *play_tasks], timeout=max(0.0, stop - time.monotonic() + 3))
        for task in [host_task, *play_tasks]:
            if not task.done():
                task.cancel()
        results = await asyncio.gather(host_task, *play_tasks, return_exceptions=True)
        for result in results:
            if isinstance(result, asyncio.CancelledError):
                stats.errors.append("play: cut at the time cap")
            elif isinstance(result, BaseException):
                stats.errors.append(f"play: {describe(result)}")
    finally:
        usage = await sampler.stop()
        await asyncio.gather(host.aclose(), *(p.client.aclose() for p in players), return_exceptions=True)
    rows, distinct, pairs = recorded(database, session_id)
    report(args, stats, len(joined_ok), join_wall, usage, time.perf_counter() - wall,
           time.process_time() - process, rows, distinct, pairs)
    return 0


def report(args: argparse.Namespace, stats: Stats, joined: int, join_wall: float,
           usage: list[tuple[float, int]], wall: float, client_cpu: float, rows: int, distinct: int,
           pairs: set[tuple[str, int]]) -> None:
    """Print the figures and the targets."""
    rate = joined / join_wall if join_wall > 0 else float("nan")
    print(f"joined: {joined} of {args.players} in {join_wall:.1f} s, {rate:.0f} joins/s "
          f"({JOIN_CONCURRENCY} joining at once); " + stats.join.line("join POST:").split(" ", 2)[2])
    print(stats.answers.line("answer POST:"))
    if args.timeline:
        by_second: dict[int, list[float]] = {}
        for second, latency in stats.timeline:
            by_second.setdefault(second, []).append(latency)
        print("  by second after the question opened (answers, p99 ms): " + ", ".join(
            f"{second}s {len(found)} {1000 * sorted(found)[max(0, round(0.99 * len(found)) - 1)]:.0f}"
            for second, found in sorted(by_second.items())))
    worst = 0.0
    for index in range(args.questions):
        seen = sorted(stats.seen.get(index, []))
        if not seen:
            print(f"question {index + 1}: no player had it")
            worst = float("inf")
            continue
        worst = max(worst, seen[-1] if len(seen) == joined else float("inf"))
        print(f"question {index + 1}: {len(seen)} of {joined} players had it; from the host's action: "
              f"median {seen[len(seen) // 2]:.2f} s, last {seen[-1]:.2f} s")
    accepted = len(stats.accepted)
    exact = rows == distinct and pairs == stats.accepted
    print(f"answers: sent {stats.sent}, accepted {accepted}, refused {len(stats.refused)}, recorded "
          f"{rows} rows ({distinct} distinct player/question); recorded set equals accepted set: {exact}")
    for message in list(dict.fromkeys(stats.refused))[:3]:
        print(f"  refused: {message[:200]}")
    print(f"players by mode: {dict(sorted(stats.modes.items()))}; event streams opened {stats.streams}, "
          f"answered 204 {stats.refusals}; events received {stats.events}; state reads {stats.state_reads}")
    for n, (cpu, peak) in enumerate(usage, start=1):
        print(f"server {n}: CPU {cpu:.1f} s over {wall:.0f} s ({100 * cpu / wall:.0f}% of one core), "
              f"peak RSS {peak / 2**20:.0f} MiB (master and workers)")
    print(f"this client: CPU {client_cpu:.1f} s ({100 * client_cpu / wall:.0f}% of one core)")
    print(f"errors: {len(stats.errors)}")
    for error in list(dict.fromkeys(stats.errors))[:5]:
        print(f"  {error[:300]}")
    p99 = stats.answers.percentile(0.99)
    verdict = [
        f"all {args.players} joined: {'met' if joined == args.players else 'NOT met'}",
        f"every accepted answer recorded once: {'met' if exact else 'NOT met'}",
        f"every answer sent recorded: {'met' if rows == stats.sent else 'NOT met'} ({rows} of {stats.sent})",
        f"answer p99 {p99:.0f} ms < {TARGET_ANSWER_P99_MS:.0f}: "
        f"{'met' if p99 < TARGET_ANSWER_P99_MS else 'NOT met'}",
        f"last player sees each question within {TARGET_SEE_SECONDS:.0f} s: "
        f"{'met' if worst < TARGET_SEE_SECONDS else 'NOT met'}",
    ]
    print("targets: " + "; ".join(verdict))



def raise_open_files() -> int:
    """Lift the soft limit on open files to the hard one: every player holds up to two sockets."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def main() -> int:
    """Set up a database and the instructor, serve it, run the session, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--players", type=int, default=2000)
    parser.add_argument("--servers", type=int, choices=(1, 2), default=1)
    parser.add_argument("--workers", type=int, default=None, help="per server, passed to quiz serve")
    parser.add_argument("--worker-class", choices=("gevent", "gthread"), default="gevent",
                        help="passed to quiz serve (default gevent)")
    parser.add_argument("--threads", type=int, default=4, help="per worker (gthread only)")
    parser.add_argument("--questions", type=int, default=3)
    parser.add_argument("--question-seconds", type=int, default=15)
    parser.add_argument("--pause", type=float, default=2.0,
                        help="seconds the host shows the reveal and the leaderboard (default 2)")
    parser.add_argument("--timeline", action="store_true",
                        help="also print answer p99 per second after each question opened")
    parser.add_argument("--seconds", type=float, default=240.0, help="cap on the whole run (default 240)")
    parser.add_argument("--join-limit", default=None,
                        help="joins from one address, e.g. '60 per minute' (default: all players a minute)")
    args = parser.parse_args()
    # Every player comes from 127.0.0.1, like a whole lecture hall behind one NAT address.
    limits = {"live_join": args.join_limit or f"{args.players} per minute"}
    deadline = time.monotonic() + args.seconds
    workers = args.workers or default_workers()
    nofile = raise_open_files()
    quiz = Path(sys.executable).with_name("quiz")
    with tempfile.TemporaryDirectory(prefix="live-load-") as tmp:
        folder = Path(tmp)
        env = quiz_env(folder, rate_limits=limits)
        commands = [["db", "upgrade"], ["content", "sync"],
                    ["user", "create", HOST_NAME, "--instructor", "--password", PASSWORD]]
        if not run_quiz_commands(quiz, env, folder, commands, deadline):
            return 1
        servers = []
        for n in range(args.servers):
            (folder / f"server-{n + 1}").mkdir()
            servers.append(Server(quiz, env, free_port(), workers, args.threads, folder / f"server-{n + 1}",
                                  args.worker_class))
        limit = stream_limit(options(HOST, 0, workers, args.threads, None, args.worker_class))
        cap = workers * limit if limit is not None else None
        print(f"players: {args.players}, {args.questions} questions of {args.question_seconds} s; "
              f"{args.servers} x quiz serve --workers {workers} --worker-class {args.worker_class} on one "
              f"SQLite file (event streams per server: {cap if cap is not None else 'no cap'}); "
              f"{os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.2f}; open files limit {nofile}; "
              f"rate limits: {described(limits)}")
        try:
            for server in servers:
                server.start(min(deadline, time.monotonic() + 60))
            return asyncio.run(load(args, servers, folder / "quiz.sqlite3", deadline))
        except (RuntimeError, Failed, *NETWORK_ERRORS) as exc:
            print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
            for server in servers:
                print(server.log_tail(), file=sys.stderr)
            return 1
        finally:
            for server in servers:
                server.stop()


if __name__ == "__main__":
    sys.exit(main())
