"""Running a live session: join and rejoin, kick, move on, and take answers once (opening: ``opening``).

Every function takes plain values, a database session and ``now`` (a UTC
instant from the caller's clock, so tests fix it); none reads the request.
Functions flush; the caller commits. What the screens show is read in
``quiz.live.results``.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from typing import Any, NamedTuple, Protocol, cast

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from quiz.attempts.recording import answer_row
from quiz.database import changed_rows, insert_for
from quiz.grading import grade
from quiz.live import scoring, writer
from quiz.live import state as machine
from quiz.live.models import (
    NICKNAME_KEY_LENGTH,
    NICKNAME_SKELETON_LENGTH,
    LiveAnswer,
    LivePlayer,
    LiveSession,
)
from quiz.models import Attempt, Question
from quiz.security.lookalikes import skeleton

NICKNAME_MAX = 20
# The folded keys' columns: case folding and NFKC may make one character several ("ﬃ" is "ffi").
KEY_MAX, SKELETON_MAX = NICKNAME_KEY_LENGTH, NICKNAME_SKELETON_LENGTH


class LiveError(ValueError):
    """A live-session request that cannot be met; the message says why."""


class NicknameTaken(LiveError):
    """Someone in this session already plays under that nickname."""


class TooLate(LiveError):
    """The answer came after the question's deadline, so it does not count."""


class QuestionClosed(LiveError):
    """That question is not open for answers (closed early, or not the current one)."""


class StaleAction(LiveError):
    """A host's action made on a screen the session has moved on from since."""


# The reads of every player's request, built once with bound parameters: building a statement
# costs more than running it, and these run for every answer, poll and stream of a hall.
_BY_PIN = (select(LiveSession).where(LiveSession.pin == bindparam("pin"))
           .order_by(LiveSession.finished_at.is_not(None), LiveSession.id.desc()).limit(1))
_PLAYER = select(LivePlayer).where(LivePlayer.session_id == bindparam("session_id"),
                                   LivePlayer.token == bindparam("token"), LivePlayer.kicked.is_(False))
_SEAT = (select(LiveSession.id, LiveSession.phase, LiveSession.question_index, LiveSession.question_ids,
                LiveSession.settings, LiveSession.version, LiveSession.question_started_at,
                LiveSession.deadline, LivePlayer.id.label("player_id"), LivePlayer.streak,
                LivePlayer.attempt_id, LivePlayer.user_id)
         .join(LivePlayer, LivePlayer.session_id == LiveSession.id)
         .where(LiveSession.pin == bindparam("pin"), LivePlayer.kicked.is_(False),
                LivePlayer.token.in_(bindparam("tokens", expanding=True)))
         .order_by(LiveSession.finished_at.is_not(None), LiveSession.id.desc()).limit(1))
_ANSWER_OF = select(LiveAnswer).where(LiveAnswer.player_id == bindparam("player_id"),
                                      LiveAnswer.question_index == bindparam("index"))
_IN_ROOM = (select(func.count()).select_from(LivePlayer)
            .where(LivePlayer.session_id == bindparam("session_id"), LivePlayer.kicked.is_(False)))
_ROOM = select(_IN_ROOM.scalar_subquery(), (
    select(func.count()).select_from(LiveAnswer).join(LivePlayer)
    .where(LiveAnswer.session_id == bindparam("session_id"), LiveAnswer.question_index == bindparam("index"),
           LivePlayer.kicked.is_(False)).scalar_subquery()))


def by_pin(session: Session, pin: str) -> LiveSession | None:
    """The running session with this PIN, else the latest finished one that had it."""
    return session.scalar(_BY_PIN, {"pin": pin})


def clean_nickname(nickname: str) -> str:
    """The nickname with its spaces tidied; LiveError if empty, too long or holding control characters."""
    name = re.sub(r"\s+", " ", nickname or "").strip()
    if not name:
        raise LiveError("Choose a nickname.")
    if len(name) > NICKNAME_MAX or len(name.casefold()) > KEY_MAX or len(skeleton(name)) > SKELETON_MAX:
        raise LiveError(f"A nickname has at most {NICKNAME_MAX} characters.")
    if any(not ch.isprintable() for ch in name):
        raise LiveError("A nickname cannot hold control characters.")
    return name


def join(session: Session, live: LiveSession, nickname: str, user_id: int | None,
         now: datetime) -> LivePlayer:
    """Add a player (also while the session runs); NicknameTaken if the name is in use here.

    The unique (session, folded nickname) and (session, look-alike key)
    constraints settle two people joining under one name, or under names that
    look the same, at once: the second insert is skipped and refused.
    """
    if live.phase == machine.FINISHED:
        raise LiveError("This session is over.")
    if live.locked:
        raise LiveError("The instructor has locked this session: nobody new can join now.")
    name = clean_nickname(nickname)
    token = secrets.token_urlsafe(32)
    # RETURNING says whether the row went in on every database (an INSERT's rowcount may not).
    player: LivePlayer | None = session.scalar(insert_for(session)(LivePlayer).values(
        session_id=live.id, token=token, nickname=name, nickname_key=name.casefold(),
        nickname_skeleton=skeleton(name), user_id=user_id, score=0, streak=0, kicked=False, joined_at=now,
    ).on_conflict_do_nothing().returning(LivePlayer))  # either name constraint: taken
    if player is None:
        raise NicknameTaken(f"Someone here is already called {name}, or something that looks just like it. "
                            "Choose another nickname.")
    if user_id is not None:  # their answers also count in their own progress and flashcards
        attempt = Attempt(user_id=user_id, question_ids=list(live.question_ids),
                          layout=dict(live.layout),
                          settings={"mode": "live", "live_session": live.id})
        session.add(attempt)
        session.flush()
        player.attempt_id = attempt.id
    session.flush()
    return player


def player_for(session: Session, live: LiveSession, token: str | None) -> LivePlayer | None:
    """The player this token belongs to in this session, unless kicked."""
    if not token:
        return None
    return session.scalar(_PLAYER, {"session_id": live.id, "token": token})


def newest_players(session: Session, live: LiveSession, limit: int) -> list[LivePlayer]:
    """The players who joined last (the kicked left out), newest first."""
    return list(session.scalars(select(LivePlayer).where(
        LivePlayer.session_id == live.id, LivePlayer.kicked.is_(False))
        .order_by(LivePlayer.id.desc()).limit(limit)))


def active_players(session: Session, live: LiveSession) -> int:
    """How many players are in the room (the kicked are not)."""
    return session.execute(_IN_ROOM, {"session_id": live.id}).scalar_one()


def room(session: Session, live: LiveSession) -> tuple[int, int]:
    """Players in the room and how many of them answered the current question, in one statement."""
    return tuple(session.execute(_ROOM, {"session_id": live.id, "index": live.question_index}).one())


def lock(session: Session, live: LiveSession, locked: bool) -> None:
    """Stop (or again allow) new players joining; players already in, and their rejoins, are unaffected."""
    session.execute(update(LiveSession).where(LiveSession.id == live.id).values(locked=locked)
                    .execution_options(synchronize_session=False))
    session.expire(live, ["locked"])


def kick(session: Session, live: LiveSession, player_id: int, now: datetime) -> None:
    """Remove a player: their token stops working; the question closes if everyone else answered.

    The session's version moves on, phase unchanged, so that every process
    builds a snapshot that knows and the removed phone hears it at once (a
    phone's stream wakes for new versions only).
    """
    removed = session.execute(update(LivePlayer).where(
        LivePlayer.id == player_id, LivePlayer.session_id == live.id, LivePlayer.kicked.is_(False))
        .values(kicked=True))
    if changed_rows(removed):
        session.execute(update(LiveSession).where(LiveSession.id == live.id)
                        .values(version=LiveSession.version + 1).execution_options(synchronize_session=False))
        session.expire(live)
    session.flush()
    settle(session, live, now)


def act(session: Session, live: LiveSession, action: str, now: datetime, version: int | None = None) -> bool:
    """Apply a host's action (start, close, next, finish); False when another request changed it first.

    ``version`` is the one the host's screen showed: an action made at any
    other raises StaleAction and changes nothing, so two presses of "next"
    from the reveal move on once (to the leaderboard), not twice. Ending is
    the exception: the host confirmed it, and it skips nothing they meant to
    show, so it applies to whatever screen the session has reached meanwhile.
    """
    if action not in machine.ACTIONS:
        raise LiveError(f"Unknown action {action!r}.")
    before = machine.State.of(live)
    if version is not None and version != before.version and action != "finish":
        raise StaleAction("The session had already moved on from that screen, so nothing was changed. "
                          "This is where it stands now.")
    try:
        after = machine.ACTIONS[action](before, now)
    except machine.InvalidTransition as exc:
        raise LiveError(str(exc)) from None
    if not machine.compare_and_set(session, live, before, after, now):
        return False
    if before.phase == machine.QUESTION:  # closed, or ended mid-question: its answers count now
        _tally(session, live.id, before.question_index)
    if after.phase == machine.FINISHED:
        attempts = select(LivePlayer.attempt_id).where(
            LivePlayer.session_id == live.id, LivePlayer.attempt_id.is_not(None))
        session.execute(update(Attempt).where(Attempt.id.in_(attempts), Attempt.finished_at.is_(None))
                        .values(finished_at=now).execution_options(synchronize_session=False))
    session.flush()
    return True


def _tally(session: Session, session_id: int, index: int) -> None:
    """Add each player's points for question ``index`` and set their streak, in one statement.

    Scores move once, when the question closes, rather than with every
    answer: a hall's answers then cost one insert each. No answer counts as
    a wrong one and ends the streak.
    """
    mine = (LiveAnswer.player_id == LivePlayer.id, LiveAnswer.question_index == index)
    points = select(LiveAnswer.points).where(*mine).scalar_subquery()
    streak = select(LiveAnswer.streak).where(*mine).scalar_subquery()
    session.execute(update(LivePlayer).where(LivePlayer.session_id == session_id)
                    .values(score=LivePlayer.score + func.coalesce(points, 0),
                            streak=func.coalesce(streak, 0))
                    .execution_options(synchronize_session=False))


def settle(session: Session, live: LiveSession, now: datetime, grace: float = 0.0) -> bool:
    """Close the open question if its time is up or everyone answered; True if this call closed it.

    Called on every read, so a question nobody answers moves on even with no
    host watching; of two processes doing this at once, one wins the
    compare-and-set and the other simply sees the result. Time is up
    ``grace`` seconds after the deadline, so that answers which reached the
    server in time and still wait inside it are written before the tally.
    """
    current = machine.State.of(live)
    if current.phase != machine.QUESTION:
        return False
    players, answered = room(session, live)
    if not machine.due_to_close(current, now - timedelta(seconds=grace), answered, players):
        return False
    return act(session, live, "close", now)


def current_question(session: Session, live: LiveSession) -> Question:
    """The question at the session's current index."""
    return session.get_one(Question, live.question_ids[live.question_index])


class PlayerRecord(Protocol):
    """What an answer needs of its player: a ``LivePlayer``, or a ``Seated``."""

    @property
    def id(self) -> int: ...
    @property
    def streak(self) -> int: ...
    @property
    def attempt_id(self) -> int | None: ...
    @property
    def user_id(self) -> int | None: ...


def answer_of(session: Session, player: PlayerRecord, index: int) -> LiveAnswer | None:
    """The player's recorded answer to question ``index``, if any."""
    return session.scalar(_ANSWER_OF, {"player_id": player.id, "index": index})


class Seated(NamedTuple):
    """What an answer needs of its player, as plain values."""

    id: int
    streak: int
    attempt_id: int | None
    user_id: int | None


def seat(session: Session, pin: str, tokens: list[str]) -> tuple[machine.SessionRecord, Seated] | None:
    """The session with this PIN and the player one of this browser's tokens makes of it, in one query.

    Plain values, not mapped objects: an answer reads them once, and a hall's
    answers then cost no object loading. The session's row has the columns
    ``State.of`` and ``entry`` read.
    """
    if not tokens:
        return None
    row = session.execute(_SEAT, {"pin": pin, "tokens": tokens}).first()
    if row is None:
        return None
    return cast(machine.SessionRecord, row), Seated(row.player_id, row.streak, row.attempt_id, row.user_id)


def entry(session: Session, live: machine.SessionRecord, player: PlayerRecord, index: int, response: object,
          now: datetime, data: dict[str, Any] | None = None) -> writer.Entry | int:
    """Check and grade a player's answer to question ``index`` as of ``now``: the rows to write.

    ``now`` is when the answer reached the server, so time spent queueing
    inside it never makes an answer late. ``data`` is the question's content
    when the caller has it at hand (else it is read). Raises TooLate after
    the deadline, QuestionClosed when that question is not the open one, and
    InvalidResponse (from grading) for a forged answer; after the deadline, a
    repeat of an answer recorded in time gets that answer's id instead.
    """
    current = machine.State.of(live)
    if index != current.question_index or current.phase in (machine.LOBBY, machine.FINISHED):
        raise QuestionClosed("That question is not open for answers.")
    if current.phase != machine.QUESTION or (current.deadline is not None and now > current.deadline):
        existing = answer_of(session, player, index)  # a repeat of an answer in time still stands
        if existing is not None:
            return existing.id
        if current.phase != machine.QUESTION:
            raise QuestionClosed("The question was closed before your answer arrived.")
        assert current.deadline is not None  # a question still open past its time has one
        late = (now - current.deadline).total_seconds()
        raise TooLate(f"Time was up {late:.1f} s before your answer arrived, so it was not counted.")
    question_id = live.question_ids[index]
    if data is None:
        data = session.get_one(Question, question_id).data
    marked = grade(data, response)
    assert current.started_at is not None  # an open question has started
    elapsed_ms = max(0, int((now - current.started_at).total_seconds() * 1000))
    base = scoring.POINTS[live.settings["points"]]
    speed = scoring.speed_points(marked.correct, elapsed_ms, current.seconds * 1000, base)
    streak = scoring.next_streak(player.streak, marked.correct)
    bonus = scoring.streak_bonus(streak, base) if marked.correct else 0
    row = {"session_id": live.id, "player_id": player.id, "question_index": index,
           "question_id": question_id, "response": {"value": response}, "correct": marked.correct,
           "elapsed_ms": elapsed_ms, "points": speed + bonus, "bonus": bonus, "streak": streak,
           "answered_at": now}
    progress = None
    if player.attempt_id is not None:  # a signed-in learner's answer also counts in their own progress
        progress = answer_row(player.attempt_id, question_id, response, marked, now,
                              has_cards=player.user_id is not None)
    return writer.Entry(row, current.version, progress)


def submit(session: Session, live: LiveSession, player: LivePlayer, index: int, response: object,
           now: datetime, data: dict[str, Any] | None = None) -> int:
    """Grade and record a player's answer to question ``index``, once, in this session's transaction.

    The checks are ``entry``'s. The insert itself checks, in the same
    statement, that the question is still open at the version read, so an
    answer racing the close is either in before the tally or refused. A
    repeat, or the loser of two simultaneous submissions, gets the answer
    already recorded: the unique (player, question index) constraint decides.
    The live answer page writes through the process's group commit instead
    (``quiz.live.writer``), with the same statements.
    """
    found = entry(session, live, player, index, response, now, data)
    if isinstance(found, int):
        return found
    recorded = writer.record(session.connection(), found)
    if recorded is None:
        raise QuestionClosed("The question was closed before your answer arrived.")
    # Whether everyone has answered now is left to the next read or the watcher's next turn: a
    # count per answer would make a hall's answers cost the square of its size.
    session.flush()
    return recorded
