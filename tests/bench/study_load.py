"""Answer submissions per second under N concurrent learners, against a bare one-row insert.

Run: .venv/bin/python tests/bench/study_load.py [--learners 200] [--seconds 120]
     [--workers W] [--threads T] [--think S] [--interleaved]

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
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import secrets
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx

from quiz.serve import default_workers

PROJECT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
QUESTIONS = 10
PASSWORD = "bench-password"
WARMUP_LEARNERS = 8
WARMUP_INSERTS = 3  # per warm-up client
SETUP_CONCURRENCY = 32  # learners signing up at once: untimed, so no need to flood the server
TARGET_RATIO = 0.70
TARGET_P95_MS = 100.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class Failed(Exception):
    """A learner's request got an answer the flow does not expect."""


# ---------------------------------------------------------------- pages and forms


class FormReader(HTMLParser):
    """The fields of the first POST form whose tag carries ``marker`` (any POST form if None)."""

    def __init__(self, marker: str | None = None):
        super().__init__(convert_charrefs=True)
        self.marker = marker
        self.fields: list[dict] = []
        self._inside = False
        self._done = False
        self._select: dict | None = None
        self._option: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open the form, or note one of its fields."""
        attributes = dict(attrs)
        if self._done:
            return
        if tag == "form":
            post = (attributes.get("method") or "get").lower() == "post"
            if post and (self.marker is None or self.marker in attributes):
                self._inside = True
            return
        if not self._inside:
            return
        name = attributes.get("name")
        if tag == "input":
            self.fields.append({"tag": "input", "type": (attributes.get("type") or "text").lower(),
                                "name": name, "value": attributes.get("value")})
        elif tag == "select":
            self._select = {"tag": "select", "name": name, "options": []}
            self.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = {"value": attributes.get("value"), "text": "",
                            "selected": "selected" in attributes}
            self._select["options"].append(self._option)
        elif tag == "textarea":
            self.fields.append({"tag": "textarea", "name": name})

    def handle_data(self, data: str) -> None:
        """Keep an option's text: it is its value when it has no value attribute."""
        if self._option is not None:
            self._option["text"] += data

    def handle_endtag(self, tag: str) -> None:
        """Close options, selects and the form."""
        if tag == "form" and self._inside:
            self._inside, self._done = False, True
        elif tag == "option":
            self._option = None
        elif tag == "select":
            self._select = self._option = None


def _option_value(option: dict) -> str:
    return option["value"] if option["value"] is not None else option["text"].strip()


def fill_in(page: str, marker: str) -> dict[str, list[str]]:
    """The form a learner sends: first radio/checkbox, "x" typed, select defaults kept."""
    reader = FormReader(marker)
    reader.feed(page)
    if not reader.fields:
        raise Failed(f"no form with {marker} on the page")
    data: dict[str, list[str]] = {}
    ticked: set[str] = set()
    for item in reader.fields:
        name = item["name"]
        if not name:
            continue
        if item["tag"] == "select":
            options = item["options"]
            chosen = (next((o for o in options if o["selected"]), None)
                      or next((o for o in options if _option_value(o)), None))
            if chosen is not None:
                data.setdefault(name, []).append(_option_value(chosen))
        elif item["tag"] == "textarea":
            data.setdefault(name, []).append("x")
        elif item["type"] == "hidden":
            data.setdefault(name, []).append(item["value"] or "")
        elif item["type"] in ("radio", "checkbox"):
            if name not in ticked:
                ticked.add(name)
                data.setdefault(name, []).append(item["value"] or "on")
        elif item["type"] not in ("submit", "button", "image", "reset", "file"):
            data.setdefault(name, []).append("x")
    return data


def csrf_token(page: str) -> str:
    """The value of the page's first hidden ``csrf_token`` input."""
    reader = FormReader()
    reader.feed(page)
    for item in reader.fields:
        if item["name"] == "csrf_token" and item.get("value"):
            return item["value"]
    raise Failed("no csrf_token on the page")


def _path(location: str | None, base: str) -> str:
    return urlsplit(urljoin(base, location or "")).path


# ---------------------------------------------------------------- the server


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name (field 3 onwards), or None if gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()


class Server:
    """``quiz serve`` in a subprocess, with its CPU time read from /proc."""

    def __init__(self, quiz: Path, env: dict[str, str], port: int, workers: int, threads: int,
                 folder: Path):
        self.args = [str(quiz), "serve", "--host", HOST, "--port", str(port), "--workers",
                     str(workers), "--threads", str(threads), "--access-log", ""]
        self.env, self.folder, self.port = env, folder, port
        self.log_path = folder / "server.log"
        self.process: subprocess.Popen | None = None

    def start(self, deadline: float) -> None:
        """Start gunicorn and wait until the home page answers 200."""
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(self.args, env=self.env, cwd=self.folder, stdout=log,
                                            stderr=subprocess.STDOUT)
        url = f"http://{HOST}:{self.port}/"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"quiz serve exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"quiz serve did not answer in time:\n{self.log_tail()}")

    def log_tail(self, lines: int = 20) -> str:
        """The end of the server's output."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def workers(self) -> dict[int, str]:
        """The master's children (gunicorn workers): pid -> start time, to recognise them later."""
        found = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                fields = _stat(int(entry.name))
                if fields and self.process and int(fields[1]) == self.process.pid:
                    found[int(entry.name)] = fields[19]
        return found

    def cpu_seconds(self) -> float | None:
        """User and system CPU of the master, its workers and its reaped children; None if unreadable."""
        if self.process is None:
            return None
        master = _stat(self.process.pid)
        if master is None:
            return None
        ticks = sum(int(value) for value in master[11:15])  # utime, stime, cutime, cstime
        for pid in self.workers():
            fields = _stat(pid)
            if fields:
                ticks += int(fields[11]) + int(fields[12])
        return ticks / CLOCK_TICKS

    def stop(self) -> None:
        """Stop gunicorn gracefully, forcibly if it lingers; then any worker it left behind."""
        if self.process is None or self.process.poll() is not None:
            return
        workers = self.workers()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for pid, started in workers.items():
            fields = _stat(pid)
            if fields and fields[19] == started:  # the same process, not a reused pid
                os.kill(pid, signal.SIGKILL)


# ---------------------------------------------------------------- learners and timing


@dataclass
class Timed:
    """Latencies of one timed phase, with its wall time and CPU use."""

    latencies: list[float] = field(default_factory=list)
    start: float = 0.0
    last: float = 0.0
    errors: list[str] = field(default_factory=list)
    complete: bool = True
    server_cpu: float | None = None
    client_cpu: float = 0.0
    think: float = 0.0  # mean pause before each timed request, in seconds

    def record(self, started: float) -> None:
        """Add one request that began at ``started`` and ends now."""
        now = time.perf_counter()
        self.latencies.append(now - started)
        self.last = max(self.last, now)

    @property
    def rate(self) -> float:
        """Requests per second over the phase."""
        wall = self.last - self.start
        return len(self.latencies) / wall if wall > 0 else 0.0

    def percentile(self, share: float) -> float:
        """The nearest-rank percentile of the latencies, in milliseconds."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
        return 1000 * ordered[rank - 1]

    def line(self, label: str) -> str:
        """The phase's figures on one line."""
        cut = "" if self.complete else " (stopped at the time cap)"
        return (f"{label} {len(self.latencies)} requests, {self.rate:.1f} req/s, "
                f"p50 {self.percentile(0.50):.0f} ms, p95 {self.percentile(0.95):.0f} ms, "
                f"p99 {self.percentile(0.99):.0f} ms{cut}")


@dataclass
class Learner:
    """One simulated learner: a client with its own cookies and where its quiz is."""

    name: str
    client: httpx.AsyncClient
    questions: list[str] = field(default_factory=list)
    forms: list[dict[str, list[str]]] = field(default_factory=list)
    feedback: list[str] = field(default_factory=list)


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
    first = _path(response.headers.get("location"), str(response.url))
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
    if response.status_code != 302 or _path(response.headers.get("location"), url) != url:
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
                      server: Server, think_seconds: float) -> Timed:
    """Start every job at once and time their requests; note server and client CPU."""
    timed = Timed(think=think_seconds)
    cpu_before, client_before = server.cpu_seconds(), time.process_time()
    timed.start = timed.last = time.perf_counter()
    states = await run_all([lambda job=job: job(timed) for job in jobs], deadline, timed.errors)
    timed.complete = "cut" not in states
    cpu_after = server.cpu_seconds()
    if cpu_before is not None and cpu_after is not None:
        timed.server_cpu = cpu_after - cpu_before
    timed.client_cpu = time.process_time() - client_before
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


def report(args: argparse.Namespace, active: int, setup_seconds: float, answers: Timed, bare: Timed,
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


def _quiz_env(folder: Path) -> dict[str, str]:
    """The environment of every ``quiz`` command: our database and key, the bench endpoint on."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("QUIZ_")}
    env["QUIZ_SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{folder / 'quiz.sqlite3'}"
    env["QUIZ_SECRET_KEY"] = f"bench-{secrets.token_urlsafe(32)}"  # never parses as JSON
    env["QUIZ_BENCH_ENDPOINTS"] = "true"
    return env


def main() -> int:
    """Set up a database, serve it, run the learners, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=120.0,
                        help="cap on the whole run, setup included (default 120)")
    parser.add_argument("--workers", type=int, default=None, help="passed to quiz serve")
    parser.add_argument("--threads", type=int, default=4, help="passed to quiz serve")
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
        env = _quiz_env(folder)
        for command in (["db", "upgrade"], ["content", "sync"]):
            try:
                done = subprocess.run([str(quiz), *command], env=env, cwd=folder, capture_output=True,
                                      text=True, timeout=max(1.0, deadline - time.monotonic()), check=False)
            except subprocess.TimeoutExpired:
                print(f"quiz {' '.join(command)} did not finish within --seconds", file=sys.stderr)
                return 1
            if done.returncode != 0:
                print(f"quiz {' '.join(command)} failed:\n{done.stdout}{done.stderr}", file=sys.stderr)
                return 1
        server = Server(quiz, env, free_port(), workers, args.threads, folder)
        print(f"learners: {args.learners}, server: quiz serve --workers {workers} "
              f"--threads {args.threads} (no access log); {os.cpu_count()} CPUs, "
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
