"""FSRS, through the ``fsrs`` package: a card's memory state in, its next state out.

Pure functions over plain values: no Flask and no database. The package's
default parameters are used as they are; only the desired retention is the
learner's. Its random "fuzz" on intervals is off, so the interval printed on
each rating button is exactly the one that rating gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from fsrs import Card, Rating, Scheduler, State
from fsrs.scheduler import DEFAULT_PARAMETERS

from quiz.timestamps import as_utc

NEW = 0  # our own state: never rated; FSRS's states are 1 learning, 2 review, 3 relearning
LEARNING, REVIEW, RELEARNING = int(State.Learning), int(State.Review), int(State.Relearning)
STATE_NAMES = {NEW: "new", LEARNING: "learning", REVIEW: "review", RELEARNING: "relearning"}
RATINGS = {int(r): r.name for r in Rating}  # 1 Again, 2 Hard, 3 Good, 4 Easy

DEFAULT_RETENTION = 0.9
MIN_RETENTION, MAX_RETENTION = 0.70, 0.97


@dataclass(frozen=True)
class Memory:
    """A card's scheduling state, as stored per user (see ``CardState``)."""

    state: int = NEW
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None


def scheduler(desired_retention: float = DEFAULT_RETENTION) -> Scheduler:
    """An FSRS scheduler with the default parameters, aiming at ``desired_retention``."""
    if not MIN_RETENTION <= desired_retention <= MAX_RETENTION:
        raise ValueError(f"desired retention {desired_retention} is outside "
                         f"{MIN_RETENTION:.2f} to {MAX_RETENTION:.2f}")
    return Scheduler(desired_retention=desired_retention, enable_fuzzing=False)


utc = as_utc  # a moment given in any zone, as aware UTC (the columns already read as such)


def _fsrs_card(memory: Memory, now: datetime) -> Card:
    if memory.state == NEW:  # FSRS starts a card in learning, step 0, with no stability yet
        return Card(card_id=1, due=now)
    return Card(card_id=1, state=State(memory.state), step=memory.step,
                stability=memory.stability, difficulty=memory.difficulty,
                due=utc(memory.due) if memory.due else now,
                last_review=utc(memory.last_review) if memory.last_review else None)


def review(memory: Memory, rating: int, now: datetime, desired_retention: float) -> Memory:
    """The memory state after rating the card at ``now`` (a UTC instant)."""
    now = utc(now)
    card, _log = scheduler(desired_retention).review_card(
        _fsrs_card(memory, now), Rating(rating), review_datetime=now)
    return Memory(int(card.state), card.step, card.stability, card.difficulty,
                  card.due, card.last_review)


def preview(memory: Memory, now: datetime, desired_retention: float) -> dict[int, timedelta]:
    """The interval each rating would give, rating by rating, if rated at ``now``."""
    now = utc(now)
    engine = scheduler(desired_retention)
    card = _fsrs_card(memory, now)
    # review_card copies the card it is given, so one card serves all four ratings.
    return {int(rating): engine.review_card(card, rating, review_datetime=now)[0].due - now
            for rating in Rating}


def interval_label(interval: timedelta) -> str:
    """An interval the way Anki prints it on a button: "<1m", "10m", "3h", "4d", "1.5mo", "2.1y"."""
    seconds = interval.total_seconds()
    minutes = seconds / 60
    if minutes < 1:
        return "<1m"
    if minutes < 60:
        return f"{round(minutes)}m"
    hours = minutes / 60
    if hours < 24:
        return f"{round(hours)}h"
    days = hours / 24
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{_one_decimal(days / 30)}mo"
    return f"{_one_decimal(days / 365)}y"


def _one_decimal(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def workload(desired_retention: float, baseline: float = DEFAULT_RETENTION) -> float:
    """Reviews needed at ``desired_retention`` relative to ``baseline``, from FSRS's forgetting curve.

    Intervals scale with ``r ** (1 / decay) - 1`` for a retention ``r``, and the
    number of reviews with the inverse of the interval.
    """
    decay = -DEFAULT_PARAMETERS[20]

    def interval(retention: float) -> float:
        return float(retention ** (1 / decay)) - 1  # float ** float is typed as maybe complex

    return interval(baseline) / interval(desired_retention)
