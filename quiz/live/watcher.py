"""One watcher per process: it notices changes to running sessions and wakes the event streams.

Every open event stream waits on a condition of the watcher's for its own
session, never on the database, so a change wakes only the streams of the
session that changed; the watcher alone reads, with one query every
``LIVE_WATCH_INTERVAL`` seconds on a connection it returns to the pool at
once. What it compares is a session's *signature*: its version (every phase
change) plus its player count and the answers to the current question, which
change without a new version but still redraw the presenter's screen (phones
wait for versions only). On a new version it has the session's snapshot built
before it wakes anyone, so a thousand streams share one read; and it closes a
question whose time (and grace) is up, so play moves on with nobody's page open. The
thread runs only while streams are open, and starts again with the next one.

It also keeps count of the open streams, in all and per viewer (a player, or
a session's host), so that a flood of streams is refused (the pages poll
instead) rather than filling the process; and when the process stops it
wakes every stream to end it, so none holds the shutdown up.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from quiz.clock import now_for
from quiz.errors import TRANSIENT
from quiz.extensions import db
from quiz.live import service, snapshot
from quiz.live import state as machine
from quiz.live.interruption import interruption_for
from quiz.live.models import LiveAnswer, LivePlayer, LiveSession

Signature = tuple[int, int, int]  # version, players in the room, answers to the current question
Deadlines = dict[int, datetime]  # open questions' deadlines, by session
Viewer = tuple[int, object]  # (session id, player id or "host"): whose screen a stream feeds
STREAMS_PER_VIEWER = 2  # a phone and a second tab; a third of the same player's polls instead
_create_lock = threading.Lock()
log = logging.getLogger(__name__)


def signatures(connection: Connection, session_id: int | None = None,
               deadlines: Deadlines | None = None) -> dict[int, Signature]:
    """The signature of every running session (or of just one), in a single query.

    ``deadlines``, if given, receives the deadline of every open question.
    """
    players = (select(func.count(LivePlayer.id))
               .where(LivePlayer.session_id == LiveSession.id, LivePlayer.kicked.is_(False))
               .correlate(LiveSession).scalar_subquery())
    answers = (select(func.count(LiveAnswer.id))
               .where(LiveAnswer.session_id == LiveSession.id,
                      LiveAnswer.question_index == LiveSession.question_index)
               .correlate(LiveSession).scalar_subquery())
    query = select(LiveSession.id, LiveSession.version, players, answers, LiveSession.phase,
                   LiveSession.deadline).where(LiveSession.finished_at.is_(None))
    if session_id is not None:
        query = query.where(LiveSession.id == session_id)
    found = {}
    for row in connection.execute(query):
        found[row[0]] = (row[1], row[2], row[3])
        if deadlines is not None and row[4] == machine.QUESTION and row[5] is not None:
            deadlines[row[0]] = row[5]
    return found


class Watcher:
    """Polls the running sessions' signatures and wakes the streams whose session changed."""

    def __init__(self, read: Callable[[Deadlines], dict[int, Signature]], interval: float = 0.25,
                 prepare: Callable[[int, int], object] | None = None,
                 close_due: Callable[[Deadlines, set[int]], object] | None = None):
        self._read = read
        self.interval = interval
        self._prepare = prepare
        self._close_due = close_due
        self._lock = threading.Lock()
        # Two conditions per session on one lock: a count changing wakes that session's presenter, not
        # its thousand phones, and a change in one room wakes nobody in the others, so a poll's cost
        # follows the streams of the sessions that moved, not every stream of the process.
        self._changes: dict[int, threading.Condition] = {}  # any part of a signature
        self._versions: dict[int, threading.Condition] = {}  # a new version, a session starting or ending
        self._waiters: dict[tuple[bool, int], int] = {}  # (versions only, session id) -> streams waiting
        self._seen: dict[int, Signature] = {}
        self._checks = 0
        self._streams = 0
        self._viewers: dict[Viewer, int] = {}
        self._stopping = False
        self._drain_began, self._spread = 0.0, 0.0
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    @property
    def streams(self) -> int:
        """How many event streams are open in this process."""
        return self._streams

    @property
    def stopping(self) -> bool:
        """Whether the process is shutting down: open streams end, new ones are not held."""
        return self._stopping

    def known(self, session_id: int) -> Signature | None:
        """The session's signature as the last check read it (None if that check did not find it)."""
        return self._seen.get(session_id)

    def check_once(self) -> set[int]:
        """Read every running session's signature; wake the waiters; return the ids that changed or ended.

        Before the wake-up, a session with a new version gets its snapshot
        built; afterwards, questions past their deadline are closed (the next
        check reports that), and so are questions everyone has answered.
        """
        deadlines: Deadlines = {}
        current = self._read(deadlines)
        if self._prepare is not None:
            for sid, sig in current.items():
                seen = self._seen.get(sid)
                if seen is None or seen[0] != sig[0]:
                    self._prepare(sid, sig[0])
        with self._lock:
            changed = {sid for sid, sig in current.items() if self._seen.get(sid) != sig}
            changed |= set(self._seen) - set(current)  # finished (or deleted) since the last check
            moved_on = {sid for sid in changed
                        if self._seen.get(sid, (None,))[0] != current.get(sid, (None,))[0]}
            # A stream waiting for a session no check has found yet learns of every check that misses it.
            moved_on |= set(self._versions) - set(current)
            self._seen = current
            self._checks += 1
            for sid in changed | moved_on:
                self._notify(self._changes, sid)
            for sid in moved_on:
                self._notify(self._versions, sid)
        if deadlines and self._close_due is not None:
            everyone = {sid for sid in deadlines if 0 < current[sid][1] <= current[sid][2]}
            self._close_due(deadlines, everyone)
        return changed

    def wait(self, session_id: int, seen: Signature | None, timeout: float,
             versions_only: bool = False, leave_at: float | None = None) -> Signature | None:
        """Block until the session's signature differs from ``seen`` or ``timeout`` passes.

        With ``versions_only`` only a new version counts (a phone does not
        redraw for a count). Returns the signature now known, ``seen`` on a
        timeout or once the process is stopping (with ``leave_at``, a
        ``time.monotonic()`` moment: once stopping and that moment has come),
        or None once a check no longer finds the session running.
        """
        conditions = self._versions if versions_only else self._changes

        def leaving() -> bool:
            return self._stopping and (leave_at is None or time.monotonic() >= leave_at)

        with self._lock:
            start = self._checks
            condition = conditions.get(session_id)
            if condition is None:
                condition = conditions[session_id] = threading.Condition(self._lock)
            key = (versions_only, session_id)
            self._waiters[key] = self._waiters.get(key, 0) + 1

            def moved() -> bool:
                if leaving():
                    return True
                if session_id in self._seen:
                    now = self._seen[session_id]
                    if versions_only and seen is not None:
                        return now[0] != seen[0]
                    return now != seen
                # A session made after the last check is not "gone" until a later check misses it.
                return self._checks > start

            try:
                if not condition.wait_for(moved, timeout) or leaving():
                    return seen
                return self._seen.get(session_id)
            finally:
                self._waiters[key] -= 1
                if not self._waiters[key]:  # the session's last waiter of this kind: forget its condition
                    del self._waiters[key], conditions[session_id]

    @staticmethod
    def _notify(conditions: dict[int, threading.Condition], session_id: int) -> None:
        condition = conditions.get(session_id)
        if condition is not None:
            condition.notify_all()

    def open_stream(self, limit: int | None = None, viewer: Viewer | None = None) -> bool:
        """Count a stream in; make sure the thread runs. False, and nothing counted, when it may not open:

        ``limit`` streams are open in the process already, the viewer has
        ``STREAMS_PER_VIEWER`` open, or the process is stopping.
        """
        with self._lock:
            if self._stopping or (limit is not None and self._streams >= limit):
                return False
            if viewer is not None:
                if self._viewers.get(viewer, 0) >= STREAMS_PER_VIEWER:
                    return False
                self._viewers[viewer] = self._viewers.get(viewer, 0) + 1
            self._streams += 1
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(target=self._run, name="live-watcher", daemon=True)
                self._thread.start()
        return True

    def close_stream(self, viewer: Viewer | None = None) -> None:
        """Count a stream out; the thread stops at its next turn when none is left."""
        with self._lock:
            self._streams = max(0, self._streams - 1)
            if viewer is not None:
                left = self._viewers.pop(viewer, 0) - 1
                if left > 0:
                    self._viewers[viewer] = left

    def leave_at(self, share: float) -> float:
        """When a stream with this ``share`` (0 to 1) of the drain's spread ends (``time.monotonic()``)."""
        return self._drain_began + share * self._spread

    def drain(self, spread: float = 0.0) -> None:
        """The process is stopping: wake every stream so that it ends, and hold no new one.

        With a ``spread`` (other processes serve), each stream ends at its own
        moment within that many seconds and follows the session until then,
        so their reconnections reach the others a few at a time.
        """
        with self._lock:
            self._drain_began, self._spread = time.monotonic(), spread
            self._stopping = True
            for condition in (*self._changes.values(), *self._versions.values()):
                condition.notify_all()

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
            with self._lock:
                if self._streams == 0:
                    self._thread = None
                    return


def snapshots_for(app: Flask) -> snapshot.Snapshots:
    """This process's snapshot cache for ``app``, made on first use."""
    with _create_lock:
        found = app.extensions.get("live_snapshots")
        if found is None:
            @contextmanager
            def connect() -> Iterator[Session]:
                with app.app_context():  # its end returns the connection
                    yield db.session()

            found = app.extensions["live_snapshots"] = snapshot.Snapshots(connect)
        return found


def close_due_questions(app: Flask, deadlines: Deadlines, everyone_answered: set[int]) -> None:
    """Close every open question past its deadline and grace, or that everyone answered; a commit each."""
    grace = float(app.config["LIVE_ANSWER_GRACE_SECONDS"])
    with app.app_context():
        extended = set(interruption_for(app).mend(app))  # a database failure's grace comes first
        now = now_for(app)
        for session_id, deadline in deadlines.items():
            if session_id in extended:  # its deadline as read before the grace: the next turn has the new one
                continue
            if deadline + timedelta(seconds=grace) > now and session_id not in everyone_answered:
                continue
            live = db.session.get(LiveSession, session_id)
            if live is not None and service.settle(db.session(), live, now, grace):
                db.session.commit()
            else:
                db.session.rollback()


@contextmanager
def noting_failures(app: Flask) -> Iterator[None]:
    """Note a fault of the database met inside (``quiz.live.interruption``), and raise it on."""
    try:
        yield
    except TRANSIENT:
        interruption_for(app).failed(now_for(app))
        raise


def drain_streams(app: Flask, spread: float = 0.0) -> None:
    """End every event stream of ``app`` here (within ``spread`` seconds), each telling it to reconnect."""
    watcher_for(app).drain(spread)


def watcher_for(app: Flask) -> Watcher:
    """This process's watcher for ``app``, made on first use."""
    snapshots = snapshots_for(app)
    with _create_lock:
        watcher = app.extensions.get("live_watcher")
        if watcher is None:
            def read(deadlines: Deadlines) -> dict[int, Signature]:
                with noting_failures(app), app.app_context(), db.engine.connect() as connection:
                    return signatures(connection, deadlines=deadlines)

            def close_due(deadlines: Deadlines, everyone: set[int]) -> None:
                with noting_failures(app):
                    close_due_questions(app, deadlines, everyone)

            watcher = Watcher(read, float(app.config.get("LIVE_WATCH_INTERVAL", 0.25)),
                              prepare=snapshots.get, close_due=close_due)
            app.extensions["live_watcher"] = watcher
        return watcher
