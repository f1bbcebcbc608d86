"""Passwords: hashed off the request's event loop, checked at one cost whoever asks, common ones refused.

Hashing (scrypt) takes a good tenth of a second of CPU by design. Under
gevent every request of a worker shares one thread, so a hash computed there
would hold all of them up; it runs in a thread instead, where OpenSSL's
scrypt releases the GIL and the other requests go on.

Signing in with a name nobody has checks the password against a hash of
nothing, so that it costs as much as a wrong password and the time taken
does not say which names exist.
"""

from __future__ import annotations

import gzip
import os
import secrets
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TypeVar

from werkzeug.security import check_password_hash, generate_password_hash

# The 20,000 most common passwords, lowercased; see data/README.md for where the list comes from.
COMMON_PASSWORDS = Path(__file__).parent / "data" / "common-passwords.txt.gz"

Result = TypeVar("Result")


@cache
def _hashing_threads():
    """This process's threads for hashing: one per core, since more would only share the cores.

    Each scrypt hash also takes 32 MiB while it runs, so a flood of sign-ins
    queues here instead of filling the memory.
    """
    from gevent.threadpool import ThreadPool

    return ThreadPool(maxsize=os.cpu_count() or 1)


def _off_the_loop(work: Callable[..., Result], *args: object) -> Result:
    """``work(*args)`` in a thread of its own when gevent runs this process, else right here."""
    from gevent import monkey  # gevent is a dependency; only ``quiz serve`` patches with it

    if monkey.is_module_patched("socket"):
        return _hashing_threads().apply(work, args)
    return work(*args)


def hash_password(password: str) -> str:
    """The salted scrypt hash of ``password``, as werkzeug writes it."""
    return _off_the_loop(generate_password_hash, password)


@cache
def _nobodys_hash() -> str:
    """A hash with the same parameters as every new account's, of a password nobody knows (made once)."""
    return hash_password(secrets.token_urlsafe(32))


def check_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; with no hash (no such account) it costs the same and is False."""
    if password_hash is None:
        _off_the_loop(check_password_hash, _nobodys_hash(), password)
        return False
    return _off_the_loop(check_password_hash, password_hash, password)


@cache
def _common() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def is_common(password: str) -> bool:
    """Whether the password is on the list of common passwords, whatever its case."""
    return password.strip().lower() in _common()


def weakness(name: str, password: str) -> str | None:
    """Why this password is refused for the account ``name``, or None when it will do."""
    if password.strip().casefold() == name.strip().casefold():
        return "A password cannot be the account's name."
    if is_common(password):
        return "That password is one of the most common ones, the first an attacker tries. Choose another."
    return None
