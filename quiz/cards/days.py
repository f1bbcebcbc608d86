"""Days in the learner's time zone: scheduling is in UTC, but "today" is local.

A day runs from local midnight to local midnight, so it is 23 or 25 hours long
when the clocks change; every boundary is turned back into a UTC instant.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


class UnknownTimeZone(ValueError):
    """A time zone name that the IANA database does not know."""


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    """The IANA time zone called ``name``; raises UnknownTimeZone for anything else."""
    # Only names the database lists: ZoneInfo would also open paths such as "../../etc/x".
    if name not in names():
        raise UnknownTimeZone(f"'{name}' is not a time zone name such as Europe/Paris or UTC.")
    return ZoneInfo(name)


@lru_cache(maxsize=1)
def names() -> frozenset[str]:
    """Every IANA time zone name this machine knows."""
    try:
        return frozenset(available_timezones() | {"UTC"})
    except ZoneInfoNotFoundError:  # pragma: no cover - a machine without tzdata
        return frozenset({"UTC"})


def local_date(moment: datetime, zone_name: str) -> date:
    """The calendar date at ``moment`` (an aware instant) in the zone."""
    return moment.astimezone(zone(zone_name)).date()


def day_start(day: date, zone_name: str) -> datetime:
    """The UTC instant at which ``day`` begins in the zone."""
    return datetime.combine(day, time(0), tzinfo=zone(zone_name)).astimezone(UTC)


def today_bounds(now: datetime, zone_name: str) -> tuple[datetime, datetime]:
    """Start and end, as UTC instants, of the local day that contains ``now``."""
    today = local_date(now, zone_name)
    return day_start(today, zone_name), day_start(today + timedelta(days=1), zone_name)


def describe(moment: datetime, now: datetime, zone_name: str) -> str:
    """When ``moment`` is, for a person in the zone: "tomorrow at 09:00 (in 18 hours)"."""
    place = zone(zone_name)
    local, today = moment.astimezone(place), now.astimezone(place).date()
    clock = f"{local:%H:%M}"
    gap = (local.date() - today).days
    if gap == 0:
        day = f"today at {clock}"
    elif gap == 1:
        day = f"tomorrow at {clock}"
    else:
        day = f"on {local:%A} {local.day} {local:%B} at {clock}"
    return f"{day} ({_in(moment - now)})"


def _in(gap: timedelta) -> str:
    minutes = max(round(gap.total_seconds() / 60), 1)
    if minutes < 60:
        return f"in {minutes} minute{'s' if minutes != 1 else ''}"
    hours = round(minutes / 60)
    if hours < 48:
        return f"in {hours} hour{'s' if hours != 1 else ''}"
    return f"in {round(hours / 24)} days"
