"""How Flask-Login finds the signed-in user: the sign-in the session or remember-me cookie names."""

from __future__ import annotations

from flask import current_app, request, session
from flask_login import current_user
from flask_login.utils import decode_cookie

from quiz import clock
from quiz.accounts import logins
from quiz.extensions import db, login_manager
from quiz.models import User

login_manager.login_view = "accounts.login"
login_manager.login_message = "Log in to see that page."
login_manager.login_message_category = "info"

# What Flask-Login keeps in the session for a sign-in.
SESSION_KEYS = ("_user_id", "_fresh", "_id")


@login_manager.user_loader
def load_user(value: str) -> User | None:
    """The user whose sign-in this is, or None if it is malformed, ended or expired.

    One query, as before sign-ins were recorded: the account joined to its
    sign-in by the unique key. A session whose sign-in has ended forgets it,
    and a remember-me cookie that names an ended one is deleted.
    """
    user = logins.signed_in(db.session(), value, clock.now())
    if user is None and request:
        if session.get("_user_id") == value:
            for key in SESSION_KEYS:
                session.pop(key, None)
        remembered = request.cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token"))
        if remembered and decode_cookie(remembered) == value:
            session["_remember"] = "clear"  # Flask-Login deletes the cookie with the response
    return user


def signed_in_key() -> tuple[int, str] | None:
    """The signed-in user's id and sign-in key, or None for a visitor, without loading the account.

    For requests whose own query checks the sign-in against the rows it touches
    (an attempt's owner, joined to the sign-in by its key): there, loading the
    account costs more than the rest of the request's reads. The value comes
    from the signed session cookie, where signing in put it and logging out
    removes it; whether the sign-in still holds is the caller's query to check.
    A session without one is left to Flask-Login, so that a remember-me cookie
    still signs the user in.
    """
    found = logins.parse(session.get("_user_id"))
    if found is not None:
        return found
    return (current_user.id, current_user.login_key) if current_user.is_authenticated else None
