"""True or false: the prompt is a statement, the ``answer`` says whether it holds."""

from __future__ import annotations

from typing import Any

from quiz.questions.base import QuestionType, Tally
from quiz.questions.registry import register
from quiz.questions.responses import Form, InvalidResponse, Marked, one, quote, whole

_TRUTH = {"true": True, "false": False}


@register
class TrueFalse(QuestionType):
    """A statement; the response is true or false, the form field ``choice`` 'true' or 'false'."""

    name = "true_false"
    label = "True or false"
    fields = {"answer": {"type": "boolean"}}
    required = ("answer",)
    keyed_choices = True

    def answer_text(self, question: dict[str, Any]) -> str:
        """True or False."""
        return "True" if question["answer"] else "False"

    def grade(self, question: dict[str, Any], response: object) -> Marked:
        """Right when it says what the statement is."""
        # bool only: JSON 1 or "true" would be a client bug that should surface.
        if not isinstance(response, bool):
            raise InvalidResponse(f"expected true or false, not {quote(response)}")
        return whole(response == question["answer"])

    def parse_form(self, question: dict[str, Any], form: Form) -> object:
        """The ``choice`` field, 'true' or 'false'."""
        value = one(form, "choice")
        if value not in _TRUTH:
            raise InvalidResponse(f"'choice' must be 'true' or 'false', not {quote(value)}")
        return _TRUTH[value]

    def answer_words(self, question: dict[str, Any]) -> str:
        """true or false."""
        return "true" if question["answer"] else "false"

    def response_text(self, question: dict[str, Any], value: object) -> str:
        """True or False."""
        return "True" if value else "False"

    def keyed_truth(self, question: dict[str, Any]) -> bool | None:
        """The answer."""
        return bool(question["answer"])

    def live_options(self, question: dict[str, Any], layout: dict[str, Any]) -> list[tuple[str, str]]:
        """Two buttons, True first: true/false keeps its order."""
        return [("true", "True"), ("false", "False")]

    def tally(self, question: dict[str, Any], layout: dict[str, Any],
              answers: list[tuple[object, bool]]) -> Tally:
        """A bar for True and one for False."""
        trues = sum(1 for value, _ in answers if bool(value))
        return (["True", "False"], [trues, len(answers) - trues],
                [question["answer"] is True, question["answer"] is False])
