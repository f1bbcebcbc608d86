"""Grading: one ``grade(question, response)`` for every question type, used by every mode.

``question`` is a question as a bank writes it (the YAML mapping, or
``Question.to_dict()``). ``response`` is the learner's answer as plain JSON:

============  ==================================================================
type          response
============  ==================================================================
single        the chosen choice's text: ``"Paravirtualization"``
multiple      a list of the chosen choices' texts, in any order (``[]`` picks none)
true_false    ``true`` or ``false``
short         the typed text
cloze         a list of texts, one per blank in prompt order (``""`` leaves one empty)
matching      an object from each left-hand text to the chosen right-hand text;
              a left-hand text left out is unanswered
ordering      a list of every item's text, in the learner's order
============  ==================================================================

A response of another shape, a choice, pair or item the question does not
have, a wrong number of blanks, a repeated pick, an order that is not a
permutation of the items or typed text over ``MAX_TEXT`` characters raises
``InvalidResponse``: forged input is refused, never graded.

``parse_form(question, fields)`` builds the response from an HTML form, given
as field name -> list of values (``request.form.to_dict(flat=False)``; a
werkzeug ``MultiDict`` is read with ``getlist``):

================  ==============================================================
field             holds
================  ==============================================================
``choice``        single: the choice's text; true_false: ``true`` or ``false``;
                  multiple: the field repeated, once per ticked choice
``answer``        short: the typed text
``blank-<n>``     cloze: the text typed in blank n
``match-<n>``     matching: the right-hand text chosen for the n-th left-hand
                  text in file order; empty when none is chosen
``position-<n>``  ordering: the text of the item placed at position n
================  ==============================================================

Indices count from 0. Every multi-part answer is a set of indexed fields, so a
page works without scripts (a text box per blank, a select per left-hand text
or position) and a script-driven page fills the same fields. Fields outside
this scheme (CSRF token, submit button) are ignored; a missing field, a
repeated single-valued field or an indexed field beyond the question's parts
raises ``InvalidResponse``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from quiz.content.types import QUESTION_TYPES, QuestionType, cloze_blanks
from quiz.content.words import same_answer

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


@dataclass(frozen=True)
class Grade:
    """The mark of one response: right or not, the score, the answer in words, each part."""

    correct: bool
    score: float
    expected: str
    detail: tuple[Part, ...] = ()


Marked = tuple[bool, float, tuple[Part, ...]]


def _quote(value: object) -> str:
    # Forged values can be huge; an error message repeats only their start.
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise InvalidResponse(f"{what} must be text, not {type(value).__name__}")
    if len(value) > MAX_TEXT:
        raise InvalidResponse(f"{what} is longer than {MAX_TEXT} characters")
    return value


def _option(value: object, options: Collection[str], what: str) -> str:
    # No length cap here: only the content's own texts pass, however long.
    if not isinstance(value, str):
        raise InvalidResponse(f"expected one of the {what} as text, not {type(value).__name__}")
    if value not in options:
        raise InvalidResponse(f"{_quote(value)} is not one of the {what}")
    return value


def _list(value: object, what: str) -> list:
    if not isinstance(value, list | tuple):
        raise InvalidResponse(f"{what} must be a list, not {type(value).__name__}")
    return list(value)


def _whole(right: bool) -> Marked:
    return right, float(right), ()


def _share(parts: tuple[Part, ...]) -> Marked:
    right = sum(part.correct for part in parts)
    return right == len(parts), right / len(parts), parts


def _matches(typed: str, alternatives: list[str]) -> bool:
    # Case, accents, punctuation, a leading article, simple plurals and hyphens are
    # forgiven for every question, so banks need not list such variants by hand. Text
    # with no letters or digits has no form and matches nothing.
    return same_answer(typed, alternatives)


def _grade_single(question: dict, response: object) -> Marked:
    return _whole(_option(response, question["choices"], "choices") == question["answer"])


def _grade_multiple(question: dict, response: object) -> Marked:
    choices, answer = question["choices"], set(question["answer"])
    picks = _list(response, "the picks")
    # Checked before the loop so a forged million-item list costs nothing.
    if len(picks) > len(choices):
        raise InvalidResponse(f"{len(picks)} picks for {len(choices)} choices")
    chosen = {_option(pick, choices, "choices") for pick in picks}
    if len(chosen) != len(picks):
        raise InvalidResponse("a choice is picked more than once")
    parts = tuple(
        Part(choice, choice in chosen, choice in answer, (choice in chosen) == (choice in answer))
        for choice in choices
    )
    # Moodle-like: each wrong pick cancels a right one, so ticking every box earns nothing.
    score = max(0.0, (len(chosen & answer) - len(chosen - answer)) / len(answer))
    return chosen == answer, score, parts


def _grade_true_false(question: dict, response: object) -> Marked:
    # bool only: JSON 1 or "true" would be a client bug that should surface.
    if not isinstance(response, bool):
        raise InvalidResponse(f"expected true or false, not {_quote(response)}")
    return _whole(response == question["answer"])


def _grade_short(question: dict, response: object) -> Marked:
    return _whole(_matches(_text(response, "the answer"), question["answer"]))


def _grade_cloze(question: dict, response: object) -> Marked:
    blanks = cloze_blanks(question["prompt"])
    given = _list(response, "the blanks")
    if len(given) != len(blanks):
        raise InvalidResponse(f"expected {len(blanks)} blank(s), got {len(given)}")
    typed = [_text(text, f"blank {index}") for index, text in enumerate(given)]
    return _share(tuple(
        Part(index, text, alternatives[0], _matches(text, alternatives))
        for index, (text, alternatives) in enumerate(zip(typed, blanks, strict=True))
    ))


def _grade_matching(question: dict, response: object) -> Marked:
    pairs: dict[str, str] = question["pairs"]
    if not isinstance(response, Mapping):
        raise InvalidResponse(f"the pairs must be a mapping, not {type(response).__name__}")
    rights = set(pairs.values())
    for left, right in response.items():
        if not isinstance(left, str) or left not in pairs:
            raise InvalidResponse(f"{_quote(left)} is not a left-hand item of this question")
        _option(right, rights, "right-hand items")
    return _share(tuple(
        Part(left, response.get(left), right, response.get(left) == right)
        for left, right in pairs.items()
    ))


def _grade_ordering(question: dict, response: object) -> Marked:
    items: list[str] = question["items"]
    order = _list(response, "the order")
    # Items are distinct (the schema says so), so equal length and equal sets is a permutation.
    if (
        len(order) != len(items)
        or not all(isinstance(item, str) for item in order)
        or set(order) != set(items)
    ):
        raise InvalidResponse("the order must list every item of the question exactly once")
    return _share(tuple(
        Part(position, given, expected, given == expected)
        for position, (given, expected) in enumerate(zip(order, items, strict=True))
    ))


GRADERS: dict[str, Callable[[dict, object], Marked]] = {
    "single": _grade_single,
    "multiple": _grade_multiple,
    "true_false": _grade_true_false,
    "short": _grade_short,
    "cloze": _grade_cloze,
    "matching": _grade_matching,
    "ordering": _grade_ordering,
}


def _question_type(question: dict) -> QuestionType:
    # An unknown type is broken content, not a learner's fault: plain ValueError.
    name = question.get("type")
    qtype = QUESTION_TYPES.get(name) if isinstance(name, str) else None
    if qtype is None:
        raise ValueError(f"question {question.get('id')!r} has unknown type {name!r}")
    return qtype


def grade(question: dict, response: object) -> Grade:
    """Mark a response to a question; InvalidResponse if it is malformed or forged."""
    qtype = _question_type(question)
    correct, score, detail = GRADERS[qtype.name](question, response)
    return Grade(correct, score, qtype.answer_text(question), detail)


Form = Mapping[str, list[str]]


def _values(form: Form, name: str) -> list[str]:
    getlist = getattr(form, "getlist", None)
    values = getlist(name) if callable(getlist) else form.get(name, [])
    # A flat dict (to_dict() without flat=False) holds one str per field.
    return [values] if isinstance(values, str) else list(values)


def _one(form: Form, name: str) -> str:
    values = _values(form, name)
    if not values:
        raise InvalidResponse(f"the form has no {name!r} field")
    if len(values) > 1:
        raise InvalidResponse(f"the form sends {name!r} {len(values)} times; it takes one value")
    return values[0]


def _indexed(form: Form, prefix: str, count: int) -> list[str]:
    names = [f"{prefix}-{index}" for index in range(count)]
    extra = sorted(
        key for key in form if isinstance(key, str) and key.startswith(f"{prefix}-")
        and key not in names
    )
    if extra:
        raise InvalidResponse(f"the form has fields this question lacks: {_quote(extra[:3])}")
    return [_one(form, name) for name in names]


_TRUTH = {"true": True, "false": False}


def _form_true_false(question: dict, form: Form) -> bool:
    value = _one(form, "choice")
    if value not in _TRUTH:
        raise InvalidResponse(f"'choice' must be 'true' or 'false', not {_quote(value)}")
    return _TRUTH[value]


def _form_multiple(question: dict, form: Form) -> list[str]:
    picks = _values(form, "choice")
    # Browsers omit unticked boxes, so no field means nothing was ticked.
    if not picks:
        raise InvalidResponse("the form has no 'choice' field: no choice was ticked")
    return picks


def _form_matching(question: dict, form: Form) -> dict[str, str]:
    lefts = list(question["pairs"])
    chosen = _indexed(form, "match", len(lefts))
    return {left: right for left, right in zip(lefts, chosen, strict=True) if right}


FORM_PARSERS: dict[str, Callable[[dict, Form], object]] = {
    "single": lambda question, form: _one(form, "choice"),
    "multiple": _form_multiple,
    "true_false": _form_true_false,
    "short": lambda question, form: _one(form, "answer"),
    "cloze": lambda question, form: _indexed(form, "blank", len(cloze_blanks(question["prompt"]))),
    "matching": _form_matching,
    "ordering": lambda question, form: _indexed(form, "position", len(question["items"])),
}


def parse_form(question: dict, form: Form) -> object:
    """Turn a question's HTML form fields into its response; InvalidResponse if forged."""
    response = FORM_PARSERS[_question_type(question).name](question, form)
    # The checks grading applies, so a forged value fails here and not later.
    grade(question, response)
    return response


def _require_every_type(table: Mapping[str, object], name: str) -> None:
    """Fail at import when a table keyed by question type misses or invents a type."""
    missing = QUESTION_TYPES.keys() - table.keys()
    unknown = table.keys() - QUESTION_TYPES.keys()
    if missing or unknown:
        raise RuntimeError(
            f"{name}: missing types {sorted(missing)}, unknown types {sorted(unknown)}"
        )


_require_every_type(GRADERS, "GRADERS")
_require_every_type(FORM_PARSERS, "FORM_PARSERS")
