"""A flood of event streams against a real `quiz serve`: refused or turned to polling; the server answers."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
import time

import httpx
import pytest

from tests.helpers.forms import TOKEN
from tests.helpers.servers import QUIZ, up_at

pytestmark = pytest.mark.slow  # a real server held by a flood of streams

PASSWORD = "stream-flood-password"
CAP = 30  # streams the one worker holds (QUIZ_LIVE_MAX_STREAMS)


@pytest.fixture
def server(tmp_path):
    """One gunicorn worker that holds at most CAP streams; yields its URL."""
    env = {**os.environ, "QUIZ_SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'quiz.sqlite3'}",
           "QUIZ_SECRET_KEY": "stream-flood-key", "QUIZ_LIVE_WATCH_INTERVAL": "0.05",
           "QUIZ_LIVE_MAX_STREAMS": str(CAP)}
    for command in (["db", "upgrade"], ["content", "sync"],
                    ["user", "create", "teacher", "--instructor", "--password", PASSWORD]):
        subprocess.run([QUIZ, *command], env=env, cwd=tmp_path, check=True, capture_output=True)
    log = tmp_path / "serve.log"
    with log.open("wb") as said:
        process = subprocess.Popen([QUIZ, "serve", "--port", "0", "--workers", "1", "--access-log", ""],
                                   env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=said)
    try:
        yield up_at(log, process)
    finally:
        process.send_signal(signal.SIGINT)  # quick: the open streams are cut
        process.wait(timeout=15)


class Stream:
    """One held event stream, read on a thread of its own."""

    def __init__(self, url: str, pin: str, cookies: httpx.Cookies | None = None):
        self.client = httpx.Client(base_url=url, cookies=cookies, timeout=httpx.Timeout(10, read=None))
        self.response = self.client.send(self.client.build_request("GET", f"/live/{pin}/events"), stream=True)
        self.status = self.response.status_code
        self.events: list[dict] = []
        if self.status == 200:
            threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            for line in self.response.iter_lines():
                if line.startswith("data:"):
                    self.events.append(json.loads(line[5:]))
        except (httpx.HTTPError, ValueError):  # the server went away at the end of the test
            pass


def _token(client: httpx.Client, path: str) -> str:
    return TOKEN.search(client.get(path).text).group(1)


def _player(url: str, pin: str, nickname: str) -> httpx.Client:
    phone = httpx.Client(base_url=url, timeout=10)
    joined = phone.post("/live/join", data={"pin": pin, "nickname": nickname,
                                            "csrf_token": _token(phone, f"/live/join?pin={pin}")})
    assert joined.status_code == 303
    return phone


def _quick(client: httpx.Client, path: str) -> float:
    started = time.perf_counter()
    assert client.get(path).status_code == 200
    return time.perf_counter() - started


def test_a_stream_flood_turns_to_polling_and_the_server_keeps_answering(server):
    host = httpx.Client(base_url=server, timeout=10)
    host.post("/login", data={"name": "teacher", "password": PASSWORD, "csrf_token": _token(host, "/login")})
    made = host.post("/live", data={"types": "single", "count": "1", "seconds": "60", "points": "standard",
                                    "show_on_devices": "on", "shuffle": "on",
                                    "csrf_token": _token(host, "/live")})
    session_id = int(re.search(r"/live/(\d+)/host", made.headers["location"]).group(1))
    page = host.get(f"/live/{session_id}/host").text
    pin = re.search(r"pin=(\d{6})", page).group(1)

    # Anyone with the PIN from the projector, no seat: refused, nothing held.
    strangers = [Stream(server, pin) for _ in range(100)]
    assert {s.status for s in strangers} == {403}
    assert httpx.get(f"{server}/live/{pin}/state").status_code == 403

    # One seated player's cookie, replayed: two streams, the rest told to poll.
    flooder = _player(server, pin, "Flood")
    mine = [Stream(server, pin, flooder.cookies) for _ in range(10)]
    assert sorted(s.status for s in mine) == [200, 200] + [204] * 8

    # A hall bigger than the cap: the first fill it, the rest poll.
    phones = [_player(server, pin, f"P{n}") for n in range(CAP + 5)]
    streams = [Stream(server, pin, phone.cookies) for phone in phones]
    held = [s for s in streams if s.status == 200]
    assert len(held) == CAP - 2 and {s.status for s in streams} == {200, 204}
    polling = [phone for phone, s in zip(phones, streams, strict=True) if s.status == 204]
    assert len(polling) == 7
    healthz = max(_quick(host, "/healthz") for _ in range(5))
    assert healthz < 1.0, f"/healthz took {healthz:.2f} s with the cap reached"

    host.post(f"/live/{session_id}/act", data={"action": "start", "version": "0",
                                               "csrf_token": TOKEN.search(page).group(1)})
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not all(
            any(e.get("phase") == "question" for e in s.events) for s in held):
        time.sleep(0.1)
    assert all(any(e.get("phase") == "question" for e in s.events) for s in held)  # streams still work
    for phone in polling:  # and so does polling, for those beyond the cap
        state = phone.get(f"/live/{pin}/state").json()
        assert state["phase"] == "question" and state["ask"]["options"]
    assert max(_quick(host, "/healthz") for _ in range(5)) < 1.0
