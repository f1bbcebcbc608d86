"""A learner's progress: mastery per concept, history, streak, mistakes, weak spots.

Mastery of a concept is the mean credit of the learner's last ``WINDOW``
answers to questions that test it (partial credit counts as its share). It
is "mastered" from ``MASTERED`` up with at least ``MIN_ANSWERS`` answers.
Recent answers only, so mastery follows what the learner knows now.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from quiz.models import Answer, Attempt, Concept, Question, QuestionConcept

WINDOW = 10
MASTERED = 0.8
MIN_ANSWERS = 5


@dataclass(frozen=True)
class Mastery:
    """Where a learner stands on one concept."""

    concept_id: str
    term: str
    answers: int
    mastery: float  # 0..1 over the last WINDOW answers

    @property
    def percent(self) -> int:
        """Mastery in whole percent, rounded down."""
        # Down, so 79.6% never reads "80%" beside "learning"; the tolerance keeps a mean
        # that float sums leave a hair short (ten 0.8s give 0.7999...) at its exact value.
        return math.floor(100 * self.mastery + 1e-9)

    @property
    def status(self) -> str:
        """Not started, learning or mastered."""
        if self.answers == 0:
            return "not started"
        # Judged on the percent shown, so the number and the word always agree.
        if self.answers >= MIN_ANSWERS and self.percent >= round(100 * MASTERED):
            return "mastered"
        return "learning"


def mastery(session: Session, user_id: int) -> list[Mastery]:
    """Every live concept, in glossary order, with the learner's mastery of it."""
    rows = session.execute(
        select(QuestionConcept.concept_id, Answer.score)
        .join(Answer, Answer.question_id == QuestionConcept.question_id)
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .where(Attempt.user_id == user_id)
        .order_by(Answer.answered_at.desc(), Answer.id.desc())
    ).all()
    recent: dict[str, list[float]] = {}
    for concept_id, score in rows:
        scores = recent.setdefault(concept_id, [])
        if len(scores) < WINDOW:
            scores.append(score)
    concepts = session.scalars(
        select(Concept).where(Concept.retired.is_(False)).order_by(Concept.position))
    return [
        Mastery(c.id, c.term, len(recent.get(c.id, [])),
                sum(recent.get(c.id, [])) / len(recent[c.id]) if recent.get(c.id) else 0.0)
        for c in concepts
    ]


def weakest(session: Session, user_id: int, limit: int = 2) -> list[Mastery]:
    """The concepts most in need of practice: lowest mastery first, untried ones last."""
    ranked = sorted(mastery(session, user_id),
                    key=lambda m: (m.answers == 0, m.mastery, m.answers))
    return [m for m in ranked if m.status != "mastered"][:limit]


def mistakes(session: Session, user_id: int) -> list[int]:
    """Live questions whose latest answer by this learner was not fully right."""
    rows = session.execute(
        select(Answer.question_id, Answer.correct)
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .join(Question, Question.id == Answer.question_id)
        .where(Attempt.user_id == user_id, Question.retired.is_(False))
        .order_by(Answer.answered_at, Answer.id)
    ).all()
    latest = dict(rows)  # later rows overwrite earlier ones
    return [question_id for question_id, correct in latest.items() if not correct]


@dataclass(frozen=True)
class AttemptPoint:
    """One finished attempt on the history chart."""

    attempt_id: int
    finished_at: datetime
    percent: int
    questions: int


def history(session: Session, user_id: int, limit: int = 30) -> list[AttemptPoint]:
    """The learner's last finished attempts, oldest first, with their scores."""
    attempts = list(session.scalars(
        select(Attempt).where(Attempt.user_id == user_id, Attempt.finished_at.is_not(None))
        .order_by(Attempt.finished_at.desc(), Attempt.id.desc()).limit(limit)))
    points = []
    for attempt in reversed(attempts):
        scores = session.scalars(select(Answer.score).where(Answer.attempt_id == attempt.id)).all()
        total = len(attempt.question_ids) or 1
        assert attempt.finished_at is not None  # the query takes finished attempts only
        points.append(AttemptPoint(attempt.id, attempt.finished_at,
                                   round(100 * sum(scores) / total), len(attempt.question_ids)))
    return points


def streak(session: Session, user_id: int, today: date) -> int:
    """Days in a row, up to today (or yesterday, if today has no answer yet), with answers."""
    moments = session.scalars(
        select(Answer.answered_at).join(Attempt, Attempt.id == Answer.attempt_id)
        .where(Attempt.user_id == user_id)).all()
    days = {m.date() for m in moments}
    day = today if today in days else today - timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count
