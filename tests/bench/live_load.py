"""Players joining live sessions and answering every question, on one or two server processes.

Run: .venv/bin/python tests/bench/live_load.py [--players 2000] [--sessions 1] [--servers 1|2]
     [--database sqlite|postgresql] [--noise N] [--workers W] [--worker-class gevent|gthread]
     [--questions 3] [--question-seconds 15] [--seconds 300]

Each server is a real ``quiz serve`` on 127.0.0.1; with ``--servers 2`` two of
them share one database (a temporary SQLite file, or with ``--database
postgresql`` a throwaway PostgreSQL cluster, see tests/helpers/postgres.py) and the
players are split between them. ``--sessions N`` runs N rooms at once, each
with ``--players`` players and its own presenter: an instructor (made with
``quiz user create``) signed in on its own browser, who creates a session of
single-choice questions and drives start and next (live_rooms.py).
``--noise N`` starts N processes that each burn a core for the whole run, a
noisy neighbour on the machine.

Players are aiohttp client sessions in this process (each with its own
cookies and two connections, a page's and its stream's) and behave like
``static/live-*.js`` on a phone (live_players.py): after joining they hold one
stream of ``/live/<pin>/events``, take each question from the event that
brings it and answer after a random delay with a POST asking for JSON. After
the sessions, the same players post a bare one-row insert on the same arrival
pattern, and the servers' CPU per request of both is compared (live_costs.py).

Printed (live_report.py): the calibration line; join rate and latency; answer
POST latency; per question the time from the presenter's action being sent
until the last player had it; answers sent / accepted / refused as late /
recorded (counted in the database at the end); server CPU, per answer and per
bare insert, and their ratio; the watcher's cost per poll against the running
sessions; per room when there are several; and a ``summary:`` line of JSON
(what live_matrix.py reads). The run always ends by itself within ``--seconds``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

from calibration import calibration_line
from harness import (
    HOST,
    NETWORK_ERRORS,
    PROJECT,
    Client,
    Failed,
    Server,
    Timed,
    describe,
    described,
    free_port,
    quiz_env,
    run_quiz_commands,
)
from live_costs import Noise, Sampler, answer_cost, arrivals, bare_cost, measure_watcher
from live_players import Player
from live_report import JOIN_CONCURRENCY, Figures, report
from live_rooms import HOST_NAME, PASSWORD, Room, create_session, database_url, host_login, recorded
from phases import machine_busy_seconds

from quiz.collector import freeze_what_lasts
from quiz.serve import default_workers, options, stream_limit

__all__ = ["HOST_NAME", "PASSWORD", "create_session", "host_login", "raise_open_files", "recorded"]
OPEN_CONCURRENCY = 8  # presenters signing in and creating their sessions at once
POSTGRES_PORT = 7250  # names the throwaway cluster's Unix socket; it listens on no TCP port


async def gathered(tasks: list[asyncio.Future], timeout: float, errors: list[str], what: str) -> list[bool]:
    """Wait for the tasks until ``timeout``, cancel the rest, note failures; True for each that ended well."""
    if tasks:
        await asyncio.wait(tasks, timeout=max(0.0, timeout))
    for task in tasks:
        if not task.done():
            task.cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    for result in results:
        if isinstance(result, asyncio.CancelledError):
            errors.append(f"{what}: cut at the time cap")
        elif isinstance(result, BaseException):
            errors.append(f"{what}: {describe(result)}")
    return [not isinstance(result, BaseException) for result in results]


async def open_rooms(args: argparse.Namespace, servers: list[Server]) -> list[Room]:
    """Every room's presenter signed in and its session created; its players' browsers ready."""
    gate = asyncio.Semaphore(OPEN_CONCURRENCY)

    def client(n: int) -> Client:
        return Client(f"http://{HOST}:{servers[n % len(servers)].port}")

    async def one(number: int) -> Room:
        async with gate:
            players = [client(number * args.players + n) for n in range(args.players)]
            return await Room.open(number + 1, client(number), players, args.questions, args.question_seconds)

    return list(await asyncio.gather(*(one(number) for number in range(args.sessions))))


async def load(args: argparse.Namespace, servers: list[Server], url: str, deadline: float) -> Figures:
    """Open the rooms, join the players, play the sessions through, replay as bare inserts; the figures."""
    rooms = await open_rooms(args, servers)
    players = [player for room in rooms for player in room.players]
    join, errors = Timed(), []
    for room in rooms:
        room.stats.join = join  # one join phase for the whole hall
    sampler = Sampler(servers)
    wall, process, busy = time.perf_counter(), time.process_time(), machine_busy_seconds()
    gate = asyncio.Semaphore(JOIN_CONCURRENCY)
    stop = deadline - 5.0

    async def join_one(player: Player) -> None:
        async with gate:
            await player.join()

    figures = Figures(rooms=rooms, errors=errors)
    try:
        join.start = time.perf_counter()
        tasks = [asyncio.ensure_future(join_one(p)) for p in players]
        joined = await gathered(tasks, 0.4 * (stop - time.monotonic()), errors, "join")
        playing = [p for p, ok in zip(players, joined, strict=True) if ok]
        figures.joined, figures.join_wall = len(playing), join.last - join.start
        delays = (1.0, max(1.5, min(8.0, 0.6 * args.question_seconds)))
        play_tasks = [asyncio.ensure_future(p.play(delays, stop)) for p in playing]
        await asyncio.sleep(2.0)  # let the lobby pages open their streams
        # The hall's sessions and streams last the whole run: out of the collector's reach, so that
        # this one process holding 2,000 phones does not pause them all at once (no phone does).
        freeze_what_lasts()
        figures.watcher_lobby = await measure_watcher(url)
        for room in rooms:
            room.stats.answers.start = room.stats.answers.last = time.perf_counter()
        hosts = [room.present(args.pause, stop) for room in rooms]
        await gathered([*hosts, *play_tasks], stop - time.monotonic() + 3, errors, "play")
        figures.play_wall = time.perf_counter() - wall
        figures.answer = answer_cost([room.stats.log for room in rooms], args.questions, sampler)
        rounds = arrivals([(room.stats.log, room.stats.opened) for room in rooms], args.questions)
        clients = {player.name: player.client for player in playing}
        figures.bare = await bare_cost(clients, rounds, sampler, args.pause, stop)
        figures.watcher_after = await measure_watcher(url)
    finally:
        figures.usage = await sampler.stop()
        figures.wall, figures.client_cpu = time.perf_counter() - wall, time.process_time() - process
        after = machine_busy_seconds()
        if busy is not None and after is not None:  # the rest of the machine: noise, other jobs
            figures.other_cpu = after - busy - figures.client_cpu - sum(cpu for cpu, _ in figures.usage)
        await asyncio.gather(*(room.host.aclose() for room in rooms), *(p.client.aclose() for p in players),
                             return_exceptions=True)
    figures.recorded = [recorded(url, room.session_id) for room in rooms]
    return figures


def raise_open_files() -> int:
    """Lift the soft limit on open files to the hard one: every player holds up to two sockets."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def arguments() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--players", type=int, default=2000, help="per session (default 2000)")
    parser.add_argument("--sessions", type=int, default=1, help="rooms at once, each with its own presenter")
    parser.add_argument("--servers", type=int, choices=(1, 2), default=1)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite",
                        help="one SQLite file (default), or a throwaway PostgreSQL cluster")
    parser.add_argument("--noise", type=int, default=0, help="processes that each burn a core meanwhile")
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
    parser.add_argument("--seconds", type=float, default=300.0, help="cap on the whole run (default 300)")
    parser.add_argument("--join-limit", default=None,
                        help="joins from one address, e.g. '60 per minute' (default: all players a minute)")
    args = parser.parse_args()
    if min(args.players, args.sessions, args.questions) < 1 or args.noise < 0:
        parser.error("--players, --sessions and --questions must be at least 1, --noise at least 0")
    return args


def main() -> int:
    """Set up a database and the instructor, serve it, run the sessions, print the figures."""
    args = arguments()
    print(calibration_line(), flush=True)
    total = args.players * args.sessions
    # Every player comes from 127.0.0.1, like a whole lecture hall behind one NAT address.
    limits = {"live_join": args.join_limit or f"{total} per minute"}
    deadline = time.monotonic() + args.seconds
    workers = args.workers or default_workers()
    nofile = raise_open_files()
    quiz = Path(sys.executable).with_name("quiz")
    cluster = noise = None
    servers: list[Server] = []
    with tempfile.TemporaryDirectory(prefix="live-load-") as tmp:
        folder = Path(tmp)
        env = quiz_env(folder, bench_endpoints=True, rate_limits=limits)
        try:
            if args.database == "postgresql":
                sys.path.insert(0, str(PROJECT))  # tests/helpers/postgres.py, the cluster the tests start
                from tests.helpers.postgres import Cluster
                # Every worker of every server keeps a pool of connections: more than the default 100.
                cluster = Cluster.create(POSTGRES_PORT, {"max_connections": "400"})
                env["QUIZ_SQLALCHEMY_DATABASE_URI"] = cluster.url
            url = env["QUIZ_SQLALCHEMY_DATABASE_URI"]
            commands = [["db", "upgrade"], ["content", "sync"],
                        ["user", "create", HOST_NAME, "--instructor", "--password", PASSWORD]]
            if not run_quiz_commands(quiz, env, folder, commands, deadline):
                return 1
            for n in range(args.servers):
                (folder / f"server-{n + 1}").mkdir()
                servers.append(Server(quiz, env, free_port(), workers, args.threads,
                                      folder / f"server-{n + 1}", args.worker_class))
            limit = stream_limit(options(HOST, 0, workers, args.threads, None, args.worker_class))
            cap = workers * limit if limit is not None else None
            print(f"players: {total} ({args.sessions} session(s) of {args.players}), {args.questions} "
                  f"questions of {args.question_seconds} s; {args.servers} x quiz serve --workers {workers} "
                  f"--worker-class {args.worker_class} on one {args.database} database (event streams per "
                  f"server: {cap if cap is not None else 'no cap'}); noise: {args.noise} process(es)"
                  f" burning a core; "
                  f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; open files limit {nofile}; "
                  f"rate limits: {described(limits)}", flush=True)
            noise = Noise(args.noise)
            for server in servers:
                server.start(min(deadline, time.monotonic() + 60))
            figures = asyncio.run(load(args, servers, database_url(url), deadline))
            report(args, figures)
            return 0
        except (RuntimeError, Failed, AssertionError, OSError, subprocess.CalledProcessError,
                *NETWORK_ERRORS) as exc:
            where = traceback.extract_tb(exc.__traceback__)[-1]  # a bare TimeoutError says nothing else
            print(f"{type(exc).__name__}: {exc} (at {Path(where.filename).name}:{where.lineno})",
                  file=sys.stderr)
            for server in servers:
                print(server.log_tail(), file=sys.stderr)
            return 1
        finally:
            for server in servers:
                server.stop()
            if noise is not None:
                noise.stop()
            if cluster is not None:
                cluster.destroy()


if __name__ == "__main__":
    sys.exit(main())
