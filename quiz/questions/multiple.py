"""Multiple choice: one or more of the ``choices`` make the ``answer``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from quiz.questions.base import CHOICES, TEXT, ChoiceType, Problem, join
from quiz.questions.registry import register
from quiz.questions.responses import (
    Form,
    InvalidResponse,
    Marked,
    Part,
    as_list,
    option,
    values,
)


@register
class Multiple(ChoiceType):
    """Every right choice ticked; the response lists the ticked texts, the form repeats ``choice``."""

    name = "multiple"
    label = "Multiple choice"
    fields = {
        "choices": CHOICES,
        "answer": {"type": "array", "items": TEXT, "minItems": 1, "uniqueItems": True},
    }
    required = ("choices", "answer")

    def check(self, question: dict[str, Any]) -> Iterator[Problem]:
        """Every answer must be one of the choices."""
        choices, answer = question.get("choices"), question.get("answer")
        if not (isinstance(choices, list) and isinstance(answer, list)):
            return
        for index, item in enumerate(answer):
            if isinstance(item, str) and item not in choices:
                yield ("answer", index), f"'{item}' is not one of the choices"

    def answer_text(self, question: dict[str, Any]) -> str:
        """The right choices."""
        return join(question["answer"])

    def grade(self, question: dict[str, Any], response: object) -> Marked:
        """A part per choice; each wrong pick cancels a right one (as Moodle does)."""
        choices, answer = question["choices"], set(question["answer"])
        picks = as_list(response, "the picks")
        # Checked before the loop so a forged million-item list costs nothing.
        if len(picks) > len(choices):
            raise InvalidResponse(f"{len(picks)} picks for {len(choices)} choices")
        chosen = {option(pick, choices, "choices") for pick in picks}
        if len(chosen) != len(picks):
            raise InvalidResponse("a choice is picked more than once")
        parts = tuple(
            Part(choice, choice in chosen, choice in answer, (choice in chosen) == (choice in answer))
            for choice in choices
        )
        # Each wrong pick cancels a right one, so ticking every box earns nothing.
        score = max(0.0, (len(chosen & answer) - len(chosen - answer)) / len(answer))
        return chosen == answer, score, parts

    def parse_form(self, question: dict[str, Any], form: Form) -> object:
        """The ``choice`` field, once per ticked box."""
        picks = values(form, "choice")
        # Browsers omit unticked boxes, so no field means nothing was ticked.
        if not picks:
            raise InvalidResponse("the form has no 'choice' field: no choice was ticked")
        return picks

