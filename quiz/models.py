"""The database: users, the synced content, everyone's answers and flashcard reviews."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quiz.extensions import Model
from quiz.timestamps import UtcDateTime


# The wall clock, kept for column defaults only: SQLAlchemy calls a default at flush, where no app
# (and so no CLOCK) need be at hand. Request and service code passes the time from quiz.clock instead,
# which tests stop and move.
def utcnow() -> datetime:
    """The current time, in UTC, timezone-aware."""
    return datetime.now(UTC)


class User(UserMixin, Model):
    """A learner or an instructor."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_instructor: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # Flashcard settings: "today" starts at midnight in this IANA zone; the scheduler aims
    # at this retention; at most this many unseen cards are introduced per day.
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    desired_retention: Mapped[float] = mapped_column(Float, default=0.9, server_default="0.9")
    new_cards_per_day: Mapped[int] = mapped_column(Integer, default=10, server_default="10")

    # The key of the sign-in this request runs under (quiz.accounts.logins); not a column.
    if TYPE_CHECKING:  # declared for the type checker only: the mapper takes annotations for columns
        login_key: str | None = None
    else:
        login_key = None

    def get_id(self) -> str:
        """What the session and remember-me cookies hold: the id and the sign-in's key."""
        return f"{self.id}:{self.login_key}"


# Names are unique whatever their case, enforced by the database, not only by a check.
Index("uq_users_lower_name", func.lower(User.name), unique=True)


class Concept(Model):
    """A glossary concept, as last synced from ``content/definitions``."""

    __tablename__ = "concepts"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    glossary_id: Mapped[str] = mapped_column(String(80))
    term: Mapped[str] = mapped_column(String(2000))  # lengths as the validator's (tests check they agree)
    definition: Mapped[str] = mapped_column(Text)
    quote: Mapped[str] = mapped_column(Text)
    section: Mapped[str] = mapped_column(String(20))
    data: Mapped[dict] = mapped_column(JSON)  # aliases, facts, related
    position: Mapped[int] = mapped_column(Integer, default=0)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)


class Bank(Model):
    """A question bank, as last synced from ``content/banks``."""

    __tablename__ = "banks"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    title: Mapped[str] = mapped_column(String(2000))
    generated: Mapped[bool] = mapped_column(Boolean, default=False)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    synced_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    questions: Mapped[list[Question]] = relationship(
        back_populates="bank", order_by="Question.position"
    )


class QuestionConcept(Model):
    """Which concepts a question tests: the link from a question to its source."""

    __tablename__ = "question_concepts"

    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True
    )
    concept_id: Mapped[str] = mapped_column(ForeignKey("concepts.id"), primary_key=True)


class Question(Model):
    """A question; ``(bank_id, key)`` is its stable identity across edits."""

    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("bank_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[str] = mapped_column(ForeignKey("banks.id"), index=True)
    key: Mapped[str] = mapped_column(String(80))
    type: Mapped[str] = mapped_column(String(20))
    prompt: Mapped[str] = mapped_column(Text)
    data: Mapped[dict] = mapped_column(JSON)  # the question as written in its bank
    difficulty: Mapped[int] = mapped_column(Integer, default=1)
    position: Mapped[int] = mapped_column(Integer, default=0)
    retired: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    bank: Mapped[Bank] = relationship(back_populates="questions")
    concepts: Mapped[list[Concept]] = relationship(secondary="question_concepts", viewonly=True)


class Attempt(Model):
    """One sitting of a quiz: the questions drawn, in order, and when it ended.

    ``layout`` fixes, per question id, the shuffled order of its choices, items
    or right-hand texts, so a reload or a resumed quiz shows the same page.
    A visitor's attempt has no user until they sign up and claim it.
    """

    __tablename__ = "attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    question_ids: Mapped[list] = mapped_column(JSON, default=list)
    layout: Mapped[dict] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    answers: Mapped[list[Answer]] = relationship(back_populates="attempt")


class Answer(Model):
    """A response to one question of an attempt; recorded once (the constraint says so).

    A wrong answer of a signed-in learner is recorded with ``push_pending``: it
    brings the concept's flashcards forward the next time the learner's cards
    are read (``quiz.cards.service.bring_forward_pending``), which clears it.
    """

    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("attempt_id", "question_id"),
        # Partial: only the answers still to push are indexed, so finding them stays cheap. Each
        # condition is written as the dialect writes ``where(push_pending)``, or SQLite ignores it.
        Index("ix_answers_push_pending", "attempt_id", sqlite_where=text("push_pending = 1"),
              postgresql_where=text("push_pending")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of their own: the unique (attempt_id, question_id) index serves the reads by attempt, and
    # nothing reads by question alone. Every answer would write both, and it is the busiest insert.
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))
    response: Mapped[dict] = mapped_column(JSON)  # {"value": <the grading module's response>}
    correct: Mapped[bool] = mapped_column(Boolean)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    answered_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    push_pending: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    attempt: Mapped[Attempt] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()


class Card(Model):
    """A flashcard, derived from the synced content; ``key`` is its identity across syncs.

    Keys read ``concept:<concept id>:forward`` (term to definition),
    ``concept:<concept id>:reverse`` (definition to term) and
    ``question:<question id>`` (a cloze or short-answer question).
    """

    __tablename__ = "cards"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # forward, reverse, cloze, short
    concept_id: Mapped[str | None] = mapped_column(ForeignKey("concepts.id"), index=True)
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id"), index=True)
    front: Mapped[str] = mapped_column(Text)
    back: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)  # the order new cards come in
    retired: Mapped[bool] = mapped_column(Boolean, default=False)

    concept: Mapped[Concept | None] = relationship()
    question: Mapped[Question | None] = relationship()


class CardState(Model):
    """Where one user stands on one card: the FSRS memory state and when it is due.

    ``state`` 0 is new (never rated); 1, 2 and 3 are FSRS's learning, review and
    relearning. A new card has no due time unless a quiz brought it forward.
    ``version`` grows with every rating and undo: a rating names the version it
    was shown at and is applied only if that is still the version.
    """

    __tablename__ = "card_states"
    __table_args__ = (
        UniqueConstraint("user_id", "card_id"),
        Index("ix_card_states_user_due", "user_id", "due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"), index=True)
    state: Mapped[int] = mapped_column(Integer, default=0)
    step: Mapped[int | None] = mapped_column(Integer)
    stability: Mapped[float | None] = mapped_column(Float)
    difficulty: Mapped[float | None] = mapped_column(Float)
    due: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_review: Mapped[datetime | None] = mapped_column(UtcDateTime())
    reps: Mapped[int] = mapped_column(Integer, default=0)
    lapses: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=0)
    pushed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())  # by a wrong quiz answer

    card: Mapped[Card] = relationship()


class Review(Model):
    """One rating of a card: enough to undo it and to draw the statistics.

    ``before`` is the card state as it was, restored by an undo. The unique
    (user, card, version) means one shown card is rated at most once.
    """

    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("user_id", "card_id", "version"),
        Index("ix_reviews_user_reviewed_at", "user_id", "reviewed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"), index=True)
    rating: Mapped[int] = mapped_column(Integer)  # 1 again, 2 hard, 3 good, 4 easy
    reviewed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    elapsed_days: Mapped[float | None] = mapped_column(Float)  # since the previous rating
    interval_days: Mapped[float] = mapped_column(Float)  # until the due time this rating set
    state_before: Mapped[int] = mapped_column(Integer)
    state_after: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)  # the card state's version when rated
    before: Mapped[dict] = mapped_column(JSON)

    card: Mapped[Card] = relationship()
