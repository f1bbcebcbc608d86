"""One content change at a time: every sync and every import holds this lock while it runs.

Two syncs at once would both plan from the same database and both insert the
same banks; an import checks that its bank is new, writes the file and syncs.
So each takes the lock first, across every process using the database: on
PostgreSQL a session advisory lock, on SQLite an exclusive ``flock`` on a file
beside the database. Both end with the process that holds them, however it
ends. Waiting is polling with ``time.sleep``, so a gevent worker serves on.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

ADVISORY_KEY = 0x7175697A_636F6E74  # "quizcont": the one lock key this app takes
POLL_SECONDS = 0.05
_IN_MEMORY = threading.Lock()  # an in-memory SQLite database lives in one process only


class ContentBusy(RuntimeError):
    """Another sync or import held the lock for longer than the caller would wait."""

    def __init__(self) -> None:
        super().__init__("a sync or an import of questions is running: try again when it has finished")


def lock_file(engine: Engine) -> Path | None:
    """The file a SQLite database's content lock is taken on (None for an in-memory one)."""
    database = engine.url.database
    if not database or database == ":memory:":
        return None
    path = Path(database)
    return path.with_name(path.name + ".content-lock")


@contextmanager
def content_lock(engine: Engine, wait: float, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the content lock for the block; ContentBusy after ``wait`` seconds without it.

    ``on_wait`` is called once, if the lock is not free at the first try.
    """
    take, release = _postgresql(engine) if engine.dialect.name == "postgresql" else _sqlite(engine)
    deadline = time.monotonic() + wait
    try:
        if not take():
            if on_wait is not None:
                on_wait()
            while not take():
                if time.monotonic() >= deadline:
                    raise ContentBusy()
                time.sleep(POLL_SECONDS)
        yield
    finally:
        release()


def _postgresql(engine: Engine):
    connection = engine.connect()
    held = False

    def take() -> bool:
        nonlocal held
        held = bool(connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}))
        connection.commit()  # a session lock: no transaction stays open while it is held
        return held

    def release() -> None:
        try:
            if held:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
                connection.commit()
        finally:
            connection.close()

    return take, release


def _sqlite(engine: Engine):
    path = lock_file(engine)
    if path is None:
        return _in_memory()
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    held = False

    def take() -> bool:
        nonlocal held
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        held = True
        return True

    def release() -> None:
        if held:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
        os.close(descriptor)

    return take, release


def _in_memory():
    held = False

    def take() -> bool:
        nonlocal held
        held = _IN_MEMORY.acquire(blocking=False)
        return held

    def release() -> None:
        if held:
            _IN_MEMORY.release()

    return take, release
