"""The question types, declared once.

Each type names the keys it adds to a question (with their JSON Schema, from
which the editor schema and the validator are both built), the checks the
schema cannot express, and how to state its correct answer in words. Grading,
rendering and every export format key their behaviour by ``QUESTION_TYPES``;
tests fail when a type lacks an entry in any of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from quiz.content.errors import Path
from quiz.content.words import fold

Problem = tuple[Path, str]

TEXT = {"type": "string", "minLength": 1, "maxLength": 2000}
CHOICES = {"type": "array", "items": TEXT, "minItems": 2, "maxItems": 12, "uniqueItems": True}

_BLANK = re.compile(r"\{\{(.*?)\}\}")


def normalize_text(text: str) -> str:
    """Fold text for comparison: case, accents, spacing and punctuation."""
    return fold(text)


def cloze_blanks(prompt: str) -> list[list[str]]:
    """The accepted alternatives of each ``{{a|b}}`` blank in a cloze prompt."""
    return [[alt.strip() for alt in match.split("|")] for match in _BLANK.findall(prompt)]


def cloze_segments(prompt: str) -> list[str]:
    """The prompt's text around its blanks: one more segment than there are blanks."""
    return _BLANK.split(prompt)[::2]


@dataclass(frozen=True)
class QuestionType:
    """A kind of question: its keys, its extra checks and its answer in words."""

    name: str
    label: str
    fields: dict[str, dict]
    required: tuple[str, ...]
    check: Callable[[dict], Iterator[Problem]]
    answer_text: Callable[[dict], str]


def _no_checks(question: dict) -> Iterator[Problem]:
    return iter(())


def _check_single(question: dict) -> Iterator[Problem]:
    choices, answer = question.get("choices"), question.get("answer")
    if isinstance(choices, list) and isinstance(answer, str) and answer not in choices:
        yield ("answer",), f"'{answer}' is not one of the choices"


def _check_multiple(question: dict) -> Iterator[Problem]:
    choices, answer = question.get("choices"), question.get("answer")
    if not (isinstance(choices, list) and isinstance(answer, list)):
        return
    for index, item in enumerate(answer):
        if isinstance(item, str) and item not in choices:
            yield ("answer", index), f"'{item}' is not one of the choices"


def _check_short(question: dict) -> Iterator[Problem]:
    for index, item in enumerate(question.get("answer") or []):
        if isinstance(item, str) and item.strip() and not normalize_text(item):
            yield ("answer", index), f"'{item}' has no letters or digits, so nothing can match it"


def _check_cloze(question: dict) -> Iterator[Problem]:
    prompt = question.get("prompt")
    if not isinstance(prompt, str):
        return
    blanks = cloze_blanks(prompt)
    if not blanks:
        yield ("prompt",), "a cloze prompt needs at least one {{blank}}"
    for number, alternatives in enumerate(blanks, start=1):
        if any(not normalize_text(alt) for alt in alternatives):
            yield ("prompt",), f"blank {number} has an empty alternative"
    leftover = "".join(cloze_segments(prompt))
    if "{{" in leftover or "}}" in leftover:
        yield ("prompt",), "unbalanced '{{' or '}}' in the cloze prompt"


def _check_matching(question: dict) -> Iterator[Problem]:
    pairs = question.get("pairs")
    if not isinstance(pairs, dict):
        return
    seen: dict[str, str] = {}
    for left, right in pairs.items():
        if isinstance(right, str) and right in seen:
            yield ("pairs", left), f"'{right}' is already matched to '{seen[right]}'"
        elif isinstance(right, str):
            seen[right] = left


def _join(items: list) -> str:
    return "; ".join(str(item) for item in items)


QUESTION_TYPES: dict[str, QuestionType] = {
    qtype.name: qtype
    for qtype in (
        QuestionType(
            name="single",
            label="Single choice",
            fields={"choices": CHOICES, "answer": TEXT},
            required=("choices", "answer"),
            check=_check_single,
            answer_text=lambda q: q["answer"],
        ),
        QuestionType(
            name="multiple",
            label="Multiple choice",
            fields={
                "choices": CHOICES,
                "answer": {"type": "array", "items": TEXT, "minItems": 1, "uniqueItems": True},
            },
            required=("choices", "answer"),
            check=_check_multiple,
            answer_text=lambda q: _join(q["answer"]),
        ),
        QuestionType(
            name="true_false",
            label="True or false",
            fields={"answer": {"type": "boolean"}},
            required=("answer",),
            check=_no_checks,
            answer_text=lambda q: "True" if q["answer"] else "False",
        ),
        QuestionType(
            name="short",
            label="Short answer",
            fields={
                "answer": {
                    "type": "array",
                    "items": {"type": "string", "minLength": 1, "maxLength": 200},
                    "minItems": 1,
                    "uniqueItems": True,
                }
            },
            required=("answer",),
            check=_check_short,
            answer_text=lambda q: q["answer"][0],
        ),
        QuestionType(
            name="cloze",
            label="Fill in the blanks",
            fields={},
            required=(),
            check=_check_cloze,
            answer_text=lambda q: _join(alts[0] for alts in cloze_blanks(q["prompt"])),
        ),
        QuestionType(
            name="matching",
            label="Matching",
            fields={
                "pairs": {
                    "type": "object",
                    "additionalProperties": TEXT,
                    "minProperties": 2,
                    "maxProperties": 12,
                }
            },
            required=("pairs",),
            check=_check_matching,
            answer_text=lambda q: _join(f"{left} → {right}" for left, right in q["pairs"].items()),
        ),
        QuestionType(
            name="ordering",
            label="Ordering",
            fields={"items": {**CHOICES, "maxItems": 10}},
            required=("items",),
            check=_no_checks,
            answer_text=lambda q: _join(q["items"]),
        ),
    )
}

# In the order a bank file writes them: choices before the answer.
TYPE_SPECIFIC_KEYS = list(dict.fromkeys(key for t in QUESTION_TYPES.values() for key in t.fields))
