"""Signing in on a test client without going through the log-in form."""

from __future__ import annotations

from quiz.extensions import db
from quiz.models import User


def sign_in(app, client, name: str = "ada", **settings) -> int:
    """An account with these settings, signed in on this client through the session; its id."""
    with app.app_context():
        user = User(name=name, password_hash="unused", **settings)
        db.session.add(user)
        db.session.commit()
        user_id = user.id
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
    return user_id
