"""A long content sync while players stream and answer on a real `quiz serve`: the site serves on.

Before, the sync held SQLite's write lock for seconds, and every worker that
waited for it stood still (SQLite slept inside its own library): streams went
quiet, /healthz took seconds, and past 30 s gunicorn killed the workers.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time

import httpx
import pytest
from sqlalchemy import create_engine, text

from quiz.content.writer import dump_yaml
from tests.helpers.forms import TOKEN
from tests.helpers.phones import form_token, join_phone, listen
from tests.helpers.servers import PASSWORD, QUIZ, up_at, wait_for

pytestmark = pytest.mark.slow  # a real server and a sync of seconds

PLAYERS = 6
BANKS, PER_BANK = 8, 1000  # 8,000 new questions: seconds of work for the sync


@pytest.fixture
def served(tmp_path, content_dir):
    """`quiz serve` with two gevent workers on a SQLite file; yields (url, env, database, its stderr file)."""
    database = tmp_path / "quiz.sqlite3"
    env = {**os.environ, "QUIZ_SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
           "QUIZ_CONTENT_DIR": str(content_dir), "QUIZ_SECRET_KEY": "sync-while-serving",
           "QUIZ_LIVE_WATCH_INTERVAL": "0.05"}
    for command in (["db", "upgrade"], ["content", "sync"],
                    ["user", "create", "teacher", "--instructor", "--password", PASSWORD]):
        subprocess.run([QUIZ, *command], env=env, cwd=tmp_path, check=True, capture_output=True)
    log = tmp_path / "serve.log"
    with log.open("wb") as errors:
        process = subprocess.Popen([QUIZ, "serve", "--port", "0", "--workers", "2", "--access-log", ""],
                                   env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=errors)
    try:
        url = up_at(log, process)
        yield url, env, database, log
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=15)


def write_big_banks(content_dir) -> None:
    for number in range(BANKS):
        questions = [{"id": f"q{n}", "type": "true_false", "prompt": f"A host runs guest number {n}.",
                      "answer": True, "explanation": "Hosts run guests.", "concepts": ["host"]}
                     for n in range(PER_BANK)]
        (content_dir / "banks" / f"big-{number}.yaml").write_text(
            dump_yaml({"id": f"big-{number}", "title": f"Big {number}", "questions": questions}),
            encoding="utf-8")


def test_players_stream_and_answer_while_a_long_sync_runs(served, content_dir, tmp_path):
    url, env, database, log = served
    host = httpx.Client(base_url=url, timeout=10)
    host.post("/login", data={"name": "teacher", "password": PASSWORD,
                              "csrf_token": form_token(host, "/login")})
    created = host.post("/live", data={"types": "single", "count": "1", "seconds": "120",
                                       "points": "standard", "show_on_devices": "on",
                                       "csrf_token": form_token(host, "/live")})
    session_id = int(re.search(r"/live/(\d+)/host", created.headers["location"]).group(1))
    host_page = host.get(f"/live/{session_id}/host").text
    pin, token = re.search(r"pin=(\d{6})", host_page).group(1), TOKEN.search(host_page).group(1)
    phones = [join_phone(url, pin, f"P{n}") for n in range(PLAYERS)]
    streams: list[list[dict]] = [[] for _ in phones]
    stop = threading.Event()
    listeners = [threading.Thread(target=listen, args=(url, pin, phone.cookies, events, stop), daemon=True)
                 for (phone, _), events in zip(phones, streams, strict=True)]
    for listener in listeners:
        listener.start()
    wait_for(lambda: all(streams))
    host.post(f"/live/{session_id}/act", data={"action": "start", "csrf_token": token, "version": "0"})
    wait_for(lambda: all(any(e.get("phase") == "question" for e in events) for events in streams))
    ask = next(e for e in streams[0] if e.get("phase") == "question")["ask"]

    write_big_banks(content_dir)
    sync = subprocess.Popen([QUIZ, "content", "sync"], env=env, cwd=tmp_path, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    health: list[float] = []
    probe = httpx.Client(base_url=url, timeout=30)
    answered = 0
    try:
        while sync.poll() is None:
            started = time.monotonic()
            assert probe.get("/healthz").status_code == 200
            health.append(time.monotonic() - started)
            if answered < PLAYERS and len(health) % 3 == 0:  # answers spread over the sync
                phone, csrf = phones[answered]
                reply = phone.post(f"/live/{pin}/answer", headers={"Accept": "application/json"},
                                   data={"csrf_token": csrf, "question": "0", "choice": ask["options"][0][0]})
                assert reply.json() == {"taken": True, "question": 0}
                answered += 1
            time.sleep(0.02)
        out, err = sync.communicate()
        assert sync.returncode == 0, err
        assert f"{BANKS * PER_BANK} added" in out
        for phone, csrf in phones[answered:]:
            phone.post(f"/live/{pin}/answer", headers={"Accept": "application/json"},
                       data={"csrf_token": csrf, "question": "0", "choice": ask["options"][0][0]})
        # Everyone answered: each stream hears the reveal.
        wait_for(lambda: all(any(e.get("phase") == "reveal" for e in events) for events in streams))
    finally:
        stop.set()
        host.post(f"/live/{session_id}/act", data={"action": "finish", "csrf_token": token, "version": "0"})
        for listener in listeners:
            listener.join(timeout=10)
    assert answered >= 3, "the sync ended before the players could answer during it"
    assert len(health) >= 10 and max(health) < 0.1, sorted(health)[-5:]
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        recorded = connection.scalar(text("SELECT count(*) FROM live_answers WHERE session_id = :s"),
                                     {"s": session_id})
        questions = connection.scalar(text("SELECT count(*) FROM questions WHERE bank_id LIKE 'big-%'"))
    engine.dispose()
    assert (recorded, questions) == (PLAYERS, BANKS * PER_BANK)
    served_log = log.read_text(encoding="utf-8", errors="replace")
    assert "WORKER TIMEOUT" not in served_log and "Booting worker" in served_log
    assert served_log.count("Booting worker") == 2  # no worker was killed and replaced
