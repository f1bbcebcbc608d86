"""Single choice: one of the ``choices`` is the ``answer``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from quiz.questions.base import CHOICES, TEXT, ChoiceType, Problem
from quiz.questions.registry import register
from quiz.questions.responses import Form, Marked, one, option, whole


@register
class Single(ChoiceType):
    """One right choice; the response is its text, the form field ``choice``."""

    name = "single"
    label = "Single choice"
    fields = {"choices": CHOICES, "answer": TEXT}
    required = ("choices", "answer")

    def check(self, question: dict[str, Any]) -> Iterator[Problem]:
        """The answer must be one of the choices."""
        choices, answer = question.get("choices"), question.get("answer")
        if isinstance(choices, list) and isinstance(answer, str) and answer not in choices:
            yield ("answer",), f"'{answer}' is not one of the choices"

    def answer_text(self, question: dict[str, Any]) -> str:
        """The right choice."""
        return str(question["answer"])

    def grade(self, question: dict[str, Any], response: object) -> Marked:
        """Right when the chosen text is the answer."""
        return whole(option(response, question["choices"], "choices") == question["answer"])

    def parse_form(self, question: dict[str, Any], form: Form) -> object:
        """The one ``choice`` field."""
        return one(form, "choice")
