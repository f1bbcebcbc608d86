"""Points for a live answer, as Kahoot documents them: speed earns up to half, streaks add a bonus.

Pure functions of plain numbers: no Flask, no database, no clock.
"""

from __future__ import annotations

import math

POINTS = {"standard": 1000, "double": 2000, "none": 0}
FULL_POINTS_WITHIN_MS = 500  # faster than anyone can read: not a race worth ranking
STREAK_STEP = 100
STREAK_CAP = 500


def speed_points(correct: bool, elapsed_ms: int, limit_ms: int, points: int) -> int:
    """round(points * (1 - (response time / question time) / 2)) for a right answer, else 0.

    Answers within half a second earn full points; a time past the limit
    counts as the limit, so a right answer always earns at least half.
    """
    if not correct or points <= 0:
        return 0
    if elapsed_ms <= FULL_POINTS_WITHIN_MS:
        return points
    share = min(elapsed_ms, limit_ms) / limit_ms
    # Half-up rounding: Python's round() would send 0.5 to the even neighbour.
    return math.floor(points * (1 - share / 2) + 0.5)


def next_streak(streak: int, correct: bool) -> int:
    """The answer streak after this answer: one longer when right, back to zero when wrong."""
    return streak + 1 if correct else 0


def streak_bonus(streak: int, points: int) -> int:
    """100 for each consecutive right answer before this one, capped at 500; none when points are off.

    ``streak`` counts this answer, so a first right answer earns no bonus, the
    second earns 100, the sixth and every one after it 500.
    """
    if points <= 0 or streak <= 1:
        return 0
    return min(STREAK_STEP * (streak - 1), STREAK_CAP)
