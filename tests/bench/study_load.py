"""Answer submissions per second under N concurrent learners, against a bare one-row insert.

Run: .venv/bin/python tests/bench/study_load.py [--learners 200] [--seconds 120]
     [--workers W] [--worker-class gevent|gthread] [--threads T] [--think S] [--interleaved]

The app runs under ``quiz serve`` (gunicorn, a real subprocess on 127.0.0.1 and
a free port) with a fresh SQLite database in a temporary folder, migrated and
synced first. Learners are async HTTP clients in this process, one
``httpx.AsyncClient`` each (so each has its own cookies). Each signs up as
``bench-<n>``, starts a 10-question quiz through the setup form and answers
every question by filling in the question page's own form: the first radio
button or checkbox, "x" in text boxes, a select's selected option or else its
first non-empty one. Only the answer POST is timed; the server answers 302 and
the learner follows it to the feedback page, which must show a verdict.

The baseline is ``POST /_bench/insert`` on the same server (enabled by
QUIZ_BENCH_ENDPOINTS=true): one row into the same database, committed, 204.
It is timed in the same run with as many clients, each sending as many
requests as a learner sends answers.

By default the learners fetch and parse all their question pages first, so
that the timed phase holds nothing but answer POSTs, exactly like the
baseline's phase holds nothing but inserts: the ratio then compares the two
endpoints and nothing else. ``--interleaved`` instead loads each question,
posts it and follows to its feedback in turn, like a person (still timing
only the POSTs): the page loads then share the server, so its rate is not
comparable with the baseline's.

Both phases are closed loops, without think time unless ``--think S`` pauses
a random 0..2S seconds before each timed request (in both phases alike).
Without it the rate is the server's capacity and, by Little's law, the mean
latency is about the number of learners divided by that rate; with it the
rate is the offered load and the latency is what a paced learner sees.

The server, this client and whatever else runs share the machine's cores, so
each phase also reports the CPU that other processes used meanwhile (from
/proc/stat): a run in which they took more than a few tenths of a second
compares the two endpoints on unequal terms.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import ssl
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from harness import (
    HOST,
    PROJECT,
    Failed,
    Server,
    Timed,
    csrf_token,
    fill_in,
    free_port,
    quiz_env,
    run_quiz_commands,
    site_path,
)

from quiz.serve import default_workers

QUESTIONS = 10
PASSWORD = "bench-password"
WARMUP_LEARNERS = 8
WARMUP_INSERTS = 3  # per warm-up client
SETUP_CONCURRENCY = 32  # learners signing up at once: untimed, so no need to flood the server
TARGET_RATIO = 0.70
TARGET_P95_MS = 100.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Learner:
    """One simulated learner: a client with its own cookies and where its quiz is."""

    name: str
    client: httpx.AsyncClient
    questions: list[str] = field(default_factory=list)
    forms: list[dict[str, list[str]]] = field(default_factory=list)
    feedback: list[str] = field(default_factory=list)


@dataclass
class Phase(Timed):
    """A timed phase, and the CPU that other processes of the machine used meanwhile."""

    other_cpu: float | None = None  # the server and this client share the cores with them


def machine_busy_seconds() -> float | None:
    """CPU time all cores have spent busy since boot (user, system, interrupts, steal); None if unknown."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(value) for value in fields[1:9])
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


async def page(client: httpx.AsyncClient, url: str) -> str:
    """GET a page that must answer 200; retried once, as browsers do, if a kept-alive connection closed."""
    try:
        response = await client.get(url)
    except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError):
        response = await client.get(url)
    if response.status_code != 200:
        raise Failed(f"GET {url}: {response.status_code}")
    return response.text


async def form_post(client: httpx.AsyncClient, url: str, data: dict, expect: int = 302) -> httpx.Response:
    """POST a form and check the status."""
    response = await client.post(url, data=data)
    if response.status_code != expect:
        raise Failed(f"POST {url}: {response.status_code}, expected {expect}")
    return response


async def sign_up_and_start(learner: Learner) -> None:
    """Make the account, start a quiz of QUESTIONS questions, note its question URLs."""
    token = csrf_token(await page(learner.client, "/signup"))
    await form_post(learner.client, "/signup", {"name": learner.name, "password": PASSWORD,
                                                "confirm": PASSWORD, "csrf_token": token})
    token = csrf_token(await page(learner.client, "/study"))
    response = await form_post(learner.client, "/study", {"count": str(QUESTIONS), "order": "shuffled",
                                                          "csrf_token": token})
    first = site_path(response.headers.get("location"), str(response.url))
    if not first.endswith("/questions/1"):
        raise Failed(f"starting a quiz went to {first!r}")
    base = first.rsplit("/", 1)[0]
    learner.questions = [f"{base}/{n}" for n in range(1, QUESTIONS + 1)]


async def read_questions(learner: Learner) -> None:
    """Fetch and fill in every question form of the learner's quiz, without sending them."""
    learner.forms = [fill_in(await page(learner.client, url), "data-answer-form")
                     for url in learner.questions]


async def think(seconds: float) -> None:
    """Pause a random 0..2x ``seconds`` (nothing when 0), like a learner reading."""
    if seconds > 0:
        await asyncio.sleep(random.uniform(0, 2 * seconds))


async def answer(learner: Learner, url: str, data: dict, timed: Timed | None) -> None:
    """Send one answer (timed if ``timed``); expect the redirect back to the question."""
    if timed is not None:
        await think(timed.think)
    started = time.perf_counter()
    response = await learner.client.post(url, data=data)
    if response.status_code != 302 or site_path(response.headers.get("location"), url) != url:
        raise Failed(f"POST {url}: {response.status_code}, location {response.headers.get('location')!r}")
    if timed is not None:
        timed.record(started)
    learner.feedback.append(url)


async def follow(learner: Learner, url: str) -> None:
    """Open a question's feedback page; it must show the verdict."""
    if 'class="feedback"' not in await page(learner.client, url):
        raise Failed(f"GET {url}: no feedback after answering")


async def take_quiz(learner: Learner, timed: Timed | None) -> None:
    """Like a person: load each question, answer it, read its feedback."""
    for url in learner.questions:
        data = fill_in(await page(learner.client, url), "data-answer-form")
        await answer(learner, url, data, timed)
        await follow(learner, url)


async def submit_prepared(learner: Learner, timed: Timed) -> None:
    """Send every prepared answer back to back, each timed."""
    for url, data in zip(learner.questions, learner.forms, strict=True):
        await answer(learner, url, data, timed)


async def follow_all(learner: Learner) -> None:
    """Open the feedback page of every answer sent."""
    for url in learner.feedback:
        await follow(learner, url)


async def insert_loop(client: httpx.AsyncClient, count: int, timed: Timed | None) -> None:
    """POST the bare insert ``count`` times, each timed if ``timed``."""
    for _ in range(count):
        if timed is not None:
            await think(timed.think)
        started = time.perf_counter()
        await form_post(client, "/_bench/insert", {}, expect=204)
        if timed is not None:
            timed.record(started)


async def run_all(jobs: list[Callable[[], Awaitable[None]]], deadline: float,
                  errors: list[str]) -> list[str]:
    """Run jobs concurrently until done or the deadline: "ok", "error" or "cut" for each."""
    tasks = [asyncio.ensure_future(job()) for job in jobs]
    if not tasks:
        return []
    _, pending = await asyncio.wait(tasks, timeout=max(0.0, deadline - time.monotonic()))
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    states = []
    for task in tasks:
        if task.cancelled():
            states.append("cut")
        elif task.exception() is not None:
            errors.append(_describe(task.exception()))
            states.append("error")
        else:
            states.append("ok")
    return states


def _describe(error: BaseException) -> str:
    """An error in one line, with the request it happened on when there is one."""
    where = ""
    if isinstance(error, httpx.RequestError):
        with contextlib.suppress(RuntimeError):  # raised when no request is attached
            where = f" on {error.request.method} {error.request.url.path}"
    return f"{type(error).__name__}{where}: {error}"


async def timed_phase(jobs: list[Callable[[Timed], Awaitable[None]]], deadline: float,
                      server: Server, think_seconds: float) -> Phase:
    """Start every job at once and time their requests; note server, client and other CPU."""
    timed = Phase(think=think_seconds)
    busy_before = machine_busy_seconds()
    cpu_before, client_before = server.cpu_seconds(), time.process_time()
    timed.start = timed.last = time.perf_counter()
    states = await run_all([lambda job=job: job(timed) for job in jobs], deadline, timed.errors)
    timed.complete = "cut" not in states
    cpu_after = server.cpu_seconds()
    if cpu_before is not None and cpu_after is not None:
        timed.server_cpu = cpu_after - cpu_before
    timed.client_cpu = time.process_time() - client_before
    busy_after = machine_busy_seconds()
    if None not in (busy_before, busy_after, timed.server_cpu):
        timed.other_cpu = max(0.0, busy_after - busy_before - timed.server_cpu - timed.client_cpu)
    return timed


async def load(args: argparse.Namespace, server: Server, deadline: float) -> int:
    """Warm up, prepare the learners, time the answers and the bare inserts; print the figures."""
    base = f"http://{HOST}:{server.port}"
    tls = ssl.create_default_context()  # one for all: plain HTTP, but each client would build its own
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)

    def client() -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=base, timeout=60.0, verify=tls, limits=limits)

    errors: list[str] = []
    now = time.monotonic()
    setup_deadline = now + 0.6 * (deadline - now)
    setup_started = time.perf_counter()
    warmers = [Learner(f"bench-warmup-{k}", client()) for k in range(1, WARMUP_LEARNERS + 1)]
    inserters = [client() for _ in range(WARMUP_LEARNERS)]
    await run_all([lambda w=w: _warm(w) for w in warmers]
                  + [lambda c=c: insert_loop(c, WARMUP_INSERTS, None) for c in inserters],
                  setup_deadline, errors)
    learners = [Learner(f"bench-{n}", client()) for n in range(1, args.learners + 1)]
    prepare = take_prepared if not args.interleaved else sign_up_and_start
    gate = asyncio.Semaphore(SETUP_CONCURRENCY)

    async def set_up(learner: Learner) -> None:
        async with gate:
            await prepare(learner)

    ready = await run_all([lambda s=s: set_up(s) for s in learners], setup_deadline, errors)
    active = [learner for learner, state in zip(learners, ready, strict=True) if state == "ok"]
    setup_seconds = time.perf_counter() - setup_started
    bare_clients = [client() for _ in active]
    try:
        if not active:
            print(f"no learner got ready before the time cap; errors: {errors[:5]}", file=sys.stderr)
            return 1
        # Fresh keep-alive connections for everyone, so no phase starts by reconnecting.
        await run_all([lambda s=s: page(s.client, "/static/style.css") for s in active],
                      deadline, errors)
        now = time.monotonic()
        if args.interleaved:
            answers = await timed_phase([lambda t, s=s: take_quiz(s, t) for s in active],
                                        now + (deadline - now) / 2, server, args.think)
        else:
            answers = await timed_phase([lambda t, s=s: submit_prepared(s, t) for s in active],
                                        now + (deadline - now) / 2, server, args.think)
        await run_all([lambda c=c: page(c, "/static/style.css") for c in bare_clients], deadline, errors)
        now = time.monotonic()
        bare = await timed_phase([lambda t, c=c: insert_loop(c, QUESTIONS, t) for c in bare_clients],
                                 now + 0.8 * (deadline - now), server, args.think)
        followed = None
        if not args.interleaved:
            follow_ok = await run_all([lambda s=s: follow_all(s) for s in active], deadline, errors)
            followed = sum(len(s.feedback) for s, state in zip(active, follow_ok, strict=True)
                           if state == "ok")
    finally:
        await asyncio.gather(*(c.client.aclose() for c in warmers + learners),
                             *(c.aclose() for c in inserters + bare_clients))
    report(args, len(active), setup_seconds, answers, bare, followed, errors)
    failed = bool(errors or answers.errors or bare.errors)
    if failed:
        print_server_problems(server)
    return 1 if failed else 0


def print_server_problems(server: Server) -> None:
    """The server log's warning and error lines, and the first traceback in full."""
    lines = server.log_tail(100_000).splitlines()
    problems = [line for line in lines if any(word in line for word in ("WARNING", "ERROR", "CRITICAL"))]
    print(f"server log: {len(problems)} warning/error line(s)")
    for line in problems[:5]:
        print(f"  {line[:300]}")
    start = next((n for n, line in enumerate(lines) if line.startswith("Traceback")), None)
    if start is not None:
        end = next((n for n in range(start + 1, len(lines)) if lines[n].startswith("[")), len(lines))
        trace = lines[start:end]
        project = str(PROJECT / "quiz")
        shown = [n for n, line in enumerate(trace) if project in line]
        print("first traceback (the project's frames and the error):")
        for n in shown:
            code = trace[n + 1].strip() if n + 1 < len(trace) else ""
            print(f"  {trace[n].strip()[:300]}\n      {code[:300]}")
        print(f"  {trace[-1].strip()[:300]}")


async def _warm(learner: Learner) -> None:
    """A warm-up learner: the whole flow, untimed, so every code path has run once."""
    await sign_up_and_start(learner)
    await take_quiz(learner, None)


async def take_prepared(learner: Learner) -> None:
    """Sign up, start a quiz and read its question forms, ready to answer."""
    await sign_up_and_start(learner)
    await read_questions(learner)


def _per_request(seconds: float | None, timed: Timed) -> str:
    if seconds is None or not timed.latencies:
        return "n/a"
    return f"{1000 * seconds / len(timed.latencies):.1f} ms"


def _other(phase: Phase) -> str:
    if phase.other_cpu is None:
        return "n/a"
    return f"{phase.other_cpu:.1f} s in {phase.last - phase.start:.1f} s"


def report(args: argparse.Namespace, active: int, setup_seconds: float, answers: Phase, bare: Phase,
           followed: int | None, errors: list[str]) -> None:
    """Print the figures, the ratio and the targets."""
    mode = ("interleaved: page loads share the server with the timed answer POSTs"
            if args.interleaved else "answer POSTs only in the timed phase (forms read beforehand)")
    if args.think:
        mode += f"; paced by {args.think:g} s mean think time, so rates are offered load, not capacity"
    print(f"learners ready: {active} of {args.learners} (setup {setup_seconds:.1f} s untimed: "
          f"sign-up, quiz start, question pages); mode: {mode}")
    print(answers.line("answer submit:"))
    print(bare.line("bare insert:  "))
    print(f"server CPU per request: answer {_per_request(answers.server_cpu, answers)}, "
          f"bare {_per_request(bare.server_cpu, bare)}; this client's CPU per request: answer "
          f"{_per_request(answers.client_cpu, answers)}, bare {_per_request(bare.client_cpu, bare)}")
    # Other work on the machine takes cores from one phase and not the other: it skews the ratio.
    print(f"other processes' CPU during the phases: answer {_other(answers)}, bare {_other(bare)}")
    if followed is not None:
        sent = len(answers.latencies)
        print(f"feedback pages followed after the timed phases: {followed} of {sent} showed a verdict")
    every = errors + answers.errors + bare.errors
    print(f"errors: {len(every)}")
    for error in list(dict.fromkeys(every))[:5]:  # the first few distinct ones
        print(f"  {error[:300]}")
    ratio = answers.rate / bare.rate if bare.rate else float("nan")
    p95 = answers.percentile(0.95)
    print(f"ratio answer/bare: {ratio:.2f} (target >= {TARGET_RATIO:.2f}); "
          f"p95 answer {p95:.0f} ms (target < {TARGET_P95_MS:.0f} ms)")
    verdict = [f"ratio {'met' if ratio >= TARGET_RATIO else 'NOT met'}",
               f"p95 {'met' if p95 < TARGET_P95_MS else 'NOT met'}"]
    print(f"targets at {args.learners} learners: {', '.join(verdict)}")



def main() -> int:
    """Set up a database, serve it, run the learners, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=120.0,
                        help="cap on the whole run, setup included (default 120)")
    parser.add_argument("--workers", type=int, default=None, help="passed to quiz serve")
    parser.add_argument("--worker-class", choices=("gevent", "gthread"), default="gevent",
                        help="passed to quiz serve (default gevent, as quiz serve's own)")
    parser.add_argument("--threads", type=int, default=4,
                        help="per worker, passed to quiz serve (gthread only)")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean seconds a learner pauses before each timed request (default 0)")
    parser.add_argument("--interleaved", action="store_true",
                        help="load, answer and read feedback per question (not comparable with bare)")
    args = parser.parse_args()
    deadline = time.monotonic() + args.seconds
    workers = args.workers or default_workers()
    quiz = Path(sys.executable).with_name("quiz")
    if (PROJECT / "instance" / "config.py").exists():
        print("warning: instance/config.py exists; quiz serve reads it (QUIZ_* variables still win)",
              file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="study-load-") as tmp:
        folder = Path(tmp)
        env = quiz_env(folder, bench_endpoints=True)
        if not run_quiz_commands(quiz, env, folder, [["db", "upgrade"], ["content", "sync"]],
                                 deadline):
            return 1
        server = Server(quiz, env, free_port(), workers, args.threads, folder, args.worker_class)
        threads = f" --threads {args.threads}" if args.worker_class == "gthread" else ""
        print(f"learners: {args.learners}, server: quiz serve --workers {workers} "
              f"--worker-class {args.worker_class}{threads} (no access log); {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.2f} at start")
        try:
            server.start(min(deadline, time.monotonic() + 60))
            return asyncio.run(load(args, server, deadline))
        except RuntimeError as exc:
            print(exc, file=sys.stderr)
            return 1
        finally:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
