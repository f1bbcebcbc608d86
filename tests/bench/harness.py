"""A load harness for the benchmarks: a real `quiz serve`, browsers with their own cookies, timings.

Shared by the scripts in tests/bench/ that drive the app over HTTP.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from forms import Failed, site_path

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT))  # tests/helpers/servers.py: a kept socket, handed over as systemd does
from tests.helpers.servers import socket_activated  # noqa: E402

HOST = "127.0.0.1"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


# ---------------------------------------------------------------- a browser

NETWORK_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError)


@dataclass
class Reply:
    """A response read whole: status, body and redirect target."""

    status: int
    text: str
    location: str

    def json(self) -> dict:
        """The body as JSON."""
        return json.loads(self.text)


class Client:
    """One browser: its own cookies and ``connections`` kept-alive connections; redirects not followed.

    aiohttp rather than httpx: the clients share the machine's cores with the
    server, and httpx spends about three times the CPU per request.
    """

    def __init__(self, base: str, connections: int = 2, timeout: float = 30.0):
        self.base = base
        self.session = aiohttp.ClientSession(
            base_url=base, cookie_jar=aiohttp.CookieJar(unsafe=True),  # unsafe: cookies for 127.0.0.1
            # Idle connections are dropped before quiz serve's 5 s keep-alive ends: else a paced request
            # now and then goes out on a connection the server is closing, and fails.
            connector=aiohttp.TCPConnector(limit=connections, keepalive_timeout=4.0),
            timeout=aiohttp.ClientTimeout(total=timeout))

    async def _read(self, response: aiohttp.ClientResponse) -> Reply:
        location = site_path(response.headers.get("Location"), self.base)
        return Reply(response.status, await response.text(), location)

    async def get(self, path: str) -> Reply:
        """GET ``path``."""
        async with self.session.get(path, allow_redirects=False) as response:
            return await self._read(response)

    async def post(self, path: str, data: dict | list[tuple[str, str]],
                   headers: dict | None = None) -> Reply:
        """POST a form to ``path`` (a list of pairs for repeated names)."""
        async with self.session.post(path, data=data, headers=headers, allow_redirects=False) as response:
            return await self._read(response)

    def stream(self, path: str):
        """GET ``path`` to read as it arrives, with no time limit."""
        return self.session.get(path, timeout=aiohttp.ClientTimeout(total=None))

    async def aclose(self) -> None:
        """Close the connections."""
        await self.session.close()


async def get_page(client: Client, url: str) -> str:
    """GET a page that must answer 200."""
    response = await client.get(url)
    if response.status != 200:
        raise Failed(f"GET {url}: {response.status}")
    return response.text


def describe(error: BaseException) -> str:
    """An error in one line: its type and message."""
    return f"{type(error).__name__}: {error}"


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
                 folder: Path, worker_class: str = "gevent", listener: socket.socket | None = None):
        self.args = [str(quiz), "serve", "--host", HOST, "--port", str(port), "--workers",
                     str(workers), "--worker-class", worker_class, "--threads", str(threads),
                     "--access-log", ""]
        self.env, self.folder, self.port, self.listener = env, folder, port, listener
        self.log_path = folder / "server.log"
        self.process: subprocess.Popen | None = None

    def start(self, deadline: float) -> None:
        """Start gunicorn and wait until the home page answers 200."""
        command, kept = self.args, ()
        if self.listener is not None:
            command, kept = socket_activated(self.args, self.listener)
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(command, env=self.env, cwd=self.folder, stdout=log,
                                            stderr=subprocess.STDOUT, pass_fds=kept)
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

    def problems(self) -> list[str]:
        """The log's warning and error lines (the first few), and its first traceback's own frames."""
        lines = self.log_tail(100_000).splitlines()
        found = [line for line in lines if any(word in line for word in ("WARNING", "ERROR", "CRITICAL"))]
        report = [f"server log: {len(found)} warning/error line(s)"]
        report += [f"  {line[:300]}" for line in found[:5]]
        start = next((n for n, line in enumerate(lines) if line.startswith("Traceback")), None)
        if start is not None:
            end = next((n for n in range(start + 1, len(lines)) if lines[n].startswith("[")), len(lines))
            trace = lines[start:end]
            project = str(PROJECT / "quiz")
            report.append("first traceback (the project's frames and the error):")
            for n, line in enumerate(trace):
                if project in line:
                    code = trace[n + 1].strip() if n + 1 < len(trace) else ""
                    report.append(f"  {line.strip()[:300]}\n      {code[:300]}")
            report.append(f"  {trace[-1].strip()[:300]}")
        return report

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

    def rss_bytes(self) -> int | None:
        """Resident memory of the master and its workers, in bytes; None if unreadable."""
        if self.process is None or _stat(self.process.pid) is None:
            return None
        total = 0
        for pid in (self.process.pid, *self.workers()):
            fields = _stat(pid)
            if fields:
                total += int(fields[21]) * PAGE_SIZE  # rss, in pages
        return total

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


def quiz_env(folder: Path, *, bench_endpoints: bool = False, rate_limits: dict[str, str] | None = None
             ) -> dict[str, str]:
    """The environment of every ``quiz`` command: our database and key (and the bench endpoint).

    ``rate_limits`` sets ``QUIZ_RATELIMIT_<NAME>``: every simulated client comes from 127.0.0.1,
    as a whole class behind one NAT address would, so a benchmark raises the limits its crowd needs.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("QUIZ_")}
    env["QUIZ_SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{folder / 'quiz.sqlite3'}"
    env["QUIZ_SECRET_KEY"] = f"bench-{secrets.token_urlsafe(32)}"  # never parses as JSON
    if bench_endpoints:
        env["QUIZ_BENCH_ENDPOINTS"] = "true"
    for name, value in (rate_limits or {}).items():
        env[f"QUIZ_RATELIMIT_{name.upper()}"] = value
    return env


def described(rate_limits: dict[str, str]) -> str:
    """The rate limits a run sets, for its first line."""
    return ", ".join(f"{name} {value}" for name, value in rate_limits.items()) or "the defaults"


def run_quiz_commands(quiz: Path, env: dict[str, str], folder: Path, commands: list[list[str]],
                      deadline: float) -> bool:
    """Run ``quiz`` commands in turn (migrate, sync...); say on stderr which failed, if one did."""
    for command in commands:
        try:
            done = subprocess.run([str(quiz), *command], env=env, cwd=folder, capture_output=True,
                                  text=True, timeout=max(1.0, deadline - time.monotonic()),
                                  check=False)
        except subprocess.TimeoutExpired:
            print(f"quiz {' '.join(command[:2])} did not finish within --seconds", file=sys.stderr)
            return False
        if done.returncode != 0:
            print(f"quiz {' '.join(command[:2])} failed:\n{done.stdout}{done.stderr}",
                  file=sys.stderr)
            return False
    return True
