"""Reading a response: the checks every type's grading and form parsing share.

A response that does not fit its question raises ``InvalidResponse``: forged
input is refused, never graded. See ``quiz.grading`` for each type's shape.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

MAX_TEXT = 1000


class InvalidResponse(ValueError):
    """A response that does not fit its question: malformed or forged, so not graded."""


@dataclass(frozen=True)
class Part:
    """One marked part of an answer: a choice, a blank, a pair or a position.

    ``key`` is the choice's text (multiple), the blank's index (cloze), the
    left-hand text (matching) or the position (ordering). For multiple,
    ``given`` and ``expected`` say whether the choice was and should be picked;
    otherwise they are texts, ``given`` being None for an unanswered pair.
    """

    key: str | int
    given: str | bool | None
    expected: str | bool
    correct: bool


Marked = tuple[bool, float, tuple[Part, ...]]
Form = Mapping[str, str] | Mapping[str, list[str]]  # a MultiDict, a flat dict or a dict of lists


def quote(value: object) -> str:
    """A value for an error message: forged values can be huge, so only their start."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def typed_text(value: object, what: str) -> str:
    """Typed text, refused if it is not text or is over ``MAX_TEXT`` characters."""
    if not isinstance(value, str):
        raise InvalidResponse(f"{what} must be text, not {type(value).__name__}")
    if len(value) > MAX_TEXT:
        raise InvalidResponse(f"{what} is longer than {MAX_TEXT} characters")
    return value


def option(value: object, options: Collection[str], what: str) -> str:
    """One of the question's own texts; no length cap, since only those pass."""
    if not isinstance(value, str):
        raise InvalidResponse(f"expected one of the {what} as text, not {type(value).__name__}")
    if value not in options:
        raise InvalidResponse(f"{quote(value)} is not one of the {what}")
    return value


def as_list(value: object, what: str) -> list[Any]:
    """A JSON list (or tuple) as a list; anything else refused."""
    if not isinstance(value, list | tuple):
        raise InvalidResponse(f"{what} must be a list, not {type(value).__name__}")
    return list(value)


def whole(right: bool) -> Marked:
    """The mark of an all-or-nothing answer."""
    return right, float(right), ()


def share(parts: tuple[Part, ...]) -> Marked:
    """The mark of an answer in parts: the share of them right."""
    right = sum(part.correct for part in parts)
    return right == len(parts), right / len(parts), parts


def values(form: Form, name: str) -> list[str]:
    """Every value a form sends for ``name`` (a MultiDict, a dict of lists or a flat dict)."""
    getlist = getattr(form, "getlist", None)
    found = getlist(name) if callable(getlist) else form.get(name, [])
    # A flat dict (to_dict() without flat=False) holds one str per field.
    return [found] if isinstance(found, str) else list(found)


def one(form: Form, name: str) -> str:
    """The one value of a single-valued field; missing or repeated is refused."""
    found = values(form, name)
    if not found:
        raise InvalidResponse(f"the form has no {name!r} field")
    if len(found) > 1:
        raise InvalidResponse(f"the form sends {name!r} {len(found)} times; it takes one value")
    return found[0]


def indexed(form: Form, prefix: str, count: int) -> list[str]:
    """The values of ``<prefix>-0`` .. ``<prefix>-<count-1>``; a field beyond them is refused."""
    names = [f"{prefix}-{index}" for index in range(count)]
    extra = sorted(
        key for key in form if isinstance(key, str) and key.startswith(f"{prefix}-")
        and key not in names
    )
    if extra:
        raise InvalidResponse(f"the form has fields this question lacks: {quote(extra[:3])}")
    return [one(form, name) for name in names]
