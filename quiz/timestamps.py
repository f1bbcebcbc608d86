"""The one kind of datetime the app stores and reads: timezone-aware, in UTC.

SQLite keeps no time zone, so its driver hands back naive datetimes (and would
store an aware one as its wall time, dropping the offset); PostgreSQL hands back
aware ones in the connection's zone. ``UtcDateTime`` is the column type that
makes both alike: what goes in is turned to UTC, what comes out is aware UTC.
In the database it stays ``DateTime(timezone=True)``, so the schema is unchanged.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


def as_utc(moment: datetime) -> datetime:
    """The same instant in UTC, aware; a naive moment is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware DateTime column whose values are always aware UTC datetimes."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """UTC on the way in, so SQLite's offset-less text holds the UTC wall time."""
        return None if value is None else as_utc(value)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Aware UTC on the way out, whichever database read it."""
        return None if value is None else as_utc(value)
