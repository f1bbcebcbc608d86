"""Self-study quizzes: open an attempt, record its answers once, sum it up.

Every function takes plain values and a database session; none reads the
request. Functions flush; the caller (a view, a command, a test) commits.
Drawing questions and writing answers rows are the shared core's
(``quiz.attempts``), which live play calls too.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, and_, bindparam, func, select, update
from sqlalchemy.orm import Session, selectinload

from quiz.accounts.models import Login
from quiz.attempts.recording import answer_row, record_answer
from quiz.attempts.selection import Selection, draw_questions, layouts
from quiz.content.types import QUESTION_TYPES
from quiz.grading import Grade, InvalidResponse, grade
from quiz.models import Answer, Attempt, Question, utcnow

MAX_QUESTIONS = 50
VISITOR_MAX_QUESTIONS = 5


class StudyError(ValueError):
    """A quiz request that cannot be met; the message says why."""


def start_attempt(session: Session, user_id: int | None, selection: Selection,
                  rng: random.Random, mode: str = "custom", *, now: datetime | None = None) -> Attempt:
    """Draw the questions, fix their shuffled layout, and open an attempt at ``now`` (default: UTC now)."""
    unknown = set(selection.types) - set(QUESTION_TYPES)
    if unknown:
        raise StudyError(f"Unknown question type: {', '.join(sorted(unknown))}.")
    limit = VISITOR_MAX_QUESTIONS if user_id is None else MAX_QUESTIONS
    if not 1 <= selection.count <= limit:
        raise StudyError(f"Choose between 1 and {limit} questions.")
    chosen = draw_questions(session, selection, rng)
    if not chosen:
        raise StudyError("No question matches that choice. Widen it and try again.")
    attempt = Attempt(
        user_id=user_id,
        settings={"mode": mode, "banks": list(selection.banks),
                  "concepts": list(selection.concepts), "types": list(selection.types),
                  "count": selection.count, "shuffle": selection.shuffle},
        question_ids=[q.id for q in chosen],
        layout=layouts(chosen, rng),
        started_at=now or utcnow(),  # the views pass quiz.clock's; the wall clock is for plain callers
    )
    session.add(attempt)
    session.flush()
    return attempt


def owned_attempt(session: Session, attempt_id: int, user_id: int | None,
                  visitor_attempts: list[int]) -> Attempt | None:
    """The attempt if it belongs to this user (or, for a visitor, to this browser)."""
    attempt = session.get(Attempt, attempt_id)
    if attempt is None or not _owns(attempt.user_id, attempt_id, user_id, visitor_attempts):
        return None
    return attempt


def sealed(settings: dict[str, Any] | None, finished_at: datetime | None) -> bool:
    """Whether this is a live session's attempt while the session runs: closed to study pages till it ends.

    Joining a live session signed in makes an attempt of all its questions, so
    that the answers count in the learner's progress; served as a quiz, it
    would show every question, and grade it, before the room sees it.
    """
    return (settings or {}).get("mode") == "live" and finished_at is None


def _owns(owner_id: int | None, attempt_id: int, user_id: int | None,
          visitor_attempts: list[int]) -> bool:
    """Whether the attempt is this user's, or a visitor's made in this browser."""
    if owner_id is not None:
        return owner_id == user_id
    return attempt_id in visitor_attempts


def claim_attempts(session: Session, attempt_ids: list[int], user_id: int) -> int:
    """Give a visitor's attempts to the account they just made or signed in to."""
    claimed = 0
    for attempt in session.scalars(select(Attempt).where(Attempt.id.in_(attempt_ids))):
        if attempt.user_id is None:
            attempt.user_id = user_id
            claimed += 1
    session.flush()
    return claimed


@dataclass(frozen=True)
class Step:
    """One question of an attempt, as a page shows it."""

    attempt: Attempt
    position: int  # 1-based
    question: Question
    answer: Answer | None
    grade: Grade | None

    @property
    def total(self) -> int:
        """How many questions the attempt has."""
        return len(self.attempt.question_ids)

    @property
    def layout(self) -> dict[str, Any]:
        """The shuffled order of this question's parts."""
        layout: dict[str, Any] = self.attempt.layout.get(str(self.question.id), {})
        return layout


def step(session: Session, attempt: Attempt, position: int) -> Step | None:
    """The question at ``position`` (1-based) with its answer, or None if out of range."""
    if not 1 <= position <= len(attempt.question_ids):
        return None
    question_id = attempt.question_ids[position - 1]
    answer = session.scalar(select(Answer).where(
        Answer.attempt_id == attempt.id, Answer.question_id == question_id))
    # Only feedback shows the concepts: an unanswered question (and its POST) skips that query.
    question = session.get_one(Question, question_id,
                               options=[selectinload(Question.concepts)] if answer else [])
    marked = _regrade(question, answer) if answer else None
    return Step(attempt, position, question, answer, marked)


def _regrade(question: Question, answer: Answer) -> Grade:
    """The recorded answer's grade, part by part, against the question as it reads now."""
    try:
        return grade(question.data, answer.response["value"])
    except InvalidResponse:  # edited since (a choice renamed): keep the mark it was given
        expected = QUESTION_TYPES[question.type].answer_text(question.data)
        return Grade(answer.correct, answer.score, expected)


def next_position(session: Session, attempt: Attempt) -> int | None:
    """The first unanswered question's position, or None when all are answered."""
    answered = set(session.scalars(select(Answer.question_id).where(
        Answer.attempt_id == attempt.id)))
    for position, question_id in enumerate(attempt.question_ids, start=1):
        if question_id not in answered:
            return position
    return None


@dataclass(frozen=True)
class Slot:
    """One question of an attempt as recording an answer needs it: plain values, no ORM objects."""

    attempt_id: int
    user_id: int | None
    question_id: int
    question_count: int
    data: dict[str, Any]  # the question as its bank writes it, for grading
    answer_id: int | None  # the answer already recorded, if any
    sealed: bool = False  # a running live session's attempt: not to be answered here (see ``sealed``)

    @property
    def answered(self) -> bool:
        """Whether an answer is recorded already."""
        return self.answer_id is not None


# The statements of the answer path are built once and run with parameters, as Core statements
# on the session's connection: they run on every answer, and building a statement, or the ORM's
# execution layer around one, takes longer than SQLite takes to run it.
_SLOT = (
    select(Attempt.user_id, Attempt.question_ids, Question.id, Question.data, Answer.id, Attempt.settings,
           Attempt.finished_at, Login.user_id)
    .select_from(Attempt)
    # The question ids are a JSON list; past its end the index gives NULL, so no row.
    .join(Question, Question.id == Attempt.question_ids[
        bindparam("index", type_=JSON.JSONIntIndexType())].as_integer())
    .outerjoin(Answer, and_(Answer.attempt_id == Attempt.id, Answer.question_id == Question.id))
    # The request's sign-in, if it is the owner's and has not ended: one probe of a unique index.
    .outerjoin(Login, and_(Login.key == bindparam("login_key"), Login.user_id == Attempt.user_id,
                           Login.expires_at > bindparam("now")))
    .where(Attempt.id == bindparam("attempt_id")))
_attempts, _answers = Attempt.__table__, Answer.__table__
_FINISH = (
    update(_attempts)
    .where(_attempts.c.id == bindparam("attempt_id"), _attempts.c.finished_at.is_(None),
           select(func.count()).select_from(_answers).where(_answers.c.attempt_id == bindparam("attempt_id"))
           .scalar_subquery() >= bindparam("count"))
    .values(finished_at=bindparam("now", type_=_attempts.c.finished_at.type)))


def answer_slot(session: Session, attempt_id: int, position: int, login_key: str | None,
                visitor_attempts: list[int], *, now: datetime | None = None) -> Slot | None:
    """The question at ``position`` (1-based) of an attempt this sign-in or visitor owns, or None.

    One statement reads the attempt, the question, any answer to it and
    whether ``login_key`` names a sign-in of the attempt's owner that still
    holds (logging out ends it): the answer path needs none of the rest
    (layout, concepts, regrading, the account).
    """
    if position < 1:  # a JSON path index cannot be negative
        return None
    row = session.connection().execute(_SLOT, {"attempt_id": attempt_id, "index": position - 1,
                                               "login_key": login_key, "now": now or utcnow()}).first()
    if row is None:
        return None
    owner_id, question_ids, question_id, data, answer_id, settings, finished_at, signed_in_owner = row
    if not _owns(owner_id, attempt_id, signed_in_owner, visitor_attempts):
        return None
    return Slot(attempt_id, owner_id, question_id, len(question_ids), data, answer_id,
                sealed(settings, finished_at))


def submit_answer(session: Session, slot: Slot, response: object, *, now: datetime | None = None) -> int:
    """Grade and record a response, once; the id of the answer recorded (on a repeat, the first).

    Raises InvalidResponse (from grading) for a forged or malformed response.
    The unique (attempt, question) constraint settles a race between two
    submissions: the insert is skipped on conflict (no savepoint, no error,
    nothing committed behind the caller's back) and the loser gets the
    winner's answer. The writes are a few short statements, so the database's
    write lock is held briefly.
    """
    if slot.answer_id is not None:
        return slot.answer_id
    marked = grade(slot.data, response)
    now = now or utcnow()
    connection = session.connection()
    answer_id = record_answer(connection, answer_row(slot.attempt_id, slot.question_id, response, marked, now,
                                                     has_cards=slot.user_id is not None))
    if answer_id is None:  # another request recorded this answer first: theirs stands
        return session.execute(select(Answer.id).where(
            Answer.attempt_id == slot.attempt_id, Answer.question_id == slot.question_id)).scalar_one()
    # One statement after the insert's lock, so two last answers racing cannot both miss the stamp.
    connection.execute(_FINISH, {"attempt_id": slot.attempt_id, "count": slot.question_count, "now": now})
    loaded = session.identity_map.get(session.identity_key(Attempt, slot.attempt_id))
    if loaded is not None:  # whoever holds the attempt reads the stamp afresh
        session.expire(loaded, ["finished_at"])
    return answer_id


@dataclass
class ConceptScore:
    """How one concept went in an attempt."""

    concept_id: str
    term: str
    answered: int = 0
    score: float = 0.0

    @property
    def percent(self) -> int:
        """The share of credit earned, in percent."""
        return round(100 * self.score / self.answered) if self.answered else 0


@dataclass
class Results:
    """The summary of an attempt: score, time, per-concept breakdown and every step."""

    attempt: Attempt
    steps: list[Step]
    per_concept: list[ConceptScore] = field(default_factory=list)

    @property
    def answered(self) -> int:
        """How many questions have an answer."""
        return sum(1 for s in self.steps if s.answer is not None)

    @property
    def score(self) -> float:
        """Credit earned, partial credit included."""
        return sum(s.answer.score for s in self.steps if s.answer is not None)

    @property
    def percent(self) -> int:
        """Credit earned as a share of all questions, in percent."""
        return round(100 * self.score / len(self.steps)) if self.steps else 0

    @property
    def missed(self) -> list[int]:
        """Ids of the questions not answered fully right."""
        return [s.question.id for s in self.steps if s.answer is None or not s.answer.correct]

    @property
    def seconds(self) -> int | None:
        """Time from the start to the last answer."""
        end = self.attempt.finished_at
        if end is None:
            return None
        return int((end - self.attempt.started_at).total_seconds())




def results(session: Session, attempt: Attempt) -> Results:
    """Everything the results page needs, in question order."""
    steps = [step(session, attempt, n) for n in range(1, len(attempt.question_ids) + 1)]
    summary = Results(attempt, [s for s in steps if s is not None])
    by_concept: dict[str, ConceptScore] = {}
    for current in summary.steps:
        for concept in current.question.concepts:
            entry = by_concept.setdefault(concept.id, ConceptScore(concept.id, concept.term))
            entry.answered += 1
            entry.score += current.answer.score if current.answer else 0.0
    summary.per_concept = sorted(by_concept.values(), key=lambda c: (c.percent, c.term))
    return summary
