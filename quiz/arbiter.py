"""Gunicorn's master for ``quiz serve``: reloads that refuse nobody, and the server's record of its outages.

Gunicorn's own reload (SIGHUP) starts the new workers and stops the old ones
at the same moment, so for the second or so the new ones take to load the
app nobody serves: requests wait and streams have nowhere to reconnect. Here
the old workers stop only once every new one has loaded the app and serves
(its first heartbeat), so a reload is a rolling one. A new worker that fails
to load leaves the old ones serving.

The master also keeps the record ``quiz.live.outages`` reads: when this server
began serving and when it stopped, and a worker that died unasked (killed,
crashed, timed out) with the requests it held. The record is written with a
connection opened and closed each time, so no worker inherits one; when the
database cannot take it, the server serves all the same and logs why.

A stop is said again to the workers still there every half second: a worker
forked a moment before the stop has the master's signal handlers until it
sets its own, so the first SIGTERM can reach it unheard, and it would serve
on until the graceful timeout killed it (10 s).
"""

from __future__ import annotations

import os
import signal
import time
from datetime import timedelta

from flask import Flask
from gunicorn.arbiter import Arbiter
from sqlalchemy.exc import SQLAlchemyError

from quiz.clock import now_for
from quiz.extensions import db
from quiz.live import outages
from quiz.workers import HAND_OVER, leave_now

WORKER_LOSS_REACH = timedelta(seconds=1)  # how far back a lost worker's requests may have come in
REPEAT_STOP_SECONDS = 0.25  # how often a stopping master tells the workers still there again


def serves(worker) -> bool:
    """Whether a worker has loaded the app and serves (``quiz.workers``); True for any other worker."""
    check = getattr(worker, "serves", None)
    return check() if check is not None else True


class Record:
    """The master's writes to ``serving_runs`` and the questions' grace, through the command's app."""

    def __init__(self, app: Flask | None, log):
        self.app, self.log = app, log
        self.run_id: int | None = None

    def _write(self, what: str, work):
        if self.app is None:
            return None
        with self.app.app_context():
            try:
                result = work(db.session, now_for(self.app))
                db.session.commit()
                return result
            except SQLAlchemyError as exc:
                db.session.rollback()
                self.log.warning("Could not record %s: %s", what, exc)
                return None
            finally:
                db.session.remove()
                db.engine.dispose()  # nothing open for a forked worker to inherit

    def began(self) -> None:
        """This server serves from now: record it, and give the questions an outage caught their grace."""
        self.run_id = self._write("the start of serving", outages.begin)

    def stopped(self) -> None:
        """This server stops serving now."""
        if self.run_id is not None:
            self._write("the end of serving", lambda session, now: outages.end(session, self.run_id, now))

    def worker_lost(self) -> None:
        """A worker died with the requests it held: the questions closing about now get their grace."""
        self._write("a lost worker", lambda session, now: outages.extend_open_questions(
            session, now - WORKER_LOSS_REACH, now, outages.WORKER_GRACE_SECONDS))


class RollingArbiter(Arbiter):
    """Gunicorn's arbiter with rolling reloads and a record of when the server served."""

    def __init__(self, app, record: Record):
        super().__init__(app)
        self.record = record
        self._asked: set[int] = set()  # workers told to stop (a reload, fewer workers, the server stopping)
        self._stop_said: tuple[int, float] | None = None  # while the master stops: its signal, and when

    def start(self) -> None:
        """Listen, as gunicorn does; then record the start, before any worker serves."""
        super().start()
        self.record.log = self.log
        self.record.began()

    def stop(self, graceful: bool = True) -> None:
        """Record the stop as the port closes, then stop as gunicorn does.

        After an upgrade in place (SIGUSR2) the new master serves the same
        socket: the workers hand their streams over rather than cut them.
        """
        self.record.stopped()
        if graceful and self.reexec_pid and _running(self.reexec_pid):
            for pid in list(self.WORKERS):
                self._hand_over(pid)
        self._stop_said = (signal.SIGTERM if graceful else signal.SIGQUIT, time.monotonic())
        super().stop(graceful)

    def _hand_over(self, pid: int) -> None:
        """Stop a worker whose successors serve: HAND_OVER where it takes it, else SIGTERM."""
        worker = self.WORKERS.get(pid)
        self.kill_worker(pid, HAND_OVER if getattr(worker, "hands_over", False) else signal.SIGTERM)

    def halt(self, reason=None, exit_status: int = 0) -> None:
        """Stop as gunicorn does, then end the process at once: its teardown took a second of CPU."""
        try:
            super().halt(reason, exit_status)
        except SystemExit as leaving:
            code = leaving.code if isinstance(leaving.code, int) else 1 if leaving.code else 0
            leave_now(code, self.log)

    def kill_worker(self, pid: int, sig: int) -> None:
        """Signal a worker, remembering the ones asked to stop."""
        if sig in (signal.SIGTERM, signal.SIGQUIT, signal.SIGINT, HAND_OVER):
            self._asked.add(pid)
        super().kill_worker(pid, sig)

    def reap_workers(self) -> None:
        """Reap the workers that exited, as gunicorn does; one dying unasked is an outage for its requests.

        Gunicorn's reload waits for the old workers to exit, reaping every
        0.1 s: so this is also where they are told to stop, once the new serve.
        """
        before = set(self.WORKERS)
        super().reap_workers()
        gone = before - set(self.WORKERS)
        if gone - self._asked:
            self.record.worker_lost()
        self._asked -= gone
        self._retire_old()
        self._repeat_stop()

    def _repeat_stop(self) -> None:
        """While stopping, signal the workers still there again (a worker ignores a repeat)."""
        if self._stop_said is None:
            return
        sig, said = self._stop_said
        if time.monotonic() - said >= REPEAT_STOP_SECONDS:
            self._stop_said = (sig, time.monotonic())
            self.kill_workers(sig)

    def manage_workers(self) -> None:
        """Keep the number of workers; of too many (a reload), stop the oldest once the newest all serve."""
        if len(self.WORKERS) < self.num_workers:
            self.spawn_workers()
        self._retire_old()

    def _retire_old(self) -> None:
        workers = sorted(self.WORKERS.items(), key=lambda item: item[1].age)
        extra = len(workers) - self.num_workers
        if extra > 0 and all(serves(worker) for _, worker in workers[extra:]):
            for pid, _ in workers[:extra]:
                if pid not in self._asked:
                    self._hand_over(pid)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True
