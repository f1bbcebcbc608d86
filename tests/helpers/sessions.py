"""Signing in on a test client without going through the log-in form."""

from __future__ import annotations

from datetime import timedelta

from quiz.accounts import logins
from quiz.extensions import db
from quiz.models import User, utcnow


def login_value(session, user_id: int) -> str:
    """A new sign-in of this account, as its session and remember-me cookies hold it."""
    return logins.start(session, session.get(User, user_id), utcnow(), timedelta(days=1))


def login_key(session, user_id: int) -> str:
    """The key of a new sign-in of this account, as the answer path is given it."""
    return logins.parse(login_value(session, user_id))[1]


def sign_in(app, client, name: str = "ada", **settings) -> int:
    """An account with these settings, signed in on this client through the session; its id."""
    with app.app_context():
        user = User(name=name, password_hash="unused", **settings)
        db.session.add(user)
        db.session.flush()
        value = login_value(db.session, user.id)
        db.session.commit()
        user_id = user.id
    with client.session_transaction() as session:
        session["_user_id"] = value
        session["_fresh"] = True
    return user_id
