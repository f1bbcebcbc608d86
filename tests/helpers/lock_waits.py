"""Barriers for the PostgreSQL race tests: go on once another transaction waits on a row lock."""

from __future__ import annotations

import time

from sqlalchemy import text

from quiz.extensions import db


def until_someone_waits_on_a_lock(app, seconds: float = 5.0) -> bool:
    """Return True once a backend of the app's database waits for a lock; False after ``seconds``.

    A test that holds a transaction open goes on when the other side is
    blocked behind it, not after a guessed sleep: quicker, and it cannot go
    on too early on a slow machine. False (nobody ever waited) lets the
    test's own assertions say what went wrong.
    """
    deadline = time.monotonic() + seconds
    with app.app_context(), db.engine.connect() as connection:
        while time.monotonic() < deadline:
            waiting = connection.scalar(text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()"))
            connection.rollback()
            if waiting:
                return True
            time.sleep(0.01)
    return False
