"""SQLite lock waits: a statement waits for another writer by sleeping in Python, never inside SQLite.

Under gevent a sleep inside SQLite's busy handler stops the whole worker; a
Python ``time.sleep`` is gevent's, and pauses one greenlet. The last test runs
a gevent-patched process and checks that its loop keeps turning while a
statement waits.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from quiz import create_app
from quiz import database as database_module
from quiz.extensions import db

PROJECT = Path(__file__).resolve().parent.parent


USER_ROW = ("INSERT INTO users (name, password_hash, is_instructor, created_at, time_zone, "
            "desired_retention, new_cards_per_day) VALUES (:n, 'x', 0, '2025-01-01', 'UTC', 0.9, 10)")


def _insert_user(name: str) -> None:
    db.session.execute(db.text(USER_ROW), {"n": name})
    db.session.commit()


def _hold_write_lock(path: Path, seconds: float, held: threading.Event) -> None:
    """Hold SQLite's write lock on ``path`` for ``seconds`` from another connection."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    held.set()
    time.sleep(seconds)
    other.execute("ROLLBACK")
    other.close()


@pytest.fixture
def database_path(app) -> Path:
    return Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))


def test_a_write_waits_for_the_lock_by_sleeping_in_python(app, database_path, monkeypatch):
    sleeps: list[float] = []
    real_sleep, main = time.sleep, threading.current_thread()

    def recorded(seconds: float) -> None:  # the module's sleeps only: the holder thread sleeps too
        if threading.current_thread() is main:
            sleeps.append(seconds)
        real_sleep(seconds)

    monkeypatch.setattr(database_module.time, "sleep", recorded)
    held = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(database_path, 0.4, held))
    holder.start()
    held.wait(5)
    with app.app_context():
        started = time.monotonic()
        _insert_user("waited")
        waited = time.monotonic() - started
        assert db.session.execute(db.text("SELECT count(*) FROM users WHERE name = 'waited'")).scalar() == 1
    holder.join()
    assert waited >= 0.3
    assert len(sleeps) >= 5 and max(sleeps) <= database_module.LONGEST_PAUSE
    assert sum(sleeps) >= 0.3


def test_the_wait_gives_up_after_the_configured_time(tmp_path, content_dir):
    app = create_app({"TESTING": True, "SECRET_KEY": "k", "CONTENT_DIR": str(content_dir),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'q.sqlite3'}",
                      "SQLITE_BUSY_TIMEOUT_MS": 200}, instance_path=tmp_path / "instance")
    with app.app_context():
        db.create_all()
    held = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(tmp_path / "q.sqlite3", 1.5, held))
    holder.start()
    held.wait(5)
    try:
        with app.app_context():
            started = time.monotonic()
            with pytest.raises(OperationalError, match="database is locked"):
                _insert_user("refused")
            gave_up = time.monotonic() - started
            db.session.rollback()
            db.engine.dispose()
    finally:
        holder.join()
    assert 0.2 <= gave_up < 1.0


def test_a_stale_snapshot_is_not_retried_in_place(app, database_path, monkeypatch):
    """SQLITE_BUSY_SNAPSHOT: the transaction read old data, so only the whole transaction may try again."""
    sleeps: list[float] = []
    monkeypatch.setattr(database_module.time, "sleep", sleeps.append)
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("BEGIN")
            cursor.execute("SELECT count(*) FROM users").fetchall()  # the snapshot starts here
            other = sqlite3.connect(database_path, isolation_level=None)
            other.execute("INSERT INTO users (name, password_hash, is_instructor, created_at, time_zone, "
                          "desired_retention, new_cards_per_day) VALUES ('other', 'x', 0, '2025-01-01', "
                          "'UTC', 0.9, 10)")
            other.close()
            with pytest.raises(sqlite3.OperationalError) as caught:
                cursor.execute("UPDATE users SET is_instructor = 1")
            assert caught.value.sqlite_errorcode == database_module.SQLITE_BUSY_SNAPSHOT
            cursor.execute("ROLLBACK")
        finally:
            raw.close()
    assert sleeps == []


GEVENT_SCRIPT = textwrap.dedent("""
    from gevent import monkey
    monkey.patch_all()
    import json, subprocess, sys, time
    import gevent
    sys.path.insert(0, sys.argv[3])
    from quiz import create_app
    from quiz.extensions import db

    path, content = sys.argv[1], sys.argv[2]
    app = create_app({"SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                      "CONTENT_DIR": content})
    with app.app_context():
        db.create_all()
        db.session.execute(db.text("SELECT 1"))
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sqlite3, sys, time; c = sqlite3.connect(sys.argv[1], isolation_level=None); "
        "c.execute('BEGIN IMMEDIATE'); print('held', flush=True); time.sleep(0.6); c.execute('ROLLBACK')"),
        path], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    gaps, done = [], {}

    def ticker():
        last = time.monotonic()
        while "write" not in done:
            gevent.sleep(0.005)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    def writer():
        started = time.monotonic()
        with app.app_context():
            db.session.execute(db.text(
                "INSERT INTO users (name, password_hash, is_instructor, created_at, time_zone, "
                "desired_retention, new_cards_per_day) VALUES ('g', 'x', 0, '2025-01-01', 'UTC', 0.9, 10)"))
            db.session.commit()
        done["write"] = time.monotonic() - started

    gevent.joinall([gevent.spawn(ticker), gevent.spawn(writer)])
    holder.wait()
    print(json.dumps({"write": done["write"], "longest_gap": max(gaps), "ticks": len(gaps)}))
""")


@pytest.mark.timing  # the loop's longest gap must stay under 0.1 s
def test_a_gevent_worker_keeps_its_loop_turning_while_a_write_waits(tmp_path, content_dir):
    result = subprocess.run([sys.executable, "-c", GEVENT_SCRIPT, str(tmp_path / "g.sqlite3"),
                             str(content_dir), str(PROJECT)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["write"] >= 0.4  # it did wait for the other process's lock
    assert figures["longest_gap"] < 0.1, figures  # and the loop ran meanwhile
    assert figures["ticks"] >= 20
