"""Rate limits (Flask-Limiter): how often one address or one account may try what can be guessed.

Each limit is a setting (``RATELIMIT_*`` in quiz/config.py), read at every
request, so that a big lecture hall behind one NAT address, or a benchmark,
can raise it. A refused request gets 429 with ``Retry-After``, as a page in
the site's layout or as JSON for a script (quiz/errors.py).

The counts live in the store ``RATELIMIT_STORAGE_URI`` names: ``memory://``
counts in each server process; ``redis://...`` shares one count between
every process and server.

Some limits count failures only, so that a classroom of phones behind one
address is not held up by its own success: wrong passwords and PIN look-ups
that find no session (per address). Wrong passwords have two budgets: a
small one per account and address, and a larger one per account from
anywhere. So one address that guesses at an account locks out only itself,
and the owner still signs in from their own; it takes many addresses to
lock an account, and then only as long as the larger window.
"""

from __future__ import annotations

import math
import time

from flask import Flask, current_app, g, request
from flask_limiter import RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_login import current_user

from quiz import errors
from quiz.extensions import limiter


def _setting(name: str):
    return lambda: current_app.config[name]


def _limit(route_limit):
    """A Flask-Limiter decorator that also marks the view as limited (see ``_unlimited``)."""

    def decorate(view):
        limited = route_limit(view)
        limited.rate_limited = True
        return limited

    return decorate


def _unlimited() -> bool:
    """Whether this request's view has no limit: the limiter then skips it at once.

    Flask-Limiter otherwise works out, on every request, that a view without
    limits has none, which costs a tenth of a millisecond: a tenth of what an
    answer costs the server.
    """
    view = current_app.view_functions.get(request.endpoint or "")
    return not getattr(view, "rate_limited", False)


def _typed_name() -> str:
    """The account a sign-in or sign-up form names, folded as names are compared."""
    return (request.form.get("name") or "").strip().lower()[:64]


def _own_name() -> str:
    """The signed-in account's name, folded."""
    return current_user.name.lower() if current_user.is_authenticated else ""


def _account() -> str:
    return str(current_user.id) if current_user.is_authenticated else ""


def note_wrong_password() -> None:
    """Count this request against its account's budget of wrong passwords."""
    g.wrong_password = True


def note_missed_pin() -> None:
    """Count this request against its address's budget of PINs that found no session."""
    g.missed_pin = True


def _wrong_password(_response) -> bool:
    return g.get("wrong_password", False)


def _missed_pin(_response) -> bool:
    return g.get("missed_pin", False)


WRONG_PASSWORDS = "Too many wrong passwords for this account."


def _typed_name_here() -> str:
    return f"{_typed_name()}@{get_remote_address()}"


def _own_name_here() -> str:
    return f"{_own_name()}@{get_remote_address()}"


def _wrong_passwords(account_key, here_key):
    """Both budgets of wrong passwords, shared by every form that checks one for the account."""
    anywhere = limiter.shared_limit(
        _setting("RATELIMIT_ACCOUNT_FAILURES"), scope="wrong-password", key_func=account_key,
        methods=["POST"], deduct_when=_wrong_password, error_message=WRONG_PASSWORDS)
    here = limiter.shared_limit(
        _setting("RATELIMIT_LOGIN_FAILURES"), scope="wrong-password-here", key_func=here_key,
        methods=["POST"], deduct_when=_wrong_password, error_message=WRONG_PASSWORDS)
    return _limit(lambda view: anywhere(here(view)))


wrong_password_typed = _wrong_passwords(_typed_name, _typed_name_here)
wrong_password_own = _wrong_passwords(_own_name, _own_name_here)

sign_in_address = _limit(limiter.limit(
    _setting("RATELIMIT_SIGN_IN"), key_func=get_remote_address, methods=["POST"],
    error_message="Too many sign-in attempts from this address."))
sign_up_address = _limit(limiter.limit(
    _setting("RATELIMIT_SIGN_UP"), key_func=get_remote_address, methods=["POST"],
    error_message="Too many sign-ups from this address."))
sign_up_name = _limit(limiter.shared_limit(
    _setting("RATELIMIT_SIGN_UP_NAME"), scope="sign-up-name", key_func=_typed_name, methods=["POST"],
    error_message="Too many sign-ups under this name."))

# Every look-up by PIN shares one budget of misses per address: guessing PINs is what it stops.
PIN_MISSES = "Too many PINs that match no session, from this address."
pin_lookup = _limit(limiter.shared_limit(
    _setting("RATELIMIT_PIN_MISSES"), scope="pin-miss", key_func=get_remote_address,
    deduct_when=_missed_pin, error_message=PIN_MISSES))
pin_posted = _limit(limiter.shared_limit(  # the join page: only its form looks a PIN up
    _setting("RATELIMIT_PIN_MISSES"), scope="pin-miss", key_func=get_remote_address, methods=["POST"],
    deduct_when=_missed_pin, error_message=PIN_MISSES))
live_join = _limit(limiter.limit(
    _setting("RATELIMIT_LIVE_JOIN"), key_func=get_remote_address, methods=["POST"],
    error_message="Too many players joining from this address."))

bank_import = _limit(limiter.limit(
    _setting("RATELIMIT_IMPORT"), key_func=_account, methods=["POST"],
    error_message="Too many imports from this account."))


def _in_words(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minutes"


def _refused(error: RateLimitExceeded):
    """429 in the site's layout (or JSON), saying when to try again, with ``Retry-After``."""
    breached = limiter.current_limit
    seconds = max(1, math.ceil(breached.reset_at - time.time())) if breached else 60
    return errors.respond(429, f"{error.description} Try again in {_in_words(seconds)}.",
                          {"Retry-After": str(seconds)})


def init_app(app: Flask) -> None:
    """Bind the limiter to the app's settings and answer a refusal in the site's layout."""
    limiter.init_app(app)
    limiter.request_filter(_unlimited)
    app.register_error_handler(RateLimitExceeded, _refused)
