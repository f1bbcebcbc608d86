"""Database engine settings that every connection needs."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event

from quiz.extensions import db


def init_app(app: Flask) -> None:
    """Make SQLite safe for several writers: WAL, a busy timeout, foreign keys."""
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
