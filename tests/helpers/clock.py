"""A clock tests can stop and move, for apps that read the time from their CLOCK setting."""

from __future__ import annotations

from datetime import UTC, datetime

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Clock:
    """A clock that stands still until a test moves it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now
