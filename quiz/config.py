"""Configuration: defaults here, then ``instance/config.py``, then ``QUIZ_*`` variables."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from quiz.security.files import private_folder

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Defaults:
    """Settings every app starts from."""

    CONTENT_DIR = str(PROJECT_ROOT / "content")
    SQLALCHEMY_DATABASE_URI: str | None = None  # None: a SQLite file in the instance folder
    # Long enough that a burst of writers waits its turn rather than failing.
    SQLITE_BUSY_TIMEOUT_MS = 15000
    # Options for the engine. A pooled PostgreSQL connection a database restart left dead is
    # replaced at checkout without a round trip (quiz.pool_checks), so no pre-ping is needed.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
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
    # Strict-Transport-Security is sent when SESSION_COOKIE_SECURE is on; this is its max-age.
    HSTS_SECONDS = 365 * 24 * 3600
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session that holds it
    # A function returning the current UTC time, for the flashcard pages; None is the real clock.
    # Tests set a fixed one, so that what is due never depends on when they run.
    CLOCK = None
    # /readyz reports the server unready when a disk the app writes to (the SQLite file's, the
    # content folder's) has less than this many MiB free.
    READY_MIN_FREE_MB = 64
    # Live sessions' event streams: how often each process's watcher reads the running
    # sessions (seconds), the comment sent to keep an idle stream open, how long one stream
    # lasts before the browser reconnects, and how many may be open at once in one process
    # (None: no limit). Each open stream holds a server thread while it lasts.
    LIVE_WATCH_INTERVAL = 0.25
    LIVE_HEARTBEAT_SECONDS = 15
    LIVE_STREAM_SECONDS = 300
    LIVE_MAX_STREAMS: int | None = None
    # A question stays open this long past its deadline for answers that reached the server in time
    # but still wait inside it (quiz.arrival); answers that arrive after the deadline are refused.
    LIVE_ANSWER_GRACE_SECONDS = 1.0
    LIVE_ANSWER_BATCH_MS = 3  # how long the group commit gathers live answers (quiz.live.writer)
    # The address phones reach the server by, used in join links and QR codes: a scheme, a host and
    # maybe a port, e.g. "http://192.168.1.20:8000" or "https://quiz.example.org". None: the address
    # the presenter page was opened at, or this machine's network address when that was loopback.
    PUBLIC_URL: str | None = None
    # The address the server listens on; `quiz serve --host` sets it. None: not known (`quiz run`),
    # taken as every interface. With PUBLIC_URL it makes TRUSTED_HOSTS, Flask's check of the Host
    # header, unless that is set too (quiz/hosts.py).
    BIND_HOST: str | None = None
    TRUSTED_HOSTS: list[str] | None = None
    # This machine's IPv4 addresses, read once at start (quiz/network.py); tests set their own.
    MACHINE_ADDRESSES: list[str] | None = None
    # Rate limits (quiz/security/limits.py), in Flask-Limiter's notation ("N per minute; M per hour").
    # The counts live in RATELIMIT_STORAGE_URI: memory:// counts in each server process (so with
    # several workers each has its own count); redis://host:6379 or unix:///path/redis.sock shares
    # one count between every process and server. Limits per address count what comes from one
    # address, and a classroom's phones often share one (NAT): set PROXY_COUNT behind a proxy so
    # that the address is the client's, and raise the live limits for a lecture hall.
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_STRATEGY = "moving-window"  # exact: a burst across a minute boundary gets no extra
    RATELIMIT_KEY_PREFIX = "quiz"
    RATELIMIT_HEADERS_ENABLED = False  # only a refusal says when to come back (Retry-After)
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True  # an unreachable store limits per process, never a 500
    RATELIMIT_SIGN_IN = "60 per minute; 600 per hour"  # sign-in forms posted from one address
    RATELIMIT_LOGIN_FAILURES = "10 per 15 minutes"  # wrong passwords for one account from one address
    RATELIMIT_ACCOUNT_FAILURES = "100 per hour"  # wrong passwords for one account, from anywhere
    RATELIMIT_SIGN_UP = "60 per hour"  # sign-up forms posted from one address
    RATELIMIT_SIGN_UP_NAME = "10 per hour"  # sign-up forms naming one account
    RATELIMIT_LIVE_JOIN = "60 per minute"  # live joins from one address: a class behind one NAT
    RATELIMIT_PIN_MISSES = "30 per minute; 300 per hour"  # look-ups by a PIN that matches no session
    RATELIMIT_IMPORT = "10 per minute; 60 per hour"  # imports by one instructor
    # How many reverse proxies stand in front of the app and set X-Forwarded-For and -Proto
    # (0: none; the client's address is the connection's). Only trust as many as there are.
    PROXY_COUNT = 0
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
    private_folder(instance_path)
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    return key
