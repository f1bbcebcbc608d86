"""A real `quiz serve` stopping (SIGTERM) or reloading (SIGHUP) while players hold event streams."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.helpers.forms import TOKEN
from tests.helpers.servers import QUIZ, up_at

pytestmark = pytest.mark.slow  # real servers stopped and reloaded

PASSWORD = "shutdown-password"
PLAYERS = 10


def _env(folder: Path) -> dict[str, str]:
    return {**os.environ, "QUIZ_SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'quiz.sqlite3'}",
            "QUIZ_SECRET_KEY": "shutdown-key", "QUIZ_LIVE_WATCH_INTERVAL": "0.05"}


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> Path:
    """A database with the banks and an instructor, made once for the module and copied by each test."""
    folder = tmp_path_factory.mktemp("prepared")
    for command in (["db", "upgrade"], ["content", "sync"],
                    ["user", "create", "teacher", "--instructor", "--password", PASSWORD]):
        subprocess.run([QUIZ, *command], env=_env(folder), cwd=folder, check=True, capture_output=True)
    return folder / "quiz.sqlite3"


@pytest.fixture(params=["gevent"])
def served(request, tmp_path, prepared):
    """A one-worker server, a session in its lobby, PLAYERS seated: (process, url, pin, their cookies)."""
    shutil.copy(prepared, tmp_path / "quiz.sqlite3")
    env = _env(tmp_path)
    log = tmp_path / "server.log"
    # gthread holds a stream per thread, half its threads at most: enough for the players' streams.
    with log.open("wb") as said:
        process = subprocess.Popen([QUIZ, "serve", "--port", "0", "--workers", "1", "--access-log", "",
                                    "--worker-class", request.param, "--threads", str(2 * PLAYERS + 4)],
                                   env=env, cwd=tmp_path, stdout=said, stderr=subprocess.STDOUT)
    try:
        url = up_at(log, process)
        with httpx.Client(base_url=url, timeout=10) as host:
            host.post("/login", data={"name": "teacher", "password": PASSWORD,
                                      "csrf_token": TOKEN.search(host.get("/login").text).group(1)})
            made = host.post("/live", data={"types": "single", "count": "1", "seconds": "60",
                                            "points": "standard", "show_on_devices": "on", "shuffle": "on",
                                            "csrf_token": TOKEN.search(host.get("/live").text).group(1)})
            session_id = re.search(r"/live/(\d+)/host", made.headers["location"]).group(1)
            pin = re.search(r"pin=(\d{6})", host.get(f"/live/{session_id}/host").text).group(1)
        cookies = []
        for n in range(PLAYERS):
            with httpx.Client(base_url=url, timeout=10) as phone:  # closed: no idle kept-alive connection
                form = TOKEN.search(phone.get(f"/live/join?pin={pin}").text).group(1)
                phone.post("/live/join", data={"pin": pin, "nickname": f"P{n}", "csrf_token": form})
                cookies.append(httpx.Cookies(phone.cookies))
        yield process, url, pin, cookies
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=15)


class Held:
    """An event stream read on its own thread: its text, and when it ended."""

    def __init__(self, url: str, pin: str, cookies: httpx.Cookies):
        self.client = httpx.Client(base_url=url, cookies=cookies, timeout=httpx.Timeout(10, read=None))
        self.response = self.client.send(self.client.build_request("GET", f"/live/{pin}/events"), stream=True)
        assert self.response.status_code == 200
        self.text, self.ended = "", None
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            for chunk in self.response.iter_text():
                self.text += chunk
        except httpx.HTTPError:
            self.text += "<cut>"
        self.ended = time.monotonic()
        self.client.close()

    def wait(self, seconds: float) -> None:
        self._thread.join(timeout=seconds)


def _follow(url: str, pin: str, cookies: httpx.Cookies, seconds: float = 10) -> Held:
    """A stream that got its first state event, reconnecting as EventSource does when told to."""
    deadline = time.monotonic() + seconds
    while True:
        stream = Held(url, pin, cookies)
        while "event: state" not in stream.text and stream.ended is None:
            assert time.monotonic() < deadline, "no stream came back"
            time.sleep(0.05)
        if "event: state" in stream.text:
            return stream
        time.sleep(int(re.search(r"retry: (\d+)", stream.text).group(1)) / 1000)


def _streams(url: str, pin: str, cookies) -> list[Held]:
    return [_follow(url, pin, jar) for jar in cookies]


@pytest.mark.parametrize("served", ["gevent", "gthread"], indirect=True)
def test_on_sigterm_every_stream_is_told_to_reconnect_and_the_server_exits_at_once(served):
    process, url, pin, cookies = served
    streams = _streams(url, pin, cookies)
    idle = [httpx.Client(base_url=url, timeout=10) for _ in range(5)]  # kept alive between requests
    for client in idle:
        assert client.get("/healthz").status_code == 200
    stopped = time.monotonic()
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=15)
    took = time.monotonic() - stopped
    for stream in streams:
        stream.wait(5)
        assert stream.text.rstrip().endswith("event: reconnect\ndata: {}"), stream.text[-200:]
        assert re.search(r"retry: \d+\nevent: reconnect", stream.text)
    # Neither the streams nor idle kept-alive connections hold the worker: not for the graceful
    # timeout (10 s), nor for the keep-alive time (5 s).
    assert took < 5, f"the server took {took:.1f} s to stop"
    for client in idle:
        client.close()


def test_a_reload_on_sighup_refuses_nothing_and_the_streams_come_back(served):
    process, url, pin, cookies = served
    streams = _streams(url, pin, cookies)
    failures, answered, stop = [], [], threading.Event()

    def probe() -> None:
        # A new connection every 20 ms throughout the reload: is one ever refused? (A kept-alive one
        # may be closed by a stopping worker between two requests, as at any keep-alive timeout:
        # browsers send the request again on a new one.)
        while not stop.is_set():
            try:
                answered.append(httpx.get(f"{url}/healthz", timeout=10).status_code)
            except httpx.HTTPError as exc:
                failures.append(repr(exc))
            time.sleep(0.02)

    prober = threading.Thread(target=probe, daemon=True)
    prober.start()
    process.send_signal(signal.SIGHUP)
    for stream in streams:
        stream.wait(10)
        assert "event: reconnect" in stream.text  # the old worker's streams, ended at once
    again = _streams(url, pin, cookies)  # the new worker serves them
    stop.set()
    prober.join(timeout=10)
    assert failures == [] and set(answered) == {200} and len(answered) > 10
    for stream in again:
        stream.response.close()


def test_a_reload_keeps_the_old_worker_until_the_new_one_serves_then_hands_the_streams_over(served, tmp_path):
    process, url, pin, cookies = served
    streams = _streams(url, pin, cookies)
    process.send_signal(signal.SIGHUP)
    for stream in streams:
        stream.wait(15)
        assert stream.text.rstrip().endswith("event: reconnect\ndata: {}"), stream.text[-200:]
    ends = sorted(stream.ended for stream in streams)
    # Handed over: each stream ends at its own moment (gunicorn's reload cut them all at once).
    assert ends[-1] - ends[0] > 1.0, f"the streams ended within {ends[-1] - ends[0]:.2f} s of each other"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # the old worker leaves once its last connection is done
        log = (tmp_path / "server.log").read_text(errors="replace")
        old, new = (int(pid) for pid in re.findall(r"Booting worker with pid: (\d+)", log)[:2])
        if f"Worker exiting (pid: {old})" in log:
            break
        time.sleep(0.1)
    assert log.index(f"Worker ready (pid: {new})") < log.index(f"Worker exiting (pid: {old})")
    for stream in _streams(url, pin, cookies):  # the new worker serves them
        stream.response.close()
