"""A visitor's quizzes become theirs when they sign in: study's answer to Flask-Login's ``user_logged_in``.

A signed-out visitor's attempts are remembered in their session (the last
twenty); signing up or logging in on that browser hands them to the account.
Accounts send the signal and know nothing of study.
"""

from __future__ import annotations

from flask import session

from quiz.extensions import db
from quiz.study.service import claim_attempts

VISITOR_KEY = "visitor_attempts"  # attempt ids a signed-out visitor made, kept in their session
KEPT = 20


def remember(attempt_id: int) -> None:
    """Keep a visitor's new attempt in their session, to claim when they sign in."""
    session[VISITOR_KEY] = [*session.get(VISITOR_KEY, []), attempt_id][-KEPT:]


def visitor_attempts() -> list[int]:
    """The attempts this browser made as a visitor."""
    return session.get(VISITOR_KEY, [])


def claim_on_sign_in(_app, user, **_extra) -> None:
    """Give the account that just signed in the attempts this browser made before (flushed, not committed)."""
    attempt_ids = session.pop(VISITOR_KEY, None)
    if not isinstance(attempt_ids, list):
        return
    ids = [item for item in attempt_ids if type(item) is int]
    if ids:
        claim_attempts(db.session(), ids, user.id)
