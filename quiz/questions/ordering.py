"""Ordering: the ``items`` in the right order, shown shuffled."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from quiz.content.giveaways import Finding
from quiz.questions.base import CHOICES, QuestionType, join, shuffled
from quiz.questions.registry import register
from quiz.questions.responses import Form, InvalidResponse, Marked, Part, as_list, indexed, share


@register
class Ordering(QuestionType):
    """Items to order; the response lists every item, the form fields ``position-<n>``."""

    name = "ordering"
    label = "Ordering"
    fields = {"items": {**CHOICES, "maxItems": 10}}
    required = ("items",)
    live_prompt_on_phone = True
    live_lead = "Put these in order on your phone."

    def lint(self, question: dict[str, Any]) -> Iterator[Finding]:
        """Fewer than three items, which guessing orders too often."""
        items = question["items"]
        if len(items) < 3:
            yield ("items",), (f"an ordering of {len(items)} items is a coin flip; order three or "
                               "more, or ask another way"), "short-ordering"

    def steps(self, question: dict[str, Any]) -> list[str] | None:
        """The items, in order."""
        return list(question["items"])

    def answer_text(self, question: dict[str, Any]) -> str:
        """The items in order."""
        return join(question["items"])

    def grade(self, question: dict[str, Any], response: object) -> Marked:
        """A part per position, right when it holds the item that belongs there."""
        items: list[str] = question["items"]
        order = as_list(response, "the order")
        # Items are distinct (the schema says so), so equal length and equal sets is a permutation.
        if (
            len(order) != len(items)
            or not all(isinstance(item, str) for item in order)
            or set(order) != set(items)
        ):
            raise InvalidResponse("the order must list every item of the question exactly once")
        return share(tuple(
            Part(position, given, expected, given == expected)
            for position, (given, expected) in enumerate(zip(order, items, strict=True))
        ))

    def parse_form(self, question: dict[str, Any], form: Form) -> object:
        """The fields ``position-0`` .. one per item."""
        return indexed(form, "position", len(question["items"]))

    def layout(self, question: dict[str, Any], rng: random.Random, shuffle: bool = True) -> dict[str, Any]:
        """The items shuffled, whatever ``shuffle`` says: the order is what is asked."""
        items = shuffled(question["items"], rng)
        if len(items) > 1 and items == list(question["items"]):
            items.reverse()  # never show the answer as the starting order
        return {"items": items}

    def answer_words(self, question: dict[str, Any]) -> str:
        """Every item."""
        return " ".join(question["items"])

    def response_text(self, question: dict[str, Any], value: object) -> str:
        """The items in the order given."""
        return " → ".join(map(str, value)) if isinstance(value, list) else str(value)

    def live_ask(self, question: dict[str, Any], layout: dict[str, Any]) -> dict[str, Any]:
        """The items, in the order they start in."""
        return {"items": list(layout.get("items") or question["items"])}
