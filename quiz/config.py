"""Configuration: defaults here, then ``instance/config.py``, then ``QUIZ_*`` variables."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Defaults:
    """Settings every app starts from."""

    CONTENT_DIR = str(PROJECT_ROOT / "content")
    SQLALCHEMY_DATABASE_URI: str | None = None  # None: a SQLite file in the instance folder
    # Long enough that a burst of writers waits its turn rather than failing.
    SQLITE_BUSY_TIMEOUT_MS = 15000
    # How long a web import waits for a sync or another import to finish before it says one is running.
    CONTENT_LOCK_WAIT_SECONDS = 5.0
    # The most questions one import (web or `quiz import`) may bring; a larger file is refused at once.
    IMPORT_MAX_QUESTIONS = 5000
    PERMANENT_SESSION_LIFETIME = timedelta(days=14)
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Off so the plain-HTTP development server works. Production behind HTTPS sets
    # QUIZ_SESSION_COOKIE_SECURE=true and QUIZ_REMEMBER_COOKIE_SECURE=true, so that neither
    # cookie is ever sent over plain HTTP.
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session that holds it
    # A function returning the current UTC time, for the flashcard pages; None is the real clock.
    # Tests set a fixed one, so that what is due never depends on when they run.
    CLOCK = None
    # Live sessions' event streams: how often each process's watcher reads the running
    # sessions (seconds), the comment sent to keep an idle stream open, how long one stream
    # lasts before the browser reconnects, and how many may be open at once in one process
    # (None: no limit). Each open stream holds a server thread while it lasts.
    LIVE_WATCH_INTERVAL = 0.25
    LIVE_HEARTBEAT_SECONDS = 15
    LIVE_STREAM_SECONDS = 300
    LIVE_MAX_STREAMS: int | None = None
    # For tests/bench only: adds POST /_bench/insert, a bare one-row insert with no CSRF check.
    # Never turn it on in production.
    BENCH_ENDPOINTS = False


def secret_key(instance_path: Path) -> str:
    """The key in ``instance/secret_key``, made once (owner-only) if it is not there yet."""
    path = instance_path / "secret_key"
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    return key
