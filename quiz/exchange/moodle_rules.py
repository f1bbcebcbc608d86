"""What Moodle's importers accept: answer grades, typed-answer patterns, category paths.

Moodle imports a choice's weight only if it is one of a fixed list (its
``question_bank::fraction_options_full``; anything else is an import error
by default), and a multiple-answer question only if the positive weights
add up to 100% once rounded to two decimals of a fraction.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import product

# Written as Moodle writes them: seven decimals of a fraction, so five of a percentage.
POSITIVE_PERCENTS = (
    "100", "90", "83.33333", "80", "75", "70", "66.66667", "60", "50", "40", "33.33333",
    "30", "25", "20", "16.66667", "14.28571", "12.5", "11.11111", "10", "5",
)
VALID_PERCENTS = frozenset(POSITIVE_PERCENTS) | {f"-{p}" for p in POSITIVE_PERCENTS} | {"0"}
_POSITIVE = [Decimal(p) for p in POSITIVE_PERCENTS]


def is_valid_percent(text: str) -> bool:
    """Whether ``text`` (as written in a file, ``33.33333`` or ``-50``) is a grade Moodle accepts."""
    try:
        value = Decimal(text.strip())
    except ArithmeticError:
        return False
    # Moodle compares with a small tolerance, so 33.333333 and 33.33333 are the same grade.
    return any(abs(abs(value) - grade) < Decimal("0.001") for grade in [*_POSITIVE, Decimal(0)])


def adds_up(weights: list[Decimal]) -> bool:
    """Whether positive weights pass Moodle's check: their sum rounds to 100% at two decimals."""
    return abs(sum(weights, Decimal(0)) - 100) < Decimal("0.5")


def _text(value: Decimal) -> str:
    return format(value.normalize(), "f")


def right_weights(count: int) -> list[str]:
    """The weights of ``count`` right answers: equal shares if Moodle has that grade.

    1/3 is 33.33333 (Moodle's own value, never 33). With 11 or 12 right
    answers no single grade adds up to 100%, so the shares are the two
    nearest grades mixed (for 11: nine of 10% and two of 5%).
    """
    if count < 1:
        raise ValueError("a multiple-answer question needs at least one right answer")
    share = Decimal(100) / count
    for grade in sorted(_POSITIVE, key=lambda g: abs(g - share)):
        if adds_up([grade] * count):
            return [_text(grade)] * count
    higher = sorted((g for g in _POSITIVE if g > share), key=lambda g: g - share)
    lower = sorted((g for g in _POSITIVE if g < share), key=lambda g: share - g)
    for high, low in product(higher, lower):
        for many in range(1, count):
            if adds_up([high] * many + [low] * (count - many)):
                return [_text(high)] * many + [_text(low)] * (count - many)
    raise ValueError(f"no mix of Moodle's grades gives {count} right answers 100% in all")


def penalty(count: int) -> str:
    """The weight of a wrong answer when ``count`` are right: minus one right answer's share.

    That is how this app grades a multiple-answer question (each wrong pick
    cancels a right one, never below zero), and Moodle floors at zero too.
    """
    share = Decimal(100) / count
    return "-" + _text(min(_POSITIVE, key=lambda g: abs(g - share)))


def typed_answer(answer: str) -> str:
    """A typed answer as Moodle's short-answer matching reads it: ``*`` is a wildcard unless escaped."""
    return answer.replace("*", "\\*")


def read_typed_answer(pattern: str) -> str | None:
    """A Moodle short-answer pattern as plain text, or None if it has a wildcard ``*``."""
    if "*" in pattern.replace("\\*", ""):
        return None
    return pattern.replace("\\*", "*")


def category_path(title: str) -> str:
    """A bank title as one level of a Moodle category path: one line, "/" doubled as Moodle escapes it."""
    return " ".join(title.split()).replace("/", "//")


def category_title(path: str) -> str:
    """The last level of a Moodle category path, its context and "top" levels skipped."""
    parts = [p.replace("\0", "/").strip() for p in path.replace("//", "\0").split("/")]
    parts = [p for p in parts if p and p not in ("$course$", "$cat$", "$module$", "$system$", "top")]
    return parts[-1] if parts else ""


# What both Moodle formats lose, said once for the export reports of both.
MULTIPLE_NOTE = ("Moodle has no 1/11 or 1/12 grade, so 11 or 12 right choices get 10% and 5% "
                 "shares (fewer score exactly as here)")
SHORT_NOTE = "Moodle matches typed answers ignoring case only, not spacing or punctuation"
