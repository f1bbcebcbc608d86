"""Creating and checking accounts; plain values in, no request in sight."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from quiz.models import User

NAME_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{2,40}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 200


class AccountError(ValueError):
    """A request about an account that cannot be granted; the message says why."""


def find_user(session: Session, name: str) -> User | None:
    """The account with this name, compared without regard to case."""
    return session.scalar(select(User).where(func.lower(User.name) == name.lower()))


def create_user(session: Session, name: str, password: str, *, instructor: bool = False) -> User:
    """Make an account with a hashed password; flushes, the caller commits."""
    name = name.strip()
    if not NAME_PATTERN.match(name):
        raise AccountError("A name is 2 to 40 letters, digits, dots, dashes or underscores.")
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise AccountError(f"A password is {MIN_PASSWORD} to {MAX_PASSWORD} characters long.")
    if find_user(session, name) is not None:
        raise AccountError(f"The name '{name}' is taken.")
    user = User(name=name, password_hash=generate_password_hash(password), is_instructor=instructor)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, name: str, password: str) -> User | None:
    """The user whose name and password these are, or None."""
    user = find_user(session, name.strip())
    if user is None or not check_password_hash(user.password_hash, password):
        return None
    return user
