"""Changing flashcard state: rating once, undo, settings, and quizzes moving cards.

Every function takes plain values, a database session and, where time
matters, ``now`` (a UTC instant from the caller's clock, so tests fix it);
none reads the request. Functions flush; the caller commits. What is due is
read in ``quiz.cards.queue``.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Executable,
    Integer,
    and_,
    bindparam,
    delete,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from quiz.cards import days
from quiz.cards import scheduler as fsrs
from quiz.cards.queue import memory_of, reviewable, state_of
from quiz.database import changed_rows, insert_for
from quiz.models import Answer, Attempt, Card, CardState, QuestionConcept, Review, User

MAX_NEW_PER_DAY = 500
QUIZ_RULE = ("A wrong answer in a quiz brings that concept's cards forward: they are due at once, "
             "and any you have not started yet join today's cards beyond the daily limit of new cards.")


class CardsError(ValueError):
    """A flashcard request that cannot be met; the message says why."""


class UnknownCard(CardsError):
    """No live card has that id."""


class AlreadyRated(CardsError):
    """The card was rated (or undone) since it was shown: this rating is not counted again."""


class NotDue(CardsError):
    """The card is not due for this learner, and is not one of today's new cards."""


class NothingToUndo(CardsError):
    """That rating is not the learner's last, or was undone already."""


def _forget_states(session: Session, user_id: int) -> None:
    """Expire the learner's loaded card states: a bulk UPDATE changed rows behind the identity map."""
    for item in list(session.identity_map.values()):
        if isinstance(item, CardState) and item.user_id == user_id:
            session.expire(item)


# ------------------------------------------------------------------ settings


def update_settings(session: Session, user: User, time_zone: str, desired_retention: float,
                    new_cards_per_day: int) -> None:
    """Change the learner's time zone, retention target and new cards per day; flushes."""
    try:
        days.zone(time_zone)
    except days.UnknownTimeZone as exc:
        raise CardsError(str(exc)) from None
    if not fsrs.MIN_RETENTION <= desired_retention <= fsrs.MAX_RETENTION:
        raise CardsError(f"Choose a desired retention from {fsrs.MIN_RETENTION:.2f} "
                         f"to {fsrs.MAX_RETENTION:.2f}.")
    if not 0 <= new_cards_per_day <= MAX_NEW_PER_DAY:
        raise CardsError(f"Choose from 0 to {MAX_NEW_PER_DAY} new cards a day.")
    user.time_zone = time_zone
    user.desired_retention = round(desired_retention, 2)
    user.new_cards_per_day = new_cards_per_day
    session.flush()


# ----------------------------------------------------------- rating and undo


def _snapshot(state: CardState | None) -> dict[str, Any]:
    """The stored state as plain JSON, for an undo to put back."""
    def stamp(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment else None

    if state is None:
        return {"state": fsrs.NEW, "step": None, "stability": None, "difficulty": None, "due": None,
                "last_review": None, "reps": 0, "lapses": 0, "pushed_at": None}
    return {"state": state.state, "step": state.step, "stability": state.stability,
            "difficulty": state.difficulty, "due": stamp(state.due),
            "last_review": stamp(state.last_review), "reps": state.reps, "lapses": state.lapses,
            "pushed_at": stamp(state.pushed_at)}


def rate(session: Session, user: User, card_id: int, rating: int, version: int,
         now: datetime) -> Review:
    """Rate a card shown at ``version``; the review is recorded once, whatever the retries.

    Raises UnknownCard, NotDue, or AlreadyRated when the card moved on since it
    was shown (a double submit, a second tab, a retried request). The update is
    a compare-and-set on the state's version, settled by the database: of two
    ratings of one showing, exactly one changes the row and gets a review.
    """
    now = fsrs.utc(now)
    if rating not in fsrs.RATINGS:
        raise CardsError("A rating is 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy).")
    card = session.get(Card, card_id)
    if card is None or card.retired:
        raise UnknownCard("There is no such card.")
    state = state_of(session, user.id, card_id)
    if version != (state.version if state else 0):
        raise AlreadyRated("That card was already rated; the rating was counted once.")
    if not reviewable(session, user, state, now):
        raise NotDue("That card is not due yet.")
    before = memory_of(state)
    after = fsrs.review(before, rating, now, user.desired_retention)
    snapshot = _snapshot(state)
    if state is None:  # a first rating: make the row to compare-and-set against
        session.execute(insert_for(session)(CardState).values(
            user_id=user.id, card_id=card_id, state=fsrs.NEW, reps=0, lapses=0, version=0,
        ).on_conflict_do_nothing(index_elements=["user_id", "card_id"]))
    lapse = 1 if before.state == fsrs.REVIEW and rating == 1 else 0
    moved = session.execute(
        update(CardState)
        .where(CardState.user_id == user.id, CardState.card_id == card_id,
               CardState.version == version)
        .values(state=after.state, step=after.step, stability=after.stability,
                difficulty=after.difficulty, due=after.due, last_review=after.last_review,
                reps=CardState.reps + 1, lapses=CardState.lapses + lapse,
                version=CardState.version + 1, pushed_at=None)
        .execution_options(synchronize_session=False))
    if changed_rows(moved) != 1:
        raise AlreadyRated("That card was already rated; the rating was counted once.")
    _forget_states(session, user.id)
    elapsed = (now - before.last_review).total_seconds() / 86400 if before.last_review else None
    assert after.due is not None  # a rated card is always due again
    review = Review(user_id=user.id, card_id=card_id, rating=rating, reviewed_at=now,
                    elapsed_days=elapsed, interval_days=(after.due - now).total_seconds() / 86400,
                    state_before=before.state, state_after=after.state, version=version,
                    before=snapshot)
    session.add(review)
    session.flush()
    return review


def last_review(session: Session, user_id: int) -> Review | None:
    """The learner's most recent rating: the one Undo takes back."""
    return session.scalar(select(Review).where(Review.user_id == user_id)
                          .order_by(Review.id.desc()).limit(1))


def undo(session: Session, user: User, review_id: int) -> int:
    """Take back the learner's last rating: the card's state is put back. Returns the card id.

    Raises NothingToUndo unless ``review_id`` is the learner's last rating. The
    review row is deleted first and only one request can delete it, so a
    repeated undo does nothing; the state is then put back with the same
    version check as a rating.
    """
    review = last_review(session, user.id)
    if review is None or review.id != review_id:
        raise NothingToUndo("Only your last rating can be undone, once.")
    card_id, old = review.card_id, dict(review.before)
    gone = session.execute(delete(Review).where(Review.id == review_id, Review.user_id == user.id)
                           .execution_options(synchronize_session=False))
    if changed_rows(gone) != 1:
        raise NothingToUndo("That rating was already undone.")
    session.expunge(review)
    _forget_states(session, user.id)
    version = session.scalar(select(CardState.version).where(
        CardState.user_id == user.id, CardState.card_id == card_id))

    def moment(text: str | None) -> datetime | None:
        return datetime.fromisoformat(text) if text else None

    moved = session.execute(
        update(CardState)
        .where(CardState.user_id == user.id, CardState.card_id == card_id,
               CardState.version == version)
        .values(state=old["state"], step=old["step"], stability=old["stability"],
                difficulty=old["difficulty"], due=moment(old["due"]),
                last_review=moment(old["last_review"]), reps=old["reps"], lapses=old["lapses"],
                pushed_at=moment(old["pushed_at"]),
                # Forward, never back: a form still showing the rated card stays stale.
                version=CardState.version + 1)
        .execution_options(synchronize_session=False))
    if changed_rows(moved) != 1:
        raise NothingToUndo("That card has changed since; the rating cannot be undone.")
    session.flush()
    _forget_states(session, user.id)
    return card_id


# ------------------------------------------------------------ quizzes move cards


def _about(concepts: list[str]) -> ColumnElement[bool]:
    """Live cards about these concepts: term, reverse and question cards."""
    tested = select(QuestionConcept.question_id).where(QuestionConcept.concept_id.in_(concepts))
    return and_(Card.retired.is_(False),
                or_(Card.concept_id.in_(concepts), Card.question_id.in_(tested)))


def concept_card_ids(session: Session, concept_ids: list[str]) -> list[int]:
    """Live cards about these concepts: their term and reverse cards and their questions' cards."""
    return list(session.scalars(select(Card.id).where(_about(concept_ids)).order_by(Card.id)))


_answers, _attempts = Answer.__table__, Attempt.__table__
# The learner's wrong answers whose cards have not moved yet: read through the partial index on them.
_PENDING = and_(_answers.c.push_pending, _answers.c.attempt_id.in_(
    select(_attempts.c.id).where(_attempts.c.user_id == bindparam("user_id"))))
_ANY_PENDING = select(_answers.c.id).where(_PENDING).limit(1)
# Claimed and cleared in one statement: of two requests catching up at once, one gets each answer.
_CLAIM = update(_answers).where(_PENDING).values(push_pending=False).returning(_answers.c.id)
_IDS_PER_STATEMENT = 500  # well within SQLite's limit on parameters


@cache
def _bring_forward_statement(dialect: str) -> Executable:
    """The upsert that makes due the cards about the concepts of some wrong answers, built once.

    Each card is due at the first of those answers that concerns it, unless it
    is due already, or was rated after that answer (the rating then stands).
    """
    answered = (select(QuestionConcept.concept_id, func.min(_answers.c.answered_at).label("at"))
                .join(_answers, _answers.c.question_id == QuestionConcept.question_id)
                .where(_answers.c.id.in_(bindparam("answer_ids", expanding=True)))
                .group_by(QuestionConcept.concept_id).subquery())
    tested = (select(QuestionConcept.question_id)
              .where(QuestionConcept.concept_id == answered.c.concept_id).scalar_subquery())
    at = func.min(answered.c.at)
    cards = (select(bindparam("user_id", type_=Integer), Card.id, literal(fsrs.NEW), literal(0), literal(0),
                    literal(0), at, at)
             .join(answered, or_(Card.concept_id == answered.c.concept_id, Card.question_id.in_(tested)))
             .where(Card.retired.is_(False)).group_by(Card.id))
    states = CardState.__table__  # a Core insert: the ORM's would read the parameters as rows
    insert = insert_for(dialect)(states).from_select(
        ["user_id", "card_id", "state", "reps", "lapses", "version", "due", "pushed_at"], cards)
    statement: Executable = insert.on_conflict_do_update(
        index_elements=["user_id", "card_id"],
        set_={"due": insert.excluded.due, "pushed_at": insert.excluded.pushed_at},
        where=and_(or_(states.c.due.is_(None), states.c.due > insert.excluded.due),
                   or_(states.c.last_review.is_(None), states.c.last_review < insert.excluded.due)),
    ).execution_options(preserve_rowcount=True)  # an INSERT's count is kept only when asked for
    return statement


def bring_forward_pending(session: Session, user_id: int) -> int:
    """Bring forward the cards of concepts answered wrong since the learner's cards were read; how many.

    A wrong quiz answer is only marked (``Answer.push_pending``): the answer
    path stays short, and the cards move here, before the learner's cards are
    read, in one statement per 500 answers. Each card is due from the moment
    of the answer, so it reads as if it had moved then. Only a read runs while
    nothing is pending, so a page of cards takes no write lock for it.
    """
    connection = session.connection()
    if connection.scalar(_ANY_PENDING, {"user_id": user_id}) is None:
        return 0
    claimed = sorted(connection.scalars(_CLAIM, {"user_id": user_id}))  # oldest first
    if not claimed:  # another request caught up first
        return 0
    statement, moved = _bring_forward_statement(connection.dialect.name), 0
    for start in range(0, len(claimed), _IDS_PER_STATEMENT):  # months of quizzes since the last visit
        batch = claimed[start:start + _IDS_PER_STATEMENT]
        moved += connection.execute(statement, {"user_id": user_id, "answer_ids": batch}).rowcount
    session.flush()
    _forget_states(session, user_id)
    return moved
