"""What is due: the review queue, today's counts, the card to show, and when the next one is due.

Read-only: every function takes plain values, a session and ``now`` (a UTC
instant from the caller's clock, so tests fix it), and changes nothing.

The queue shows, in this order: cards due now (oldest due first), then new
cards up to the day's allowance, then learning cards due within
``LEARN_AHEAD`` (so a learner who has nothing else left need not wait out a
ten-minute step).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from quiz.cards import days
from quiz.cards import scheduler as fsrs
from quiz.models import Card, CardState, Review, User

LEARN_AHEAD = timedelta(minutes=20)


def memory_of(state: CardState | None) -> fsrs.Memory:
    """The scheduling state of a stored card state (a card never seen is new)."""
    if state is None:
        return fsrs.Memory()
    return fsrs.Memory(state.state, state.step, state.stability, state.difficulty,
                       state.due, state.last_review)


def new_left_today(session: Session, user: User, now: datetime) -> int:
    """How many new cards the learner may still start today, in their time zone."""
    start, end = days.today_bounds(now, user.time_zone)
    started = session.execute(select(func.count()).select_from(Review).where(
        Review.user_id == user.id, Review.state_before == fsrs.NEW,
        Review.reviewed_at >= start, Review.reviewed_at < end)).scalar_one()
    return max(user.new_cards_per_day - started, 0)


def _unseen(user_id: int) -> Select[int]:
    """Live cards this learner has never rated and no quiz brought forward, in deck order."""
    return (select(Card.id)
            .outerjoin(CardState, and_(CardState.card_id == Card.id, CardState.user_id == user_id))
            .where(Card.retired.is_(False),
                   or_(CardState.id.is_(None), and_(CardState.state == fsrs.NEW, CardState.due.is_(None))))
            .order_by(Card.position, Card.id))


def _live_states(user_id: int) -> Select[CardState]:
    return (select(CardState).join(Card, Card.id == CardState.card_id)
            .where(CardState.user_id == user_id, Card.retired.is_(False)))


@dataclass(frozen=True)
class Queued:
    """One card of the queue, with the learner's state of it (None: never seen)."""

    card_id: int
    state: CardState | None


def due_queue(session: Session, user: User, now: datetime, limit: int = 20) -> list[Queued]:
    """The next ``limit`` cards to review, in the order they will be shown."""
    now = fsrs.utc(now)
    due = session.scalars(_live_states(user.id).where(CardState.due <= now)
                          .order_by(CardState.due, CardState.id).limit(limit)).all()
    queue = [Queued(s.card_id, s) for s in due]
    room = min(limit - len(queue), new_left_today(session, user, now))
    if room > 0:
        queue += [Queued(card_id, None) for card_id in session.scalars(_unseen(user.id).limit(room))]
    if len(queue) < limit:
        ahead = session.scalars(_live_states(user.id).where(
            CardState.state.in_((fsrs.LEARNING, fsrs.RELEARNING)),
            CardState.due > now, CardState.due <= now + LEARN_AHEAD,
        ).order_by(CardState.due, CardState.id).limit(limit - len(queue))).all()
        queue += [Queued(s.card_id, s) for s in ahead]
    return queue


@dataclass(frozen=True)
class Counts:
    """What is left today: new cards, cards in (re)learning, and review cards due."""

    new: int
    learning: int
    review: int

    @property
    def total(self) -> int:
        """Every card left for today."""
        return self.new + self.learning + self.review


def counts(session: Session, user: User, now: datetime) -> Counts:
    """The new, learning and due counts shown above the card."""
    now = fsrs.utc(now)
    ahead = now + LEARN_AHEAD
    states = CardState.state
    row = session.execute(
        select(func.count().filter(states == fsrs.NEW),
               func.count().filter(states.in_((fsrs.LEARNING, fsrs.RELEARNING))),
               func.count().filter(and_(states == fsrs.REVIEW, CardState.due <= now)))
        .select_from(CardState).join(Card, Card.id == CardState.card_id)
        .where(CardState.user_id == user.id, Card.retired.is_(False),
               or_(CardState.due <= now,
                   and_(states.in_((fsrs.LEARNING, fsrs.RELEARNING)), CardState.due <= ahead)))
    ).one()
    allowance = new_left_today(session, user, now)
    unseen = session.execute(select(func.count()).select_from(
        _unseen(user.id).limit(allowance).subquery())).scalar_one() if allowance else 0
    return Counts(new=row[0] + unseen, learning=row[1], review=row[2])


def reviewable(session: Session, user: User, state: CardState | None, now: datetime) -> bool:
    """True when the learner may rate this card now: it is due, or one of today's new cards."""
    now = fsrs.utc(now)
    if state is None or (state.state == fsrs.NEW and state.due is None):
        return new_left_today(session, user, now) > 0
    ahead = LEARN_AHEAD if state.state in (fsrs.LEARNING, fsrs.RELEARNING) else timedelta(0)
    assert state.due is not None  # a started card always has its due time
    return state.due <= now + ahead


def state_of(session: Session, user_id: int, card_id: int) -> CardState | None:
    """The learner's state of a card, or None if they never met it."""
    return session.scalar(select(CardState).where(
        CardState.user_id == user_id, CardState.card_id == card_id))


@dataclass(frozen=True)
class Shown:
    """A card as the review page shows it: the card, the learner's state, the button intervals."""

    card: Card
    state: CardState | None
    intervals: dict[int, timedelta]

    @property
    def version(self) -> int:
        """The token a rating of this card must carry."""
        return self.state.version if self.state else 0

    @property
    def labels(self) -> dict[int, str]:
        """Each rating's interval as printed on its button."""
        return {rating: fsrs.interval_label(gap) for rating, gap in self.intervals.items()}


def card_to_show(session: Session, user: User, now: datetime, card_id: int | None = None) -> Shown | None:
    """The card asked for if it may be reviewed now, else the head of the queue; None when done."""
    now = fsrs.utc(now)
    card = session.get(Card, card_id) if card_id is not None else None
    state = state_of(session, user.id, card.id) if card is not None and not card.retired else None
    if card is None or card.retired or not reviewable(session, user, state, now):
        head = due_queue(session, user, now, limit=1)
        if not head:
            return None
        card, state = session.get_one(Card, head[0].card_id), head[0].state
    intervals = fsrs.preview(memory_of(state), now, user.desired_retention)
    return Shown(card, state, intervals)


@dataclass(frozen=True)
class NextDue:
    """When the learner next has something to review, once today's queue is empty."""

    at: datetime | None  # None: nothing scheduled and no new cards left
    new_tomorrow: bool  # new cards wait for tomorrow's allowance


def next_due(session: Session, user: User, now: datetime) -> NextDue:
    """The next moment a card falls due (or new cards open up), for the "done for today" screen."""
    now = fsrs.utc(now)
    soonest = session.scalar(select(func.min(CardState.due)).join(Card, Card.id == CardState.card_id)
                             .where(CardState.user_id == user.id, Card.retired.is_(False),
                                    CardState.due > now))
    unseen = session.scalar(select(func.count()).select_from(_unseen(user.id).limit(1).subquery()))
    if unseen and user.new_cards_per_day > 0:
        tomorrow = days.today_bounds(now, user.time_zone)[1]
        if soonest is None or tomorrow < soonest:
            return NextDue(tomorrow, True)
    return NextDue(soonest, False)
