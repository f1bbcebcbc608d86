"""An answer given in time is not refused because the server was down: real `quiz serve` restarts.

A phone sends its answer again until the server answers (live-answer.js); when the
server was stopped as the question's time ran out, that answer arrives late.
The server's record of its outage (``quiz.live.outages``) gives such a question a
bounded grace, and never reopens one that had closed.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from quiz.config import Defaults
from quiz.extensions import db
from quiz.live import outages
from quiz.live.models import LiveSession
from quiz.models import User, utcnow
from tests.helpers.forms import TOKEN
from tests.helpers.servers import QUIZ, free_port, wait_until_up

CSRF = re.compile(r'data-csrf="([^"]+)"')
PASSWORD = "grace-password"
SECONDS = 5  # the shortest question a session may have


def _env(folder: Path) -> dict[str, str]:
    return {**os.environ, "QUIZ_SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'quiz.sqlite3'}",
            "QUIZ_SECRET_KEY": "grace-key", "QUIZ_LIVE_WATCH_INTERVAL": "0.05"}


class Served:
    """`quiz serve` with one worker on a database folder, started and stopped at will."""

    def __init__(self, folder: Path):
        # A port known before the first start, not port 0: the phones' clients hold this URL and
        # must find the server again there after the restart.
        self.folder, self.port = folder, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        """Start the server and wait until it is ready."""
        self.process = subprocess.Popen([QUIZ, "serve", "--port", str(self.port), "--workers", "1",
                                         "--access-log", ""], env=_env(self.folder), cwd=self.folder,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until_up(self.url, self.process, seconds=30)

    def stop(self) -> None:
        """SIGTERM, and wait for the server to exit."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=15)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> Path:
    """A database with the banks and an instructor, made once for the module."""
    folder = tmp_path_factory.mktemp("prepared")
    for command in (["db", "upgrade"], ["content", "sync"],
                    ["user", "create", "teacher", "--instructor", "--password", PASSWORD]):
        subprocess.run([QUIZ, *command], env=_env(folder), cwd=folder, check=True, capture_output=True)
    return folder / "quiz.sqlite3"


def _open_question(url: str, players: int) -> tuple[str, list[tuple[httpx.Client, str]], dict]:
    """A one-question session, ``players`` seated, its question open: (pin, phones, the question)."""
    with httpx.Client(base_url=url, timeout=10) as host:
        host.post("/login", data={"name": "teacher", "password": PASSWORD,
                                  "csrf_token": TOKEN.search(host.get("/login").text).group(1)})
        made = host.post("/live", data={"types": "single", "count": "1", "seconds": str(SECONDS),
                                        "points": "standard", "show_on_devices": "on",
                                        "csrf_token": TOKEN.search(host.get("/live").text).group(1)})
        session_id = re.search(r"/live/(\d+)/host", made.headers["location"]).group(1)
        page = host.get(f"/live/{session_id}/host").text
        pin = re.search(r"pin=(\d{6})", page).group(1)
        phones = []
        for n in range(players):
            phone = httpx.Client(base_url=url, timeout=10)
            form = TOKEN.search(phone.get(f"/live/join?pin={pin}").text).group(1)
            phone.post("/live/join", data={"pin": pin, "nickname": f"P{n}", "csrf_token": form})
            phones.append((phone, CSRF.search(phone.get(f"/live/{pin}/play").text).group(1)))
        page = host.get(f"/live/{session_id}/host").text
        started = host.post(f"/live/{session_id}/act", data={
            "action": "start", "version": re.search(r'data-version="(\d+)"', page).group(1),
            "csrf_token": TOKEN.search(page).group(1)})
        assert started.status_code in (200, 303)
    state = phones[0][0].get(f"/live/{pin}/state").json()
    assert state["phase"] == "question"
    return pin, phones, state


def _answer(url: str, pin: str, phone: httpx.Client, csrf: str, state: dict) -> httpx.Response:
    """Send the phone's answer as live-answer.js does (asking for JSON), to the server at ``url``."""
    return phone.post(f"{url}/live/{pin}/answer", headers={"Accept": "application/json"},
                      data={"csrf_token": csrf, "question": str(state["ask"]["index"]),
                            "choice": state["ask"]["options"][0][0]})


@pytest.mark.slow  # a real server, stopped and started again
def test_an_answer_retried_after_a_restart_across_the_deadline_counts_within_the_grace(tmp_path, prepared):
    shutil.copy(prepared, tmp_path / "quiz.sqlite3")
    server = Served(tmp_path)
    server.start()
    pin, phones, state = _open_question(server.url, 2)
    opened = time.monotonic() - (SECONDS * 1000 - state["remaining_ms"]) / 1000
    try:
        server.stop()  # the phones answer now, in time, and get no reply: they send again until it is back
        time.sleep(max(0.0, opened + SECONDS + 0.5 - time.monotonic()))  # the deadline passes meanwhile
        server.start()
        assert time.monotonic() > opened + SECONDS
        (first, first_csrf), (second, second_csrf) = phones
        reply = _answer(server.url, pin, first, first_csrf, state)
        assert reply.status_code == 200 and reply.json()["taken"] is True, reply.text
        # The grace is bounded: once it is over the question closes, and a later answer is refused.
        # (past the second a closing question waits for answers still inside the server, too)
        time.sleep(outages.START_GRACE_SECONDS + Defaults.LIVE_ANSWER_GRACE_SECONDS + 0.5)
        late = _answer(server.url, pin, second, second_csrf, state)
        assert late.status_code == 409, late.text
        shown = first.get(f"{server.url}/live/{pin}/state").json()
        assert shown["phase"] != "question" and shown["me"]["answered"] is True
    finally:
        for phone, _ in phones:
            phone.close()
        server.stop()


def _live(pin: str, seconds_ago: float, phase: str = "question") -> LiveSession:
    """A session whose question's deadline passed ``seconds_ago`` (in ``phase``)."""
    teacher = User(name=f"host-{pin}", password_hash="unused", is_instructor=True)
    db.session.add(teacher)
    db.session.flush()
    live = LiveSession(pin=pin, host_id=teacher.id, phase=phase, question_ids=[1],
                       question_started_at=utcnow() - timedelta(seconds=seconds_ago + SECONDS),
                       deadline=utcnow() - timedelta(seconds=seconds_ago))
    db.session.add(live)
    db.session.commit()
    return live


def _naive(moment):
    return moment.replace(tzinfo=None)


def test_the_grace_reopens_nothing_closed_and_reaches_back_only_to_the_outage(app):
    with app.app_context():
        caught = _live("100001", 1.0)  # its time ran out during the outage
        before = _live("100002", 60.0)  # ran out a minute before the server stopped
        revealed = _live("100003", 1.0, phase="reveal")  # closed before the outage
        now = utcnow()
        extended = outages.extend_open_questions(db.session, now - timedelta(seconds=10), now, 5.0)
        db.session.commit()
        assert extended == [caught.id]
        assert _naive(db.session.get(LiveSession, caught.id).deadline) == _naive(now + timedelta(seconds=5))
        for other in (before, revealed):
            assert _naive(db.session.get(LiveSession, other.id).deadline) < _naive(now)
        assert db.session.get(LiveSession, revealed.id).phase == "reveal"


def test_a_server_starting_beside_a_running_one_grants_nothing(app):
    with app.app_context():
        now = utcnow()
        assert outages.outage_began(db.session, now) is None  # the first start ever: nothing was missed
        db.session.add(outages.ServingRun(host="elsewhere", pid=1, started_at=now - timedelta(hours=1)))
        db.session.commit()
        assert outages.outage_began(db.session, now) is None  # another machine's server still runs
        run = db.session.scalar(db.select(outages.ServingRun))
        run.stopped_at = now - timedelta(seconds=3)
        db.session.commit()
        assert _naive(outages.outage_began(db.session, now)) == _naive(run.stopped_at)
