"""How Flask-Login finds the signed-in user from the id kept in the session."""

from __future__ import annotations

from flask import session
from flask_login import current_user
from sqlalchemy import bindparam, select

from quiz.extensions import db, login_manager
from quiz.models import User

login_manager.login_view = "accounts.login"
login_manager.login_message = "Log in to see that page."
login_manager.login_message_category = "info"

# Larger ids cannot be a SQLite or PostgreSQL integer; asking for one would raise, not miss.
MAX_ID_DIGITS = 18
# Built once: every signed-in request runs it, and building it costs as much as running it.
BY_ID = select(User).where(User.id == bindparam("user_id"))


def _as_id(user_id: object) -> int | None:
    """The id as an int, or None if it is not a plain decimal number that fits a column."""
    # isdigit alone accepts "²" and other digits that int() refuses.
    if not isinstance(user_id, str) or not (user_id.isascii() and user_id.isdigit()):
        return None
    return int(user_id) if len(user_id) <= MAX_ID_DIGITS else None


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The user with this id, or None if the id is malformed or the account no longer exists."""
    number = _as_id(user_id)
    if number is None:
        return None
    return db.session.execute(BY_ID, {"user_id": number}).scalar_one_or_none()


def signed_in_id() -> int | None:
    """The signed-in user's id, or None for a visitor, without loading the account if it can.

    For requests whose own query checks the id against the rows it touches (an
    attempt's owner): there, loading the account costs more than the rest of
    the request's reads. The id comes from the signed session cookie, where
    logging in put it and logging out removes it. A session without one is left
    to Flask-Login, so that a remember-me cookie still signs the user in.
    """
    number = _as_id(session.get("_user_id"))
    if number is not None:
        return number
    return current_user.id if current_user.is_authenticated else None
