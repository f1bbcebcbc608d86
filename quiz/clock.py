"""The app's one clock: the current time as aware UTC, by the ``CLOCK`` setting when one is set.

Every feature reads the time here (tests set ``CLOCK`` to a clock they stop
and move) and hands it to its services as a plain ``now`` argument.
"""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app

from quiz.models import utcnow
from quiz.timestamps import as_utc


def now_for(app: Flask) -> datetime:
    """The current time by ``app``'s clock, aware UTC (for threads that hold the app itself)."""
    clock = app.config.get("CLOCK")
    return as_utc(clock()) if callable(clock) else utcnow()


def now() -> datetime:
    """The current time by the running app's clock, aware UTC."""
    return now_for(current_app)
