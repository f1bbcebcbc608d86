"""Sign-ins kept on the server, so that ending one really ends it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from quiz.extensions import Model
from quiz.models import utcnow  # column defaults only: see its comment
from quiz.timestamps import UtcDateTime


class Login(Model):
    """One sign-in on one browser; its session and remember-me cookies name its ``key``.

    A request is signed in only while its row exists and has not expired:
    logging out deletes the row (so a copy of the cookies signs nobody in),
    and a password change or "sign out everywhere" deletes every row of the
    account. Each sign-in gets a new random key, so the remember-me cookie
    changes at each sign-in too.
    """

    __tablename__ = "logins"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
