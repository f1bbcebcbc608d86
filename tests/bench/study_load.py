"""Answer submissions per second under N concurrent learners, against a bare one-row insert.

Run: .venv/bin/python tests/bench/study_load.py [--learners 200] [--rounds 5] [--seconds 240]
     [--workers W] [--worker-class gevent|gthread] [--threads T] [--think S] [--interleaved]

The app runs under ``quiz serve`` (gunicorn, a real subprocess on 127.0.0.1 and
a free port) with a fresh SQLite database in a temporary folder, migrated and
synced first. Learners are aiohttp sessions in this process, one each (so each
has its own cookies). Each signs up as ``bench-<n>``, starts one 10-question
quiz per round through the setup form and answers every question by filling in
the question page's own form: the first radio button or checkbox, "x" in text
boxes, a select's selected option or else its first non-empty one. Only the
answer POST is timed; the server answers 302 and the learner later follows it
to the feedback page, which must show a verdict.

The baseline is ``POST /_bench/insert`` on the same server (enabled by
QUIZ_BENCH_ENDPOINTS=true): one row into the same database, committed, 204.
As many clients as learners each send as many inserts as a learner sends answers.

The phases alternate: in each round every learner answers one quiz, then the
bare clients insert. The ratio of the two rates is printed for each round and
the median is the figure to quote, so that a burst of other work on the machine
moves one round, not the result.

By default the learners fetch and parse all their question pages first, so
that a timed phase holds nothing but answer POSTs, exactly like the baseline's
phase holds nothing but inserts: the ratio then compares the two endpoints and
nothing else. ``--interleaved`` instead loads each question, posts it and
follows to its feedback in turn, like a person (still timing only the POSTs):
the page loads then share the server, so its rate is not comparable with the
baseline's.

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
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from calibration import calibration_line
from forms import csrf_token, fill_in
from harness import (
    HOST,
    PROJECT,
    Client,
    Failed,
    Server,
    Timed,
    described,
    free_port,
    get_page,
    quiz_env,
    run_quiz_commands,
)
from phases import Phase, pooled, run_all, timed_phase

from quiz.serve import default_workers

QUESTIONS = 10
PASSWORD = "bench-password"
WARMUP_LEARNERS = 8
WARMUP_INSERTS = 3  # per warm-up client
SETUP_CONCURRENCY = 32  # learners signing up at once: untimed, so no need to flood the server
TARGET_RATIO = 0.70
TARGET_P95_MS = 100.0

Form = list[tuple[str, str]]


@dataclass
class Learner:
    """One simulated learner: a browser with its own cookies, and its quizzes, one per round."""

    name: str
    client: Client
    quizzes: list[list[str]] = field(default_factory=list)  # per round, the question URLs
    forms: list[list[Form]] = field(default_factory=list)  # per round, each question's answer
    feedback: list[str] = field(default_factory=list)  # the questions answered


def browser(base: str) -> Client:
    """A learner's or bare client's browser: one connection, as it sends one request at a time."""
    return Client(base, connections=1, timeout=60.0)  # a saturated phase queues requests for seconds


def pairs(form: dict[str, list[str]]) -> Form:
    """A filled-in form as the name-value pairs a browser sends."""
    return [(name, value) for name, values in form.items() for value in values]


async def form_post(client: Client, url: str, data: dict | Form, expect: int = 302) -> str:
    """POST a form, check the status; where it redirects to."""
    response = await client.post(url, data)
    if response.status != expect:
        raise Failed(f"POST {url}: {response.status}, expected {expect}")
    return response.location


async def sign_up(learner: Learner) -> None:
    """Make the learner's account (which signs it in)."""
    token = csrf_token(await get_page(learner.client, "/signup"))
    await form_post(learner.client, "/signup", {"name": learner.name, "password": PASSWORD,
                                                "confirm": PASSWORD, "csrf_token": token})


async def start_quiz(learner: Learner) -> None:
    """Start a quiz of QUESTIONS questions; note its question URLs."""
    token = csrf_token(await get_page(learner.client, "/study"))
    first = await form_post(learner.client, "/study", {"count": str(QUESTIONS), "order": "shuffled",
                                                       "csrf_token": token})
    if not first.endswith("/questions/1"):
        raise Failed(f"starting a quiz went to {first!r}")
    base = first.rsplit("/", 1)[0]
    learner.quizzes.append([f"{base}/{n}" for n in range(1, QUESTIONS + 1)])


async def prepare(learner: Learner, rounds: int, read_forms: bool) -> None:
    """Sign up and start a quiz per round; unless interleaved, fill in every question form."""
    await sign_up(learner)
    for _ in range(rounds):
        await start_quiz(learner)
        if read_forms:
            learner.forms.append([pairs(fill_in(await get_page(learner.client, url), "data-answer-form"))
                                  for url in learner.quizzes[-1]])


async def think(seconds: float) -> None:
    """Pause a random 0..2x ``seconds`` (nothing when 0), like a learner reading."""
    if seconds > 0:
        await asyncio.sleep(random.uniform(0, 2 * seconds))


async def answer(learner: Learner, url: str, data: Form, timed: Timed | None) -> None:
    """Send one answer (timed if ``timed``); expect the redirect back to the question."""
    if timed is not None:
        await think(timed.think)
    started = time.perf_counter()
    response = await learner.client.post(url, data)
    if response.status != 302 or response.location != url:
        raise Failed(f"POST {url}: {response.status}, location {response.location!r}")
    if timed is not None:
        timed.record(started)
    learner.feedback.append(url)


async def follow(learner: Learner, url: str) -> None:
    """Open a question's feedback page; it must show the verdict."""
    if 'class="feedback"' not in await get_page(learner.client, url):
        raise Failed(f"GET {url}: no feedback after answering")


async def take_quiz(learner: Learner, urls: list[str], timed: Timed | None) -> None:
    """Like a person: load each question, answer it, read its feedback."""
    for url in urls:
        data = pairs(fill_in(await get_page(learner.client, url), "data-answer-form"))
        await answer(learner, url, data, timed)
        await follow(learner, url)


async def submit_prepared(learner: Learner, round_: int, timed: Timed) -> None:
    """Send the round's prepared answers back to back, each timed."""
    for url, data in zip(learner.quizzes[round_], learner.forms[round_], strict=True):
        await answer(learner, url, data, timed)


async def follow_all(learner: Learner) -> None:
    """Open the feedback page of every answer sent."""
    for url in learner.feedback:
        await follow(learner, url)


async def insert_loop(client: Client, count: int, timed: Timed | None) -> None:
    """POST the bare insert ``count`` times, each timed if ``timed``."""
    for _ in range(count):
        if timed is not None:
            await think(timed.think)
        started = time.perf_counter()
        await form_post(client, "/_bench/insert", {}, expect=204)
        if timed is not None:
            timed.record(started)


async def warm_up(base: str, deadline: float, errors: list[str]) -> None:
    """A few learners take a whole quiz and a few clients insert, untimed: every code path runs once."""
    warmers = [Learner(f"bench-warmup-{k}", browser(base)) for k in range(1, WARMUP_LEARNERS + 1)]
    inserters = [browser(base) for _ in range(WARMUP_LEARNERS)]

    async def warm(learner: Learner) -> None:
        await prepare(learner, 1, read_forms=False)
        await take_quiz(learner, learner.quizzes[0], None)

    try:
        await run_all([lambda w=w: warm(w) for w in warmers]
                      + [lambda c=c: insert_loop(c, WARMUP_INSERTS, None) for c in inserters],
                      deadline, errors)
    finally:
        await asyncio.gather(*(c.aclose() for c in [w.client for w in warmers] + inserters))


async def load(args: argparse.Namespace, server: Server, deadline: float) -> int:
    """Warm up, prepare the learners, alternate timed answers and bare inserts; print the figures."""
    base = f"http://{HOST}:{server.port}"
    errors: list[str] = []
    now = time.monotonic()
    setup_deadline = now + 0.5 * (deadline - now)
    setup_started = time.perf_counter()
    await warm_up(base, setup_deadline, errors)
    learners = [Learner(f"bench-{n}", browser(base)) for n in range(1, args.learners + 1)]
    gate = asyncio.Semaphore(SETUP_CONCURRENCY)

    async def set_up(learner: Learner) -> None:
        async with gate:
            await prepare(learner, args.rounds, read_forms=not args.interleaved)

    ready = await run_all([lambda s=s: set_up(s) for s in learners], setup_deadline, errors)
    active = [learner for learner, state in zip(learners, ready, strict=True) if state == "ok"]
    setup_seconds = time.perf_counter() - setup_started
    bare_clients = [browser(base) for _ in active]
    rounds: list[tuple[Phase, Phase]] = []
    followed = None
    try:
        if not active:
            print(f"no learner got ready before the time cap; errors: {errors[:5]}", file=sys.stderr)
            return 1
        for round_ in range(args.rounds):
            phases_left = 2 * (args.rounds - round_)
            # Fresh keep-alive connections for everyone, so no phase starts by reconnecting.
            await run_all([lambda s=s: get_page(s.client, "/static/style.css") for s in active],
                          deadline, errors)
            now = time.monotonic()
            if args.interleaved:
                jobs = [lambda t, s=s, r=round_: take_quiz(s, s.quizzes[r], t) for s in active]
            else:
                jobs = [lambda t, s=s, r=round_: submit_prepared(s, r, t) for s in active]
            answers = await timed_phase(jobs, now + 0.9 * (deadline - now) / phases_left, server, args.think)
            await run_all([lambda c=c: get_page(c, "/static/style.css") for c in bare_clients],
                          deadline, errors)
            now = time.monotonic()
            bare = await timed_phase([lambda t, c=c: insert_loop(c, QUESTIONS, t) for c in bare_clients],
                                     now + 0.9 * (deadline - now) / (phases_left - 1), server, args.think)
            rounds.append((answers, bare))
        if not args.interleaved:
            follow_ok = await run_all([lambda s=s: follow_all(s) for s in active], deadline, errors)
            followed = sum(len(s.feedback) for s, state in zip(active, follow_ok, strict=True)
                           if state == "ok")
    finally:
        await asyncio.gather(*(c.aclose() for c in [s.client for s in learners] + bare_clients))
    report(args, len(active), setup_seconds, rounds, followed, errors)
    failed = bool(errors or any(a.errors or b.errors for a, b in rounds))
    if failed:
        for line in server.problems():
            print(line)
    return 1 if failed else 0


def _per_request(seconds: float | None, timed: Timed) -> str:
    if seconds is None or not timed.latencies:
        return "n/a"
    return f"{1000 * seconds / len(timed.latencies):.1f} ms"


def _other(phase: Phase) -> str:
    if phase.other_cpu is None:
        return "n/a"
    return f"{phase.other_cpu:.1f} s in {phase.last - phase.start:.1f} s"


def report(args: argparse.Namespace, active: int, setup_seconds: float, rounds: list[tuple[Phase, Phase]],
           followed: int | None, errors: list[str]) -> None:
    """Print each round, the phases pooled, the median ratio and the targets."""
    mode = ("interleaved: page loads share the server with the timed answer POSTs"
            if args.interleaved else "answer POSTs only in the timed phase (forms read beforehand)")
    if args.think:
        mode += f"; paced by {args.think:g} s mean think time, so rates are offered load, not capacity"
    print(f"learners ready: {active} of {args.learners} (setup {setup_seconds:.1f} s untimed: sign-up, "
          f"{args.rounds} quiz start(s), question pages); mode: {mode}")
    ratios = []
    for number, (answers, bare) in enumerate(rounds, 1):
        ratio = answers.rate / bare.rate if bare.rate else float("nan")
        ratios.append(ratio)
        print(f"round {number}: answers {answers.rate:.1f} req/s, bare {bare.rate:.1f} req/s, "
              f"ratio {ratio:.2f}; other processes' CPU: answer {_other(answers)}, bare {_other(bare)}")
    answers, bare = pooled([a for a, _ in rounds]), pooled([b for _, b in rounds])
    print(answers.line("answer submit, all rounds:"))
    print(bare.line("bare insert, all rounds:  "))
    print(f"server CPU per request: answer {_per_request(answers.server_cpu, answers)}, "
          f"bare {_per_request(bare.server_cpu, bare)}; this client's CPU per request: answer "
          f"{_per_request(answers.client_cpu, answers)}, bare {_per_request(bare.client_cpu, bare)}")
    if followed is not None:
        print(f"feedback pages followed after the timed phases: {followed} of {len(answers.latencies)} "
              f"showed a verdict")
    every = errors + answers.errors + bare.errors
    print(f"errors: {len(every)}")
    for error in list(dict.fromkeys(every))[:5]:  # the first few distinct ones
        print(f"  {error[:300]}")
    ratio = statistics.median(ratios) if ratios else float("nan")
    p95 = answers.percentile(0.95)
    print(f"ratio answer/bare, median of {len(ratios)} round(s): {ratio:.2f} (target >= {TARGET_RATIO:.2f}); "
          f"p95 answer {p95:.0f} ms (target < {TARGET_P95_MS:.0f} ms)")
    verdict = [f"ratio {'met' if ratio >= TARGET_RATIO else 'NOT met'}",
               f"p95 {'met' if p95 < TARGET_P95_MS else 'NOT met'}"]
    print(f"targets at {args.learners} learners: {', '.join(verdict)}")
    if not args.think and answers.rate and bare.rate:
        print(f"saturated: {args.learners} requests always in flight, so by Little's law the mean latency is "
              f"about {args.learners} / rate: {1000 * args.learners / answers.rate:.0f} ms for answers, "
              f"{1000 * args.learners / bare.rate:.0f} ms for bare inserts (--think: a learner's)")


def main() -> int:
    """Set up a database, serve it, run the learners, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=200)
    # Five: on a shared machine one run's rounds have spread from 0.49 to 0.69; a median of three moved.
    parser.add_argument("--rounds", type=int, default=5,
                        help="timed answer and bare phases, alternating (default 5)")
    parser.add_argument("--seconds", type=float, default=240.0,
                        help="cap on the whole run, setup included (default 240)")
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
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    print(calibration_line(), flush=True)
    deadline = time.monotonic() + args.seconds
    workers = args.workers or default_workers()
    quiz = Path(sys.executable).with_name("quiz")
    if (PROJECT / "instance" / "config.py").exists():
        print("warning: instance/config.py exists; quiz serve reads it (QUIZ_* variables still win)",
              file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="study-load-") as tmp:
        folder = Path(tmp)
        # Every learner signs up from 127.0.0.1: the sign-up limit per address must let them all in.
        limits = {"sign_up": f"{args.learners} per hour", "sign_up_name": "10 per hour"}
        env = quiz_env(folder, bench_endpoints=True, rate_limits=limits)
        if not run_quiz_commands(quiz, env, folder, [["db", "upgrade"], ["content", "sync"]],
                                 deadline):
            return 1
        server = Server(quiz, env, free_port(), workers, args.threads, folder, args.worker_class)
        threads = f" --threads {args.threads}" if args.worker_class == "gthread" else ""
        print(f"learners: {args.learners}, server: quiz serve --workers {workers} "
              f"--worker-class {args.worker_class}{threads} (no access log); {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.2f} at start; rate limits: {described(limits)}")
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
