"""Sign-ins on this browser: what the account views do with the request, the session and the cookies."""

from __future__ import annotations

from flask import current_app, request, session
from flask_login import login_user, logout_user

from quiz import clock
from quiz.accounts import logins
from quiz.extensions import db
from quiz.models import User


def lifetime():
    """How long a sign-in lasts at most: as long as the longer of its two cookies."""
    config = current_app.config
    return max(config["REMEMBER_COOKIE_DURATION"], config["PERMANENT_SESSION_LIFETIME"])


def remembered() -> bool:
    """Whether this browser sent a remember-me cookie."""
    return current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies


def sign_in(user: User, *, remember: bool) -> None:
    """Start a new sign-in of ``user`` on this browser, with a new key for both cookies (flushed)."""
    logins.start(db.session(), user, clock.now(), lifetime())
    session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME, not with the browser
    login_user(user, remember=remember)


def sign_out() -> None:
    """End this browser's sign-in (flushed): a copy of its session or remember-me cookie opens nothing."""
    logins.end(db.session(), session.get("_user_id"))
    # logout_user also marks the remember cookie for deletion; clearing the whole session
    # here would drop that mark.
    logout_user()


def sign_out_everywhere(user_id: int) -> int:
    """End every sign-in of the account, this browser's included; how many there were."""
    ended = logins.end_all(db.session(), user_id)
    logout_user()
    return ended
