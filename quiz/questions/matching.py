"""Matching: each left-hand text of ``pairs`` to its right-hand text."""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from typing import Any

from quiz.questions.base import TEXT, Problem, QuestionType, join, shuffled
from quiz.questions.registry import register
from quiz.questions.responses import Form, InvalidResponse, Marked, Part, indexed, option, quote, share


@register
class Matching(QuestionType):
    """Pairs to match; the response maps left to right, the form fields ``match-<n>``."""

    name = "matching"
    label = "Matching"
    fields = {
        "pairs": {
            "type": "object",
            "additionalProperties": TEXT,
            "minProperties": 2,
            "maxProperties": 12,
        }
    }
    required = ("pairs",)
    live_refusal = "matching pairs on a phone within the countdown is too slow to be fair"

    def check(self, question: dict[str, Any]) -> Iterator[Problem]:
        """No right-hand text may be matched twice."""
        pairs = question.get("pairs")
        if not isinstance(pairs, dict):
            return
        seen: dict[str, str] = {}
        for left, right in pairs.items():
            if isinstance(right, str) and right in seen:
                yield ("pairs", left), f"'{right}' is already matched to '{seen[right]}'"
            elif isinstance(right, str):
                seen[right] = left

    def answer_text(self, question: dict[str, Any]) -> str:
        """Each pair, left → right."""
        return join(f"{left} → {right}" for left, right in question["pairs"].items())

    def grade(self, question: dict[str, Any], response: object) -> Marked:
        """A part per pair; a left-hand text left out is unanswered."""
        pairs: dict[str, str] = question["pairs"]
        if not isinstance(response, Mapping):
            raise InvalidResponse(f"the pairs must be a mapping, not {type(response).__name__}")
        rights = set(pairs.values())
        for left, right in response.items():
            if not isinstance(left, str) or left not in pairs:
                raise InvalidResponse(f"{quote(left)} is not a left-hand item of this question")
            option(right, rights, "right-hand items")
        return share(tuple(
            Part(left, response.get(left), right, response.get(left) == right)
            for left, right in pairs.items()
        ))

    def parse_form(self, question: dict[str, Any], form: Form) -> object:
        """The fields ``match-0`` .. one per left-hand text in file order; empty is unanswered."""
        lefts = list(question["pairs"])
        chosen = indexed(form, "match", len(lefts))
        return {left: right for left, right in zip(lefts, chosen, strict=True) if right}

    def answer_words(self, question: dict[str, Any]) -> str:
        """Both sides of every pair."""
        return " ".join(f"{left} {right}" for left, right in question["pairs"].items())

    def layout(self, question: dict[str, Any], rng: random.Random, shuffle: bool = True) -> dict[str, Any]:
        """The right-hand texts, shuffled."""
        return {"rights": shuffled(question["pairs"].values(), rng)}
