"""Short answer: typed text, matched against the accepted ``answer``s."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from quiz.content.errors import Path
from quiz.content.giveaways import Finding, redundant, shown_answers
from quiz.content.words import fold, same_answer
from quiz.questions.base import Problem, QuestionType
from quiz.questions.registry import register
from quiz.questions.responses import Form, Marked, one, typed_text, whole


@register
class Short(QuestionType):
    """Typed text; the response is the text, the form field ``answer``."""

    name = "short"
    label = "Short answer"
    fields = {
        "answer": {
            "type": "array",
            "items": {"type": "string", "minLength": 1, "maxLength": 200},
            "minItems": 1,
            "uniqueItems": True,
        }
    }
    required = ("answer",)
    live_prompt_on_phone = True
    card_label = "Short answer"
    typed_answers = True

    def check(self, question: dict[str, Any]) -> Iterator[Problem]:
        """Every accepted answer must have something a typed answer can match."""
        for index, item in enumerate(question.get("answer") or []):
            if isinstance(item, str) and item.strip() and not fold(item):
                yield ("answer", index), f"'{item}' has no letters or digits, so nothing can match it"

    def answer_text(self, question: dict[str, Any]) -> str:
        """The first accepted answer."""
        return str(question["answer"][0])

    def grade(self, question: dict[str, Any], response: object) -> Marked:
        """Right when the text matches an accepted answer."""
        # Case, accents, punctuation, a leading article, simple plurals and hyphens are
        # forgiven for every question, so banks need not list such variants by hand. Text
        # with no letters or digits has no form and matches nothing.
        return whole(same_answer(typed_text(response, "the answer"), question["answer"]))

    def parse_form(self, question: dict[str, Any], form: Form) -> object:
        """The ``answer`` field."""
        return one(form, "answer")

    def card(self, question: dict[str, Any]) -> tuple[str, str] | None:
        """The prompt, then the first accepted answer."""
        return question["prompt"], question["answer"][0]

    def lint(self, question: dict[str, Any]) -> Iterator[Finding]:
        """An accepted answer the prompt shows, or one the grader accepts anyway as another."""
        answers = question["answer"]
        paths: list[Path] = [("answer", number) for number in range(len(answers))]
        yield from shown_answers(question["prompt"], paths, answers)
        yield from redundant(paths, answers)
