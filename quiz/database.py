"""Database engine settings that every connection needs, and the INSERT of the database in use.

SQLite's own busy handler waits for a lock by sleeping inside the C library,
which under gevent stops the whole worker: every event stream, every other
request and gunicorn's heartbeat. So SQLite is told not to wait at all (busy
timeout 0), and a statement refused with ``SQLITE_BUSY`` is tried again after
``time.sleep``, which gevent turns into a pause of this greenlet alone, until
``SQLITE_BUSY_TIMEOUT_MS`` has passed. ``SQLITE_BUSY_SNAPSHOT`` is not retried:
it means the transaction read data that another writer has since changed, so
only the whole transaction may start again, and the error goes up as it is.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from flask import Flask
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from quiz.extensions import db

SQLITE_BUSY = 5
SQLITE_BUSY_SNAPSHOT = 517  # SQLITE_BUSY | (2 << 8)
FIRST_PAUSE, LONGEST_PAUSE = 0.001, 0.02  # seconds between tries: doubling from the first to the longest

T = TypeVar("T")


def insert_for(database: Session | str):
    """INSERT with ON CONFLICT for a session's database or a dialect's name: PostgreSQL's, else SQLite's."""
    name = database if isinstance(database, str) else database.get_bind().dialect.name
    return postgresql_insert if name == "postgresql" else sqlite_insert


def is_lock_wait(error: BaseException) -> bool:
    """Whether SQLite refused only because another connection holds a lock, so trying again may work."""
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and code & 0xFF == SQLITE_BUSY and code != SQLITE_BUSY_SNAPSHOT


def patiently(call: Callable[[], T], budget: float) -> T:
    """``call()``, tried again after a cooperative sleep while SQLite says busy, for up to ``budget`` s."""
    deadline, pause = None, FIRST_PAUSE
    while True:
        try:
            return call()
        except sqlite3.OperationalError as exc:
            if not is_lock_wait(exc):
                raise
            now = time.monotonic()
            deadline = deadline if deadline is not None else now + budget
            if now >= deadline:
                raise
            time.sleep(min(pause, deadline - now))
            pause = min(pause * 2, LONGEST_PAUSE)


class PatientCursor(sqlite3.Cursor):
    """A cursor whose statements wait for a lock by sleeping in Python (see the module's doc)."""

    def execute(self, sql, parameters=(), /):
        """Run one statement, waiting out a lock held elsewhere."""
        return patiently(lambda: sqlite3.Cursor.execute(self, sql, parameters), self.connection.lock_budget)

    def executemany(self, sql, seq_of_parameters, /):
        """Run one statement for many rows; a lock refusal comes before the first row is written."""
        rows = seq_of_parameters if isinstance(seq_of_parameters, list | tuple) else list(seq_of_parameters)
        return patiently(lambda: sqlite3.Cursor.executemany(self, sql, rows), self.connection.lock_budget)


class PatientConnection(sqlite3.Connection):
    """A SQLite connection that never lets the C library sleep on a lock (see the module's doc)."""

    lock_budget = 15.0  # seconds; each engine uses a subclass with its configured budget

    def cursor(self, factory=None):
        """A cursor of the patient kind unless another is asked for."""
        return super().cursor(factory or PatientCursor)

    def commit(self):
        """Commit, waiting out a lock held elsewhere."""
        patiently(super().commit, self.lock_budget)


def init_app(app: Flask) -> None:
    """Make SQLite safe for several writers (WAL, waits that yield, foreign keys); make its folder."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    budget = int(app.config["SQLITE_BUSY_TIMEOUT_MS"]) / 1000
    connection_class = type("PatientConnection", (PatientConnection,), {"lock_budget": budget})

    def on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 0")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    with app.app_context():  # builds the engine object; it connects only when used
        event.listen(db.engine, "connect", on_connect)
        database = db.engine.url.database
        folder = Path(database).parent if database and database != ":memory:" else None

        def before_connect(_dialect, _record, _args, params) -> None:
            params["factory"], params["timeout"] = connection_class, 0
            # SQLite creates a missing file but not a missing folder, such as the
            # instance folder when the secret key comes from the environment.
            # Made on first connect, so that create_app itself stays free of I/O.
            if folder is not None:
                folder.mkdir(parents=True, exist_ok=True)

        event.listen(db.engine, "do_connect", before_connect)
