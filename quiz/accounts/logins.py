"""Starting and ending sign-ins; plain values in, no request in sight.

The session cookie and the remember-me cookie hold ``"<user id>:<key>"``
(``User.get_id``), signed with the app's secret key. The key names a row of
``logins``; without the row, neither cookie signs anyone in.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, delete, select
from sqlalchemy.orm import Session

from quiz.accounts.models import Login
from quiz.database import changed_rows
from quiz.models import User

# Larger ids cannot be a SQLite or PostgreSQL integer; asking for one would raise, not miss.
MAX_ID_DIGITS = 18
KEY_BYTES = 24  # 32 characters of URL-safe base64

# Built once: every signed-in request runs it, and building it costs as much as running it.
SIGNED_IN = (select(User).join(Login, and_(Login.user_id == User.id, Login.key == bindparam("key")))
             .where(User.id == bindparam("user_id"), Login.expires_at > bindparam("now")))


def parse(value: object) -> tuple[int, str] | None:
    """The user id and key in a cookie's ``"<id>:<key>"``, or None if it is not of that form."""
    if not isinstance(value, str):
        return None
    user_id, _, key = value.partition(":")
    # isdigit alone accepts "²" and other digits that int() refuses.
    if not (user_id.isascii() and user_id.isdigit() and len(user_id) <= MAX_ID_DIGITS) or not key:
        return None
    return int(user_id), key


def start(session: Session, user: User, now: datetime, lasts: timedelta) -> str:
    """Record a new sign-in of ``user`` that ends after ``lasts``; its cookie value. Flushes."""
    session.execute(delete(Login).where(Login.expires_at <= now))  # what has expired is of no use
    key = secrets.token_urlsafe(KEY_BYTES)
    session.add(Login(user_id=user.id, key=key, created_at=now, expires_at=now + lasts))
    session.flush()
    user.login_key = key
    return user.get_id()


def signed_in(session: Session, value: object, now: datetime) -> User | None:
    """The user whose sign-in this cookie value names, while it lasts; else None."""
    parsed = parse(value)
    if parsed is None:
        return None
    user_id, key = parsed
    user = session.execute(SIGNED_IN, {"user_id": user_id, "key": key, "now": now}).scalar_one_or_none()
    if user is not None:
        user.login_key = key
    return user


def end(session: Session, value: object) -> None:
    """End the sign-in this cookie value names (logging out); every copy of its cookies with it."""
    parsed = parse(value)
    if parsed is not None:
        session.execute(delete(Login).where(Login.user_id == parsed[0], Login.key == parsed[1]))


def end_all(session: Session, user_id: int) -> int:
    """End every sign-in of the account, on every browser; how many there were."""
    return changed_rows(session.execute(delete(Login).where(Login.user_id == user_id)))
