"""How Flask-Login finds the signed-in user from the id kept in the session."""

from __future__ import annotations

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


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The user with this id, or None if the id is malformed or the account no longer exists."""
    # isdigit alone accepts "²" and other digits that int() refuses.
    if not isinstance(user_id, str) or not (user_id.isascii() and user_id.isdigit()):
        return None
    if len(user_id) > MAX_ID_DIGITS:
        return None
    return db.session.execute(BY_ID, {"user_id": int(user_id)}).scalar_one_or_none()
