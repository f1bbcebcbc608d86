"""Database engine settings that every connection needs, and the INSERT of the database in use."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from quiz.extensions import db
from quiz.security.files import private_database


def insert_for(database: Session | str):
    """INSERT with ON CONFLICT for a session's database or a dialect's name: PostgreSQL's, else SQLite's."""
    name = database if isinstance(database, str) else database.get_bind().dialect.name
    return postgresql_insert if name == "postgresql" else sqlite_insert


def init_app(app: Flask) -> None:
    """Make SQLite safe for several writers (WAL, busy timeout, foreign keys); make its file, owner-only."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    timeout = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])

    def on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {timeout}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    with app.app_context():  # builds the engine object; it connects only when used
        event.listen(db.engine, "connect", on_connect)
        database = db.engine.url.database
        if database and database != ":memory:":
            path = Path(database)

            # SQLite creates a missing file but not a missing folder, such as the
            # instance folder when the secret key comes from the environment; and
            # it would make the file readable by everyone. Both are made here, on
            # first connect, so that create_app itself stays free of I/O.
            def make_private_file(*_args) -> None:
                private_database(path)

            event.listen(db.engine, "do_connect", make_private_file)
