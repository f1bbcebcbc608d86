"""Faults during a live session with a hall of phones: what each cost the players; was any answer lost.

Run: .venv/bin/python tests/bench/fault_drill.py [--players 300] [--workers 2]
     [--question-seconds 20] [--fault-after 4] [--seconds 300]

A real ``quiz serve`` (gevent) on a temporary SQLite file, an instructor and
``--players`` phones: the players of ``live_load.py`` (aiohttp sessions in this
process that behave like ``static/live-*.js``: one event stream each, answers
sent as JSON after 1 to 12 s and sent again, like live-answer.js, when no usable
reply comes). The session has one question per fault; ``--fault-after``
seconds into each question, while answers are arriving, the drill does:

1. nothing (the baseline);
2. SIGKILL one worker (gunicorn starts another);
3. SIGTERM the server, wait for it to exit, and start it again on the
   listening socket this drill holds, as systemd's socket activation does
   (the first server was started on it too): a cold restart that refuses
   nothing, since connections wait in the socket's backlog;
4. the same with no socket held: the drill lets its socket go, and the new
   server binds the port itself (a cold restart);
5. SIGHUP the server (a reload: new workers, the old ones stop gracefully);
6. SIGUSR2, and once the new workers say they are ready, SIGTERM the old
   master (a restart in place: a new master and workers on the same socket).

Printed per fault: the question's answers sent, acknowledged, recorded
(counted in the database file), doubled (rows beyond one per player),
lost (acknowledged but not recorded) and refused as late (the server's
"time was up" or "closed"), then the requests that failed (connection
refused or reset, 5xx), the first to the last failure, the answers sent
more than once and the longest an answer waited for its acknowledgement,
the event streams lost and how long the longest took to come back; and
"outage": the longest any player went without a request answered or
without a stream. Then the outage of every fault on one line, and the same
answer counts over the whole session. The run ends by itself within
``--seconds``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from harness import (
    HOST,
    NETWORK_ERRORS,
    Client,
    Failed,
    Server,
    describe,
    quiz_env,
    run_quiz_commands,
)
from live_load import HOST_NAME, PASSWORD, create_session, host_login, raise_open_files, recorded
from live_players import Player, Stats, retry_pause

from tests.helpers.servers import held_socket  # on the path once harness is imported

FAULTS = ("none", "SIGKILL a worker", "SIGTERM and start again, the socket held", "SIGTERM and start again",
          "SIGHUP (reload)", "SIGUSR2, then SIGTERM the old master")


@dataclass
class Fault:
    """One fault: what it was, and when it began and was over (as perf_counter times)."""

    name: str
    question: int
    began: float = 0.0
    over: float = 0.0
    notes: list[str] = field(default_factory=list)


class Adopted:
    """A gunicorn master this script did not start (the one SIGUSR2 made), with Popen's few methods."""

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode = None

    def poll(self) -> int | None:
        """None while it runs."""
        if Path(f"/proc/{self.pid}").exists():
            return None
        self.returncode = 0
        return 0

    def wait(self, timeout: float | None = None) -> int:
        """Wait until it has gone."""
        deadline = time.monotonic() + (timeout if timeout is not None else 1e9)
        while self.poll() is None:
            if time.monotonic() > deadline:
                raise subprocess.TimeoutExpired("gunicorn", timeout)
            time.sleep(0.05)
        return 0

    def send_signal(self, number: int) -> None:
        """Signal it."""
        os.kill(self.pid, number)

    def kill(self) -> None:
        """SIGKILL it."""
        os.kill(self.pid, signal.SIGKILL)


def children_of(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (a master's workers, or the master SIGUSR2 made)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                text = (entry / "stat").read_text()
            except OSError:
                continue
            if int(text[text.rindex(")") + 2:].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def _workers_wanted(server: Server) -> int:
    return int(server.args[server.args.index("--workers") + 1])


def _ready_workers(server: Server) -> set[int]:
    """Workers that have logged "Worker ready" (quiz.serve's post_worker_init hook)."""
    text = server.log_path.read_text(errors="replace")
    return {int(line.rsplit("pid: ", 1)[1].rstrip(")")) for line in text.splitlines()
            if "Worker ready (pid: " in line}


def kill_worker(server: Server, fault: Fault) -> Server:
    """SIGKILL one of the workers."""
    victim = min(server.workers())
    os.kill(victim, signal.SIGKILL)
    fault.notes.append(f"killed worker {victim}")
    return server


def held_restart(server: Server, fault: Fault) -> Server:
    """SIGTERM the master and start a new server on the socket this drill holds (socket activation)."""
    return _restart(server, fault, server.listener)


def cold_restart(server: Server, fault: Fault) -> Server:
    """SIGTERM the master, wait for it to exit, start a new server that binds the port itself."""
    if server.listener is not None:  # nothing holds the port any more: it closes with the server
        server.listener.close()
    return _restart(server, fault, None)


def _restart(server: Server, fault: Fault, listener) -> Server:
    stopped = time.perf_counter()
    server.process.send_signal(signal.SIGTERM)
    server.process.wait(timeout=30)
    exited = time.perf_counter()
    fault.notes += [f"old server's log: {line.strip()}" for line in server.problems()[1:4]
                    if "was sent SIGKILL" not in line]  # but for the drill's own kill
    folder = server.folder.parent / f"{server.folder.name}-restarted"
    folder.mkdir()
    again = Server(Path(server.args[0]), server.env, server.port, _workers_wanted(server), 4, folder,
                   listener=listener)
    again.start(time.monotonic() + 60)
    fault.notes.append(f"old server exited {exited - stopped:.2f} s after SIGTERM; the new one answered "
                       f"{time.perf_counter() - exited:.2f} s after that")
    return again


def reload(server: Server, fault: Fault) -> Server:
    """SIGHUP: gunicorn starts new workers and stops the old ones gracefully."""
    before = set(server.workers())
    server.process.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        new = set(server.workers()) - before
        if len(new) >= _workers_wanted(server) and new <= _ready_workers(server):
            break
        time.sleep(0.05)
    fault.notes.append(f"new workers ready {time.perf_counter() - fault.began:.2f} s after SIGHUP")
    return server


def upgrade_in_place(server: Server, fault: Fault) -> Server:
    """SIGUSR2: a new master on the same socket; once its workers are ready, SIGTERM the old master."""
    old = server.process
    before = children_of(old.pid)
    old.send_signal(signal.SIGUSR2)
    deadline = time.monotonic() + 30
    new_master = None
    while time.monotonic() < deadline:
        born = children_of(old.pid) - before
        if born:
            new_master = min(born)
            workers = children_of(new_master)
            if len(workers) == _workers_wanted(server) and workers <= _ready_workers(server):
                break
        time.sleep(0.05)
    if new_master is None:
        raise RuntimeError("SIGUSR2 started no new master")
    ready = time.perf_counter()
    old.send_signal(signal.SIGTERM)
    old.wait(timeout=30)
    fault.notes.append(f"new workers ready {ready - fault.began:.2f} s after SIGUSR2; the old master exited "
                       f"{time.perf_counter() - ready:.2f} s after its SIGTERM")
    server.process = Adopted(new_master)
    return server


ACTIONS = {FAULTS[1]: kill_worker, FAULTS[2]: held_restart, FAULTS[3]: cold_restart, FAULTS[4]: reload,
           FAULTS[5]: upgrade_in_place}


async def robust(call, *args):
    """A host's request, sent again (as a reload would) until the server gives a reply under 500."""
    tries = 0
    while True:
        tries += 1
        try:
            reply = await call(*args)
            if reply.status < 500:
                return reply
        except NETWORK_ERRORS:
            pass
        await asyncio.sleep(retry_pause(None, tries))


async def run_host(client: Client, session_id: int, pin: str, token: str, stats: Stats, faults: list[Fault],
                   state: dict, args: argparse.Namespace) -> None:
    """Play the session through; ``fault-after`` seconds into each question, bring that question's fault."""
    loop = asyncio.get_running_loop()
    version = 0
    for fault in faults:
        stats.opened[fault.question] = time.perf_counter()
        await robust(client.post, f"/live/{session_id}/act",
                     {"action": "start" if fault.question == 0 else "next", "csrf_token": token,
                      "version": str(version)})
        await asyncio.sleep(args.fault_after)
        fault.began = time.perf_counter()
        if fault.name in ACTIONS:
            state["server"] = await loop.run_in_executor(None, ACTIONS[fault.name], state["server"], fault)
        fault.over = time.perf_counter()
        while True:  # the presenter's screen reads the state until the question closes
            await asyncio.sleep(0.5)
            now = (await robust(client.get, f"/live/{pin}/state")).json()
            if now["phase"] != "question":
                break
        await asyncio.sleep(args.pause)
        await robust(client.post, f"/live/{session_id}/act",
                     {"action": "next", "csrf_token": token, "version": str(now["version"])})
        version = now["version"] + 1
        await asyncio.sleep(args.pause)
    await robust(client.post, f"/live/{session_id}/act",
                 {"action": "next", "csrf_token": token, "version": str(version)})


def _seconds(values: list[float]) -> str:
    return f"median {statistics.median(values):.2f} s, longest {max(values):.2f} s" if values else "none"


LATE = ("Time was up", "The question was closed before")  # how the server words a refusal as late


def answers_by_question(database: Path, session_id: int) -> dict[int, tuple[int, set[str]]]:
    """Per question: the rows in live_answers, and the distinct players they are from."""
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as connection:
        rows = connection.execute(
            "SELECT a.question_index, p.nickname FROM live_answers a "
            "JOIN live_players p ON p.id = a.player_id WHERE a.session_id = ?", (session_id,)).fetchall()
    found: dict[int, tuple[int, set[str]]] = {}
    for index, nickname in rows:
        count, players = found.get(index, (0, set()))
        found[index] = (count + 1, players | {nickname})
    return found


def report_fault(fault: Fault, until: float, stats: Stats, stored: tuple[int, set[str]]) -> dict:
    """One fault's figures, over the time from its start until the next question's fault; returns them."""

    def inside(moment: float) -> bool:
        return fault.began <= moment < until

    failed = sorted(moment for moment, _ in stats.failures if inside(moment))
    sent = {name: s for (name, index), s in stats.log.items() if index == fault.question}
    waits = [s.acked - s.first for s in sent.values() if s.acked is not None]
    after = [s.acked - s.first for s in sent.values() if s.acked is not None and inside(s.first)]
    gaps = [back - lost for lost, back in stats.gaps if inside(lost)]
    acknowledged = {name for name, s in sent.items() if s.outcome == "taken"}
    rows, players = stored
    late = sum(1 for s in sent.values() if s.outcome == "refused" and s.reason.startswith(LATE))
    figures = {"sent": len(sent), "acknowledged": len(acknowledged), "recorded": rows,
               "doubled": rows - len(players), "lost": len(acknowledged - players), "late": late,
               "refused": sum(1 for s in sent.values() if s.outcome == "refused") - late,
               "gave up": sum(1 for s in sent.values() if s.outcome == "gave up"),
               "outage": max([*after, *gaps, 0.0])}
    print(f"question {fault.question + 1}, fault: {fault.name}")
    for note in fault.notes:
        print(f"  {note}")
    print(f"  answers sent {figures['sent']}, acknowledged {figures['acknowledged']}, recorded "
          f"{figures['recorded']}, doubled {figures['doubled']}, lost {figures['lost']}, refused as late "
          f"{figures['late']} (refused otherwise {figures['refused']}, given up {figures['gave up']})")
    print(f"  sent more than once {sum(1 for s in sent.values() if s.tries > 1)}; "
          f"wait for the acknowledgement {_seconds(waits)}")
    span = f" (first to last {failed[-1] - failed[0]:.2f} s)" if failed else ""
    print(f"  requests failed {len(failed)}{span}; event streams lost {len(gaps)}, "
          f"back after {_seconds(gaps)}")
    print(f"  outage (the longest a player waited for an answer sent after the fault to be acknowledged, "
          f"or for a lost stream): {figures['outage']:.2f} s")
    return figures


async def drill(args: argparse.Namespace, server: Server, database: Path, deadline: float) -> int:
    """Create the session, join the players, play it through with the faults, print the figures."""
    stats = Stats(len(FAULTS))
    state = {"server": server}
    base = f"http://{HOST}:{server.port}"
    host = Client(base)
    await host_login(host)
    session_id, pin, token = await create_session(host, len(FAULTS), args.question_seconds)
    players = [Player(f"p{n}", Client(base), pin, stats) for n in range(args.players)]
    gate = asyncio.Semaphore(32)

    async def join(player: Player) -> None:
        async with gate:
            await player.join()

    stop = deadline - 5.0
    faults = [Fault(name, n) for n, name in enumerate(FAULTS)]
    try:
        await asyncio.gather(*(join(p) for p in players))
        delays = (1.0, min(12.0, args.question_seconds - 3.0))
        play = [asyncio.ensure_future(p.play(delays, stop)) for p in players]
        await asyncio.sleep(2.0)  # the lobby pages open their streams
        host_task = asyncio.ensure_future(run_host(host, session_id, pin, token, stats, faults, state, args))
        await asyncio.wait([host_task, *play], timeout=max(0.0, stop - time.monotonic() + 3))
        for task in [host_task, *play]:
            if not task.done():
                task.cancel()
        for result in await asyncio.gather(host_task, *play, return_exceptions=True):
            if isinstance(result, BaseException):
                stats.errors.append(f"play: {describe(result) if str(result) else type(result).__name__}")
    finally:
        await asyncio.gather(host.aclose(), *(p.client.aclose() for p in players), return_exceptions=True)
        args.server = state["server"]
    stored = answers_by_question(database, session_id)
    outages = []
    for n, fault in enumerate(faults):
        until = faults[n + 1].began if n + 1 < len(faults) else time.perf_counter()
        outages.append(report_fault(fault, until, stats, stored.get(fault.question, (0, set())))["outage"])
    print("outage per fault: " + "; ".join(f"{fault.name} {seconds:.2f} s"
                                            for fault, seconds in zip(faults, outages, strict=True)))
    rows, distinct, pairs = recorded(database, session_id)
    acknowledged = stats.accepted
    lost = acknowledged - pairs
    gave_up = sum(1 for s in stats.log.values() if s.outcome == "gave up")
    refused = [s for s in stats.log.values() if s.outcome == "refused"]
    late = sum(1 for s in refused if s.reason.startswith(LATE))
    print(f"answers: sent {stats.sent}, acknowledged {len(acknowledged)}, recorded {rows} "
          f"({distinct} distinct player/question), doubled {rows - distinct}, "
          f"lost (acknowledged, not recorded) {len(lost)}, "
          f"refused as late {late} (refused otherwise {len(refused) - late}, given up {gave_up})")
    for message in list(dict.fromkeys(stats.refused))[:3]:
        print(f"  refused: {message[:200]}")
    for line in state["server"].problems()[:6]:
        print(line)
    problems = [e for e in stats.errors if e.startswith("play")]
    print(f"players that stopped with an error: {len(problems)}")
    for error in list(dict.fromkeys(problems))[:3]:
        print(f"  {error[:300]}")
    return 0 if not lost and rows == distinct and not problems else 1


def calibration() -> float:
    """CPU seconds of ``sum(i*i for i in range(10**7))`` here, to compare machines and runs."""
    started = time.process_time()
    sum(i * i for i in range(10**7))
    return time.process_time() - started


def main() -> int:
    """Set up a database and the instructor, serve it, run the drill, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--players", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--question-seconds", type=int, default=20)
    parser.add_argument("--fault-after", type=float, default=4.0,
                        help="seconds into each question at which its fault comes (default 4)")
    parser.add_argument("--pause", type=float, default=1.0,
                        help="seconds the host shows the reveal and the leaderboard (default 1)")
    parser.add_argument("--seconds", type=float, default=300.0, help="cap on the whole run (default 300)")
    args = parser.parse_args()
    deadline = time.monotonic() + args.seconds
    raise_open_files()
    quiz = Path(sys.executable).with_name("quiz")
    print(f"CPU calibration: sum(i*i for i in range(10**7)) took {calibration():.2f} s of CPU")
    print(f"players: {args.players}; quiz serve --workers {args.workers} (gevent) on one SQLite file; "
          f"questions of {args.question_seconds} s, each fault {args.fault_after:g} s in; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="fault-drill-") as tmp:
        folder = Path(tmp)
        # Every player comes from 127.0.0.1, like a whole lecture hall behind one NAT address.
        env = quiz_env(folder, rate_limits={"live_join": f"{args.players} per minute"})
        commands = [["db", "upgrade"], ["content", "sync"],
                    ["user", "create", HOST_NAME, "--instructor", "--password", PASSWORD]]
        if not run_quiz_commands(quiz, env, folder, commands, deadline):
            return 1
        (folder / "server").mkdir()
        listener = held_socket()  # bound here and held, as a systemd socket unit would (see held_restart)
        server = Server(quiz, env, listener.getsockname()[1], args.workers, 4, folder / "server",
                        listener=listener)
        args.server = server
        try:
            server.start(min(deadline, time.monotonic() + 60))
            return asyncio.run(drill(args, server, folder / "quiz.sqlite3", deadline))
        except (RuntimeError, Failed, *NETWORK_ERRORS) as exc:
            print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
            print(args.server.log_tail(), file=sys.stderr)
            return 1
        finally:
            args.server.stop()


if __name__ == "__main__":
    sys.exit(main())
