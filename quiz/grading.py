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

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from quiz.questions import QUESTION_TYPES, QuestionType
from quiz.questions.responses import MAX_TEXT, Form, InvalidResponse, Marked, Part

__all__ = ["MAX_TEXT", "Form", "Grade", "InvalidResponse", "Marked", "Part", "grade", "parse_form"]


@dataclass(frozen=True)
class Grade:
    """The mark of one response: right or not, the score, the answer in words, each part."""

    correct: bool
    score: float
    expected: str
    detail: tuple[Part, ...] = ()


def _question_type(question: dict[str, Any]) -> QuestionType:
    # An unknown type is broken content, not a learner's fault: plain ValueError.
    name = question.get("type")
    qtype = QUESTION_TYPES.get(name) if isinstance(name, str) else None
    if qtype is None:
        raise ValueError(f"question {question.get('id')!r} has unknown type {name!r}")
    return qtype


def grade(question: dict[str, Any], response: object) -> Grade:
    """Mark a response to a question; InvalidResponse if it is malformed or forged."""
    qtype = _question_type(question)
    correct, score, detail = qtype.grade(question, response)
    return Grade(correct, score, qtype.answer_text(question), detail)


def parse_form(question: dict[str, Any], form: Form) -> object:
    """Turn a question's HTML form fields into its response; InvalidResponse if forged."""
    response = _question_type(question).parse_form(question, form)
    # The checks grading applies, so a forged value fails here and not later.
    grade(question, response)
    return response


class _ByType(Mapping[str, Callable[..., Any]]):
    """A read-only view of one method of every registered type, keyed by type name."""

    def __init__(self, method: str):
        self._method = method

    def __getitem__(self, name: str) -> Callable[..., Any]:
        method: Callable[..., Any] = getattr(QUESTION_TYPES[name], self._method)
        return method

    def __iter__(self) -> Iterator[str]:
        return iter(QUESTION_TYPES)

    def __len__(self) -> int:
        return len(QUESTION_TYPES)


GRADERS = _ByType("grade")
FORM_PARSERS = _ByType("parse_form")


def _require_every_type(table: Mapping[str, object], name: str) -> None:
    """Fail when a table keyed by question type misses or invents a type."""
    missing = QUESTION_TYPES.keys() - table.keys()
    unknown = table.keys() - QUESTION_TYPES.keys()
    if missing or unknown:
        raise RuntimeError(
            f"{name}: missing types {sorted(missing)}, unknown types {sorted(unknown)}"
        )
