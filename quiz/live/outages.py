"""When the server was down, by its own record, and the grace that gives a live question.

A phone that cannot reach the server sends its answer again until it can
(``static/live-answer.js``), so an answer given in time arrives after the deadline
when the server was down as the deadline came. The server cannot tell that
answer from one given late, but it knows when it was down: every ``quiz
serve`` records in ``serving_runs`` when it began serving and when it
stopped, and its master (``quiz.arbiter``) applies the rule below before any
of its workers serves, and again when a worker dies unasked.

The rule: a question still open whose deadline has passed, or comes within
the grace, closes ``grace`` seconds from now instead. It applies only after
an outage: a server starting when no other server runs (its last stop, or a
crashed run's start, bounds which deadlines count), or a worker dying with
the requests it held. It cannot be used to answer after seeing the answer:
the reveal comes only when the question closes, and the question closes
only when the grace is over, after which answers are refused as late, as
always. What a player gains is the outage and the grace (a few seconds, the
same for the whole room), and an answer in that time scores as one at the
deadline (``quiz.live.scoring``: a right answer past the limit earns the
least). A question that closed before the outage stays closed.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from sqlalchemy import Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from quiz.extensions import Model
from quiz.live import state as machine
from quiz.live.models import LiveSession
from quiz.timestamps import UtcDateTime

START_GRACE_SECONDS = 5.0  # workers loading (up to ~2 s on a busy machine) and then an answer's retry pause
WORKER_GRACE_SECONDS = 3.0  # the other workers serve at once: an answer's longest retry pause (2.5 s)


class ServingRun(Model):
    """One ``quiz serve`` master's time serving: from its start until it stopped (None while it runs)."""

    __tablename__ = "serving_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    stopped_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


def _alive(run: ServingRun) -> bool:
    """Whether a run without a stop still serves: on this host its process must exist."""
    if run.host != socket.gethostname():
        return True  # another machine's server: take its word that it runs
    try:
        os.kill(run.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return run.pid != os.getpid()


def outage_began(session: Session, now: datetime) -> datetime | None:
    """When the outage that a server starting ``now`` ends began; None if another server runs (no outage).

    A run that crashed recorded no stop: its start bounds the outage instead.
    None too on the first start ever, when there is nothing to have missed.
    """
    runs = session.scalars(select(ServingRun)).all()
    if any(run.stopped_at is None and _alive(run) for run in runs):
        return None
    ends = [run.stopped_at or run.started_at for run in runs]
    return max(ends) if ends else None


def begin(session: Session, now: datetime) -> int:
    """Record this process's start of serving; give the questions the outage caught their grace."""
    began = outage_began(session, now)
    if began is not None:
        extend_open_questions(session, began, now, START_GRACE_SECONDS)
    run = ServingRun(host=socket.gethostname(), pid=os.getpid(), started_at=now)
    session.add(run)
    session.flush()
    return run.id


def end(session: Session, run_id: int, now: datetime) -> None:
    """Record that the run stopped serving ``now``."""
    run = session.get(ServingRun, run_id)
    if run is not None:
        run.stopped_at = now
        session.flush()


def extend_open_questions(session: Session, since: datetime, now: datetime, grace: float) -> list[int]:
    """Give every open question whose deadline is after ``since`` and before ``now + grace`` that deadline.

    Returns the ids of the sessions whose question was extended.
    """
    until = now + timedelta(seconds=grace)
    extended = []
    for live in session.scalars(select(LiveSession).where(
            LiveSession.phase == machine.QUESTION, LiveSession.finished_at.is_(None),
            LiveSession.deadline.is_not(None))):
        deadline = live.deadline
        if deadline is not None and since <= deadline < until:
            live.deadline = until
            extended.append(live.id)
    session.flush()
    return extended
