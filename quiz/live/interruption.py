"""A database fault as this process saw it, and the grace it gives the questions whose time ran out inside it.

A phone whose answer met a 503 sends it again (``static/live-answer.js``), so an
answer given in time arrives late when the database failed as the deadline
came: PostgreSQL restarting, SQLite locked past its budget, read-only or
full. Nothing could close the question meanwhile either, since closing
writes. So each process keeps the moment it first saw the database fail
(every 503 of the app says so through ``quiz.errors.database_unavailable``,
and the watcher's polls note their own), and once the database works again
the first thing it does, before it judges an answer or closes a question, is
the rule a restart applies (``quiz.live.outages``): every open question whose
deadline fell after that moment, less a margin, or falls within the grace,
closes ``outages.WORKER_GRACE_SECONDS`` from then instead. What a player
gains is the fault and that grace, the same for the whole room; the reveal
still comes only after it. In a live class every process has streams open
and so a watcher polling four times a second: each of them sees the fault.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from quiz.clock import now_for
from quiz.extensions import db
from quiz.live import outages

REACH = timedelta(seconds=1)  # before the first failure seen: an answer's request already on its way
_create_lock = threading.Lock()


class Interruption:
    """When this process first saw the database fail, until a grace has been given for it."""

    def __init__(self) -> None:
        self._since: datetime | None = None
        self._lock = threading.Lock()
        self._mending = threading.Lock()  # one request gives the grace; the others wait for it, then go on

    @property
    def since(self) -> datetime | None:
        """The first failure not yet mended (None when the database has served since)."""
        return self._since

    def failed(self, at: datetime) -> None:
        """Note a failure of the database at ``at``."""
        with self._lock:
            if self._since is None or at < self._since:
                self._since = at

    def mend(self, app: Flask) -> list[int]:
        """If a failure is pending, give the questions it caught their grace and commit: their session ids.

        Raises what the database raises if it still fails; the failure then
        stays pending for the next try.
        """
        if self._since is None:
            return []
        db.session.connection()  # before the lock: who holds it never waits for the pool (see Snapshots)
        with self._mending:
            since = self._since
            if since is None:  # another request mended it while this one waited
                return []
            try:
                extended = outages.extend_open_questions(db.session(), since - REACH, now_for(app),
                                                         outages.WORKER_GRACE_SECONDS)
                db.session.commit()
            except SQLAlchemyError:
                db.session.rollback()
                raise
            with self._lock:
                if self._since == since:  # a failure noted meanwhile is newer: it stays for the next turn
                    self._since = None
            if extended:
                app.logger.warning("the database failed from %s: the questions of sessions %s get %.0f s",
                                   since.isoformat(), extended, outages.WORKER_GRACE_SECONDS)
            return extended


def interruption_for(app: Flask) -> Interruption:
    """This process's record of database failures for ``app``, made on first use."""
    with _create_lock:
        found = app.extensions.get("live_interruption")
        if found is None:
            found = app.extensions["live_interruption"] = Interruption()
        return found


def noted(app: Flask, **_extra: object) -> None:
    """Receive ``database_unavailable``: remember when the database failed ``app``."""
    interruption_for(app).failed(now_for(app))
