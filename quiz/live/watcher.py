"""One watcher per process: it notices changes to running sessions and wakes the event streams.

Every open event stream waits on the watcher's condition, never on the
database; the watcher alone reads, with one query every
``LIVE_WATCH_INTERVAL`` seconds on a connection it returns to the pool at
once. What it compares is a session's *signature*: its version (every phase
change) plus its player count and the answers to the current question, which
change without a new version but still redraw the screens. The thread runs
only while streams are open, and starts again with the next one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from quiz.extensions import db
from quiz.live.models import LiveAnswer, LivePlayer, LiveSession

Signature = tuple[int, int, int]  # version, players in the room, answers to the current question
_create_lock = threading.Lock()
log = logging.getLogger(__name__)


def signatures(connection: Connection, session_id: int | None = None) -> dict[int, Signature]:
    """The signature of every running session (or of just one), in a single query."""
    players = (select(func.count(LivePlayer.id))
               .where(LivePlayer.session_id == LiveSession.id, LivePlayer.kicked.is_(False))
               .correlate(LiveSession).scalar_subquery())
    answers = (select(func.count(LiveAnswer.id))
               .where(LiveAnswer.session_id == LiveSession.id,
                      LiveAnswer.question_index == LiveSession.question_index)
               .correlate(LiveSession).scalar_subquery())
    query = select(LiveSession.id, LiveSession.version, players, answers).where(
        LiveSession.finished_at.is_(None))
    if session_id is not None:
        query = query.where(LiveSession.id == session_id)
    return {row[0]: (row[1], row[2], row[3]) for row in connection.execute(query)}


class Watcher:
    """Polls the running sessions' signatures and wakes the streams whose session changed."""

    def __init__(self, read: Callable[[], dict[int, Signature]], interval: float = 0.25,
                 clock: Callable[[], float] = time.monotonic):
        self._read = read
        self.interval = interval
        self.clock = clock
        self._condition = threading.Condition()
        self._seen: dict[int, Signature] = {}
        self._checks = 0
        self._streams = 0
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    @property
    def streams(self) -> int:
        """How many event streams are open in this process."""
        return self._streams

    def check_once(self) -> set[int]:
        """Read every running session's signature; wake the waiters; return the ids that changed or ended."""
        current = self._read()
        with self._condition:
            changed = {sid for sid, sig in current.items() if self._seen.get(sid) != sig}
            changed |= set(self._seen) - set(current)  # finished (or deleted) since the last check
            self._seen = current
            self._checks += 1
            self._condition.notify_all()
        return changed

    def wait(self, session_id: int, seen: Signature | None, timeout: float) -> Signature | None:
        """Block until the session's signature differs from ``seen`` or ``timeout`` passes.

        Returns the signature now known, ``seen`` on a timeout, or None once a
        check no longer finds the session running (it finished).
        """
        with self._condition:
            start = self._checks

            def moved() -> bool:
                if session_id in self._seen:
                    return self._seen[session_id] != seen
                # A session made after the last check is not "gone" until a later check misses it.
                return self._checks > start

            if not self._condition.wait_for(moved, timeout):
                return seen
            return self._seen.get(session_id)

    def open_stream(self, limit: int | None = None) -> bool:
        """Count a stream in unless ``limit`` are open already (False); make sure the thread runs."""
        with self._condition:
            if limit is not None and self._streams >= limit:
                return False
            self._streams += 1
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(target=self._run, name="live-watcher", daemon=True)
                self._thread.start()
        return True

    def close_stream(self) -> None:
        """Count a stream out; the thread stops at its next turn when none is left."""
        with self._condition:
            self._streams = max(0, self._streams - 1)

    def stop(self) -> None:
        """Stop the thread now (tests, shutdown)."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.check_once()
            except Exception:  # a database hiccup must not kill the thread: log it, retry next turn
                log.exception("live watcher: reading the sessions failed")
            if self._stop.wait(self.interval):
                return
            with self._condition:
                if self._streams == 0:
                    self._thread = None
                    return


def watcher_for(app: Flask) -> Watcher:
    """This process's watcher for ``app``, made on first use."""
    with _create_lock:
        watcher = app.extensions.get("live_watcher")
        if watcher is None:
            def read() -> dict[int, Signature]:
                with app.app_context(), db.engine.connect() as connection:
                    return signatures(connection)

            watcher = Watcher(read, float(app.config.get("LIVE_WATCH_INTERVAL", 0.25)))
            app.extensions["live_watcher"] = watcher
        return watcher
