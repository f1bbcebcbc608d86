"""One live session served by two real ``quiz serve`` processes (gevent) on one SQLite file."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.helpers.forms import TOKEN
from tests.helpers.phones import form_token, join_phone, listen
from tests.helpers.servers import PASSWORD, QUIZ, up_at, wait_for

pytestmark = pytest.mark.slow  # two real servers


@pytest.fixture
def two_servers(tmp_path):
    """Two gunicorn servers, one worker each, on one database; yields (url A, url B, database path)."""
    database = tmp_path / "quiz.sqlite3"
    env = {**os.environ, "QUIZ_SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
           "QUIZ_SECRET_KEY": "two-servers-test-key", "QUIZ_LIVE_WATCH_INTERVAL": "0.05"}
    for command in (["db", "upgrade"], ["content", "sync"],
                    ["user", "create", "teacher", "--instructor", "--password", PASSWORD]):
        subprocess.run([QUIZ, *command], env=env, cwd=tmp_path, check=True, capture_output=True)
    processes, logs = [], [tmp_path / "serve-a.log", tmp_path / "serve-b.log"]
    try:
        for log in logs:
            with log.open("wb") as said:
                processes.append(subprocess.Popen(
                    [QUIZ, "serve", "--port", "0", "--workers", "1", "--access-log", ""],
                    env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=said))
        urls = [up_at(log, process) for log, process in zip(logs, processes, strict=True)]
        yield urls[0], urls[1], database
    finally:
        for process in processes:
            process.send_signal(signal.SIGINT)  # a quick shutdown: no graceful wait on open streams
            process.wait(timeout=15)


def test_two_processes_serve_one_session_and_record_each_answer_once(two_servers):
    url_a, url_b, database = two_servers
    host = httpx.Client(base_url=url_a, timeout=10)
    host.post("/login", data={"name": "teacher", "password": PASSWORD,
                              "csrf_token": form_token(host, "/login")})
    created = host.post("/live", data={
        "types": "single", "count": "1", "seconds": "30", "points": "standard", "show_on_devices": "on",
        "shuffle": "on", "csrf_token": form_token(host, "/live")})
    session_id = int(re.search(r"/live/(\d+)/host", created.headers["location"]).group(1))
    host_page = host.get(f"/live/{session_id}/host").text
    pin = re.search(r"pin=(\d{6})", host_page).group(1)
    token = TOKEN.search(host_page).group(1)

    ann, ann_csrf = join_phone(url_a, pin, "Ann")
    bob, bob_csrf = join_phone(url_b, pin, "Bob")  # the other process
    events: list[dict] = []
    stop = threading.Event()
    listener = threading.Thread(target=listen, args=(url_b, pin, bob.cookies, events, stop), daemon=True)
    listener.start()
    try:
        wait_for(lambda: events)  # the stream's first event: the lobby
        assert events[0]["phase"] == "lobby"
        host.post(f"/live/{session_id}/act", data={"action": "start", "csrf_token": token, "version": "0"})
        # Started on A; B's watcher sees it in the database and brings Bob the question.
        wait_for(lambda: any(e.get("phase") == "question" for e in events))
        ask = next(e for e in events if e.get("phase") == "question")["ask"]
        choice = ask["options"][0][0]
        json_reply = {"Accept": "application/json"}
        first = bob.post(f"/live/{pin}/answer", headers=json_reply,
                         data={"csrf_token": bob_csrf, "question": "0", "choice": choice})
        assert first.json() == {"taken": True, "question": 0}
        # The same phone, twice more, once through each process: still one answer.
        for client in (bob, httpx.Client(base_url=url_a, cookies=bob.cookies, timeout=10)):
            again = client.post(f"/live/{pin}/answer", headers=json_reply,
                                data={"csrf_token": bob_csrf, "question": "0", "choice": choice})
            assert again.status_code == 200
        ann.post(f"/live/{pin}/answer", headers=json_reply,
                 data={"csrf_token": ann_csrf, "question": "0", "choice": choice})
        # Everyone answered: a watcher closes the question, and Bob hears of his result on B.
        wait_for(lambda: any(e.get("phase") == "reveal" for e in events))
        reveal = next(e for e in events if e.get("phase") == "reveal")
        assert reveal["me"]["answered"] is True and reveal["players"] == 2
    finally:
        stop.set()
        version = host.get(f"/live/{pin}/state").json()["version"]
        host.post(f"/live/{session_id}/act", data={"action": "finish", "csrf_token": token,
                                                   "version": str(version)})
        listener.join(timeout=10)
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT p.nickname, count(*) FROM live_answers a JOIN live_players p ON p.id = a.player_id "
            "GROUP BY p.nickname ORDER BY p.nickname")).all()
    engine.dispose()
    assert [tuple(row) for row in rows] == [("Ann", 1), ("Bob", 1)]
    assert events[-1].get("finished") is True
