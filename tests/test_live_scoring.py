"""Live scoring: Kahoot's speed formula, full points within half a second, the capped streak bonus."""

from __future__ import annotations

import pytest

from quiz.live.scoring import POINTS, next_streak, speed_points, streak_bonus


@pytest.mark.parametrize(("elapsed_ms", "expected"), [
    (0, 1000), (500, 1000),          # within half a second: full points
    (501, 987),                      # 1000 * (1 - 0.501/20/2) = 987.475
    (10_000, 750), (20_000, 500),    # half the time: three quarters; all of it: half
    (25_000, 500),                   # later than the limit counts as the limit
])
def test_speed_points_follow_the_formula(elapsed_ms, expected):
    assert speed_points(True, elapsed_ms, 20_000, 1000) == expected


def test_rounding():
    assert speed_points(True, 1000, 16_000, 1000) == 969   # 968.75
    assert speed_points(True, 6000, 16_000, 2000) == 1625  # exactly
    assert speed_points(True, 900, 100_000, 1000) == 996   # 995.5: half up, not to the even 996


def test_wrong_answers_and_no_points_earn_nothing():
    assert speed_points(False, 100, 20_000, 1000) == 0
    assert speed_points(True, 100, 20_000, POINTS["none"]) == 0


def test_double_points():
    assert speed_points(True, 10_000, 20_000, POINTS["double"]) == 1500


def test_streak_grows_when_right_and_resets_when_wrong():
    assert next_streak(0, True) == 1
    assert next_streak(4, True) == 5
    assert next_streak(4, False) == 0


@pytest.mark.parametrize(("streak", "bonus"), [(0, 0), (1, 0), (2, 100), (3, 200), (6, 500), (12, 500)])
def test_streak_bonus_is_100_per_answer_capped_at_500(streak, bonus):
    assert streak_bonus(streak, 1000) == bonus


def test_no_streak_bonus_when_points_are_off():
    assert streak_bonus(5, 0) == 0
