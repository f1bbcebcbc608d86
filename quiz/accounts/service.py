"""Creating and checking accounts; plain values in, no request in sight."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from quiz.accounts import logins
from quiz.models import User
from quiz.security.passwords import check_password, hash_password, weakness

NAME_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{2,40}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 200


class AccountError(ValueError):
    """A request about an account that cannot be granted; the message says why."""


class NameTaken(AccountError):
    """Another account has this name, whatever its case."""


def find_user(session: Session, name: str) -> User | None:
    """The account with this name, compared without regard to case."""
    return session.scalar(select(User).where(func.lower(User.name) == name.lower()))


def create_user(session: Session, name: str, password: str, *, instructor: bool = False) -> User:
    """Make an account with a hashed password; flushes, the caller commits.

    The password is hashed before the database is asked anything, so that no
    connection is held while the hash is computed (a tenth of a second).
    """
    name = name.strip()
    if not NAME_PATTERN.match(name):
        raise AccountError("A name is 2 to 40 letters, digits, dots, dashes or underscores.")
    check_new_password(name, password)
    password_hash = hash_password(password)
    if find_user(session, name) is not None:
        raise NameTaken(f"The name '{name}' is taken.")
    user = User(name=name, password_hash=password_hash, is_instructor=instructor)
    session.add(user)
    session.flush()
    return user


def check_new_password(name: str, password: str) -> None:
    """AccountError unless ``password`` may become the password of the account ``name``."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise AccountError(f"A password is {MIN_PASSWORD} to {MAX_PASSWORD} characters long.")
    problem = weakness(name, password)
    if problem:
        raise AccountError(problem)


def authenticate(session: Session, name: str, password: str) -> User | None:
    """The user with this name and password, or None; an unknown name costs what a wrong password does.

    Call it before writing anything: it ends the session's transaction once the
    account is read, so that the connection goes back to the pool while the
    hash is checked. Under gevent a worker serves hundreds of requests at once
    with a pool of a few connections; sign-ins holding them would stall the rest.
    """
    user = find_user(session, name.strip())
    password_hash = user.password_hash if user else None
    session.rollback()
    if not check_password(password_hash, password):
        return None
    return user


def set_password(session: Session, user: User, password: str) -> None:
    """Give the account a new password and end every sign-in it has; flushes, the caller commits."""
    check_new_password(user.name, password)
    user.password_hash = hash_password(password)
    logins.end_all(session, user.id)
    session.flush()
