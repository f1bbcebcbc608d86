"""Flashcard statistics: reviews per day, the due forecast, true retention, cards by concept.

Days are the learner's local days; the database keeps UTC instants, so rows are
fetched for a window of UTC instants and then counted by local date here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from quiz.cards import days
from quiz.cards import scheduler as fsrs
from quiz.models import Card, CardState, Concept, QuestionConcept, Review, User

WINDOW_DAYS = 30


@dataclass(frozen=True)
class DayCount:
    """A number of cards or reviews on one local day."""

    day: date
    count: int


def reviews_per_day(session: Session, user: User, now: datetime,
                    window: int = WINDOW_DAYS) -> list[DayCount]:
    """Ratings given on each of the last ``window`` local days, today last."""
    today = days.local_date(now, user.time_zone)
    first = today - timedelta(days=window - 1)
    moments = session.scalars(select(Review.reviewed_at).where(
        Review.user_id == user.id, Review.reviewed_at >= days.day_start(first, user.time_zone)))
    per_day = Counter(days.local_date(m, user.time_zone) for m in moments)
    return [DayCount(first + timedelta(days=n), per_day[first + timedelta(days=n)])
            for n in range(window)]


def forecast(session: Session, user: User, now: datetime, window: int = WINDOW_DAYS) -> list[DayCount]:
    """Started cards falling due on each of the next ``window`` local days; overdue ones count today."""
    today = days.local_date(now, user.time_zone)
    end = days.day_start(today + timedelta(days=window), user.time_zone)
    dues = session.scalars(  # none is NULL (NULL < end is not true), as the check below tells mypy
        select(CardState.due).join(Card, Card.id == CardState.card_id)
        .where(CardState.user_id == user.id, Card.retired.is_(False),
               CardState.state != fsrs.NEW, CardState.due < end))
    per_day = Counter(max(days.local_date(d, user.time_zone), today) for d in dues if d is not None)
    return [DayCount(today + timedelta(days=n), per_day[today + timedelta(days=n)])
            for n in range(window)]


@dataclass(frozen=True)
class Retention:
    """Passed reviews of cards in the review state: FSRS's "true retention"."""

    passed: int
    total: int

    @property
    def percent(self) -> float | None:
        """The share passed, in percent, or None with no reviews to judge by."""
        return round(100 * self.passed / self.total, 1) if self.total else None


def true_retention(session: Session, user: User, since: datetime | None = None) -> Retention:
    """Of the ratings of cards in review (not learning) state, the share that were not Again."""
    query = (select(func.count(), func.count().filter(Review.rating > 1))
             .where(Review.user_id == user.id, Review.state_before == fsrs.REVIEW))
    if since is not None:
        query = query.where(Review.reviewed_at >= fsrs.utc(since))
    total, passed = session.execute(query).one()
    return Retention(passed, total)


@dataclass
class ConceptCards:
    """How many of one concept's cards are in each state, for this learner."""

    concept_id: str
    term: str
    by_state: dict[int, int]

    @property
    def total(self) -> int:
        """All the concept's live cards."""
        return sum(self.by_state.values())

    def share(self, state: int) -> float:
        """The share of the concept's cards in ``state``, in percent."""
        return 100 * self.by_state.get(state, 0) / self.total if self.total else 0.0


def cards_by_concept(session: Session, user: User) -> list[ConceptCards]:
    """Every live concept, in glossary order, with its cards counted by state (new if never seen).

    A question card counts for each concept its question tests.
    """
    state = func.coalesce(CardState.state, fsrs.NEW)
    joined = (select(Card.id.label("card_id"), state.label("state"))
              .outerjoin(CardState, (CardState.card_id == Card.id) & (CardState.user_id == user.id))
              .where(Card.retired.is_(False)).subquery())
    direct = (select(Card.concept_id, joined.c.state, func.count())
              .join(joined, joined.c.card_id == Card.id)
              .where(Card.concept_id.is_not(None)).group_by(Card.concept_id, joined.c.state))
    through = (select(QuestionConcept.concept_id, joined.c.state, func.count())
               .join(Card, Card.question_id == QuestionConcept.question_id)
               .join(joined, joined.c.card_id == Card.id)
               .group_by(QuestionConcept.concept_id, joined.c.state))
    counted: dict[str, Counter[int]] = {}
    for query in (direct, through):
        for concept_id, card_state, count in session.execute(query):
            counted.setdefault(concept_id, Counter())[card_state] += count
    concepts = session.scalars(
        select(Concept).where(Concept.retired.is_(False)).order_by(Concept.position))
    return [ConceptCards(c.id, c.term, dict(counted.get(c.id, Counter()))) for c in concepts]
