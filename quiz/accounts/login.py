"""How Flask-Login finds the signed-in user from the id kept in the session."""

from __future__ import annotations

from quiz.extensions import db, login_manager
from quiz.models import User


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The user with this id, or None if the account no longer exists."""
    if not user_id.isdigit():
        return None
    return db.session.get(User, int(user_id))
