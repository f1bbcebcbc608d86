"""Live sessions in the database: every bit of their state, so any process can serve any request."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quiz.extensions import Model
from quiz.models import utcnow  # column defaults only: see its comment
from quiz.timestamps import UtcDateTime

NICKNAME_KEY_LENGTH, NICKNAME_SKELETON_LENGTH = 40, 200  # folding may make one character several


class LiveSession(Model):
    """One instructor-run session: the questions, the settings and where play stands.

    ``phase``, ``question_index``, ``question_started_at`` and ``deadline`` say
    where play is; ``version`` grows with every phase change, which is a
    compare-and-set on it (see ``quiz.live.state``). ``settings`` holds
    ``seconds``, ``points`` (standard, double, none), ``show_on_devices`` and
    ``shuffle``; ``layout`` fixes each question's shuffled choices or items.
    ``title`` names it in the lobby, the results and the list of sessions.
    """

    __tablename__ = "live_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    pin: Mapped[str] = mapped_column(String(6))
    title: Mapped[str] = mapped_column(String(120), default="", server_default="")
    host_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    phase: Mapped[str] = mapped_column(String(12), default="lobby", server_default="lobby")
    question_index: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    question_started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    deadline: Mapped[datetime | None] = mapped_column(UtcDateTime())
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")  # no one new joins
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    question_ids: Mapped[list] = mapped_column(JSON, default=list)
    layout: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    players: Mapped[list[LivePlayer]] = relationship(
        back_populates="live_session", order_by="LivePlayer.id")


# A PIN names one session while it runs; a finished session frees its PIN for reuse.
Index("uq_live_sessions_active_pin", LiveSession.pin, unique=True,
      sqlite_where=text("finished_at IS NULL"), postgresql_where=text("finished_at IS NULL"))


class LivePlayer(Model):
    """Someone playing a live session under a nickname; ``token`` (in their cookie) is who they are.

    ``nickname_key`` is the nickname folded for comparison, unique per session;
    ``nickname_skeleton`` its look-alike key (quiz.security.lookalikes), unique
    per session too, so that "twice" spelled with a Cyrillic i (U+0456) is taken when "twice" is.
    ``attempt_id`` links a signed-in learner's answers into their own progress.
    """

    __tablename__ = "live_players"
    __table_args__ = (UniqueConstraint("session_id", "nickname_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    nickname: Mapped[str] = mapped_column(String(40))
    nickname_key: Mapped[str] = mapped_column(String(NICKNAME_KEY_LENGTH))
    # NULL for players who joined before look-alikes were compared (NULLs never clash).
    nickname_skeleton: Mapped[str | None] = mapped_column(String(NICKNAME_SKELETON_LENGTH))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id"))
    score: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    streak: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    kicked: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    live_session: Mapped[LiveSession] = relationship(back_populates="players")


Index("uq_live_players_session_id_nickname_skeleton", LivePlayer.session_id, LivePlayer.nickname_skeleton,
      unique=True)


class LiveAnswer(Model):
    """A player's answer to one question of a session: recorded once (the constraint says so)."""

    __tablename__ = "live_answers"
    __table_args__ = (
        UniqueConstraint("player_id", "question_index"),
        Index("ix_live_answers_session_question", "session_id", "question_index"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id"))
    player_id: Mapped[int] = mapped_column(ForeignKey("live_players.id"))
    question_index: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))
    response: Mapped[dict] = mapped_column(JSON)  # {"value": <the grading module's response>}
    correct: Mapped[bool] = mapped_column(Boolean)
    elapsed_ms: Mapped[int] = mapped_column(Integer)  # measured by the server
    points: Mapped[int] = mapped_column(Integer)  # for speed, the streak bonus included
    bonus: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    streak: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # after this answer
    answered_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
