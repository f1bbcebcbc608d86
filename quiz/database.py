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
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

from flask import Flask
from sqlalchemy import CursorResult, Result, Table, event, func, select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.orm import Session

from quiz.extensions import db
from quiz.security.files import private_database

SQLITE_BUSY = 5
SQLITE_BUSY_SNAPSHOT = 517  # SQLITE_BUSY | (2 << 8)
FIRST_PAUSE, LONGEST_PAUSE = 0.001, 0.02  # seconds between tries: doubling from the first to the longest

T = TypeVar("T")


def insert_for(database: Session | str):
    """INSERT with ON CONFLICT for a session's database or a dialect's name: PostgreSQL's, else SQLite's."""
    name = database if isinstance(database, str) else database.get_bind().dialect.name
    return postgresql_insert if name == "postgresql" else sqlite_insert


def changed_rows(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed: its result is a CursorResult, which counts them."""
    return cast(CursorResult[Any], result).rowcount


_NAMED_SQLITE = SQLiteDialect_pysqlite(paramstyle="named")


@dataclass(frozen=True)
class BulkWrite:
    """One INSERT, UPDATE or DELETE for many rows, compiled and converted ahead of running it.

    Everything Python does per row (JSON, dates, booleans in the database's
    terms) happens when it is made, so that running it inside a write
    transaction is the driver's ``executemany`` and nothing more.
    """

    sql: str
    rows: list[dict]

    @classmethod
    def of(cls, session: Session, statement, rows: list[dict]) -> BulkWrite:
        """``statement`` for ``rows`` (each with the same keys), ready for the session's database."""
        dialect = session.get_bind().dialect
        # Named parameters, so the rows stay dicts: SQLite's driver defaults to positional ones.
        compiling = _NAMED_SQLITE if dialect.name == "sqlite" else dialect
        compiled = statement.compile(dialect=compiling, column_keys=list(rows[0]) if rows else [])
        processors = {name: bind.type.dialect_impl(dialect).bind_processor(dialect)
                      for name, bind in compiled.binds.items()}
        processors = {name: process for name, process in processors.items() if process is not None}
        if processors:
            rows = [{key: processors[key](value) if key in processors else value
                     for key, value in row.items()} for row in rows]
        return cls(compiled.string, rows)

    def run(self, session: Session, chunk: int, after: Callable[[int], None] | None = None) -> None:
        """Execute it, ``chunk`` rows at a time, telling ``after`` how many rows each chunk wrote."""
        connection = session.connection()
        for start in range(0, len(self.rows), chunk):
            part = self.rows[start:start + chunk]
            connection.exec_driver_sql(self.sql, part)
            if after is not None:
                after(len(part))


def reads_stand_alone(session: Session) -> None:
    """Let the session's reads, until it ends, each run on its own, with no transaction around them.

    For a request that only reads: on PostgreSQL a transaction costs a BEGIN
    and a ROLLBACK, two round trips beside the one that reads, so each read is
    run in autocommit instead. SQLite's transactions cost no round trip and
    stay as they are. A transaction already open (a request that mended an
    outage and then found it mended by another) goes on as it is: SQLAlchemy
    would ignore the option, with a warning.
    """
    if session.get_bind().dialect.name == "postgresql" and not session.in_transaction():
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def reserve_ids(session: Session, table: Table, count: int) -> list[int]:
    """``count`` new primary keys for ``table``, for a writer that is the only one inserting into it.

    PostgreSQL hands them out from the column's sequence; SQLite numbers rows
    from the highest id up, as it would itself.
    """
    if count <= 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        sequence = session.scalar(text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name})
        return list(session.scalars(text("SELECT nextval(:sequence) FROM generate_series(1, :count)"),
                                    {"sequence": sequence, "count": count}))
    start = (session.scalar(select(func.max(table.c.id))) or 0) + 1
    return list(range(start, start + count))


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
    """Set up the engine for its database: PostgreSQL's pool checks, or SQLite's safety (``_sqlite``)."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgresql"):
        from quiz import pool_checks  # psycopg is installed only where PostgreSQL is used

        with app.app_context():
            pool_checks.replace_closed_connections(db.engine)
    elif uri.startswith("sqlite"):
        _sqlite(app)


def _sqlite(app: Flask) -> None:
    """Make SQLite safe for several writers (WAL, waits that yield, foreign keys); its file owner-only."""
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
        path = Path(database) if database and database != ":memory:" else None

        def before_connect(_dialect, _record, _args, params) -> None:
            params["factory"], params["timeout"] = connection_class, 0
            # SQLite creates a missing file but not a missing folder, such as the
            # instance folder when the secret key comes from the environment; and
            # it would make the file readable by everyone. Both are made here, on
            # first connect, so that create_app itself stays free of I/O.
            if path is not None:
                private_database(path)

        event.listen(db.engine, "do_connect", before_connect)
