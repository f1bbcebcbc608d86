"""The state machine of a live session: pure transitions, and a compare-and-set to store one.

Phases run ``lobby`` → ``question`` → ``reveal`` → ``leaderboard`` →
``question`` (the next one) … → ``finished`` (the podium). A question closes
when its deadline passes or every player has answered; nothing needs to be
running for that to happen, because whoever reads the session next notices
and moves it on (``due_to_close``). Every change is written with
``UPDATE ... WHERE version = :seen``: when two processes race to the same
change, exactly one row update succeeds and the other learns it lost.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import update
from sqlalchemy.orm import Session

from quiz.database import changed_rows
from quiz.live.models import LiveSession

LOBBY, QUESTION, REVEAL, LEADERBOARD, FINISHED = "lobby", "question", "reveal", "leaderboard", "finished"
PHASES = (LOBBY, QUESTION, REVEAL, LEADERBOARD, FINISHED)


class InvalidTransition(ValueError):
    """That action does not apply in the session's current phase."""


class SessionRecord(Protocol):
    """What reading a session's state needs: a ``LiveSession``, or a row of the same columns."""

    @property
    def id(self) -> int: ...
    @property
    def phase(self) -> str: ...
    @property
    def question_index(self) -> int: ...
    @property
    def question_ids(self) -> list[int]: ...
    @property
    def settings(self) -> dict[str, Any]: ...
    @property
    def version(self) -> int: ...
    @property
    def question_started_at(self) -> datetime | None: ...
    @property
    def deadline(self) -> datetime | None: ...


@dataclass(frozen=True)
class State:
    """Where a session stands: a plain value that the transitions map to the next one."""

    phase: str
    question_index: int
    question_count: int
    seconds: int
    version: int
    started_at: datetime | None = None
    deadline: datetime | None = None

    @classmethod
    def of(cls, live: SessionRecord) -> State:
        """The state of a stored session."""
        return cls(live.phase, live.question_index, len(live.question_ids),
                   int(live.settings["seconds"]), live.version,
                   live.question_started_at, live.deadline)

    @property
    def is_last(self) -> bool:
        """True on the session's last question."""
        return self.question_index >= self.question_count - 1


def _ask(state: State, index: int, now: datetime) -> State:
    return replace(state, phase=QUESTION, question_index=index, started_at=now,
                   deadline=now + timedelta(seconds=state.seconds), version=state.version + 1)


def start(state: State, now: datetime) -> State:
    """From the lobby to the first question, its clock running from ``now``."""
    if state.phase != LOBBY:
        raise InvalidTransition("The session has started already.")
    if state.question_count == 0:
        raise InvalidTransition("The session has no questions.")
    return _ask(state, 0, now)


def close(state: State, now: datetime) -> State:
    """From a question to its answers revealed (time up, everyone answered, or the host said so)."""
    if state.phase != QUESTION:
        raise InvalidTransition("No question is open.")
    return replace(state, phase=REVEAL, version=state.version + 1)


def next_step(state: State, now: datetime) -> State:
    """Reveal → leaderboard; leaderboard → the next question, or the podium after the last."""
    if state.phase == REVEAL:
        return replace(state, phase=LEADERBOARD, version=state.version + 1)
    if state.phase == LEADERBOARD:
        if state.is_last:
            return finish(state, now)
        return _ask(state, state.question_index + 1, now)
    raise InvalidTransition("Nothing to move on to from here.")


def finish(state: State, now: datetime) -> State:
    """End the session from any phase: straight to the podium."""
    if state.phase == FINISHED:
        raise InvalidTransition("The session is over.")
    return replace(state, phase=FINISHED, deadline=None, version=state.version + 1)


ACTIONS = {"start": start, "close": close, "next": next_step, "finish": finish}


def due_to_close(state: State, now: datetime, answered: int, players: int) -> bool:
    """True when an open question's time is up, or every player in the room has answered."""
    if state.phase != QUESTION:
        return False
    if state.deadline is not None and now >= state.deadline:
        return True
    return players > 0 and answered >= players


def remaining_ms(state: State, now: datetime) -> int:
    """Milliseconds left to answer the open question; 0 when none is open or time is up."""
    return time_left_ms(state.phase, state.deadline, now)


def time_left_ms(phase: str, deadline: datetime | None, now: datetime) -> int:
    """Milliseconds left before ``deadline`` while a question is open in ``phase``; else 0."""
    if phase != QUESTION or deadline is None:
        return 0
    return max(0, int((deadline - now).total_seconds() * 1000))


def compare_and_set(session: Session, live: LiveSession, before: State, after: State,
                    now: datetime) -> bool:
    """Store ``after`` only if the session is still at ``before``'s version; True if this call won.

    The losing side of a race changes nothing; either way ``live`` is
    refreshed on next access, so the caller sees whichever change won.
    """
    values = {"phase": after.phase, "question_index": after.question_index,
              "question_started_at": after.started_at, "deadline": after.deadline,
              "version": after.version}
    if after.phase == FINISHED:
        values["finished_at"] = now
    result = session.execute(
        update(LiveSession)
        .where(LiveSession.id == live.id, LiveSession.version == before.version)
        .values(**values)
        .execution_options(synchronize_session=False))
    session.expire(live)
    return changed_rows(result) == 1
