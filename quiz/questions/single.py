"""Single choice: one of the ``choices`` is the ``answer``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from quiz.content.giveaways import LONG_KEY, LONG_KEY_CHARACTERS, Finding, last_article, vowel_sound
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

    def lint(self, question: dict[str, Any]) -> Iterator[Finding]:
        """A closing 'a' or 'an' only the key and some choices follow; a key longer than the rest."""
        key = question["answer"]
        wrong = [choice for choice in question["choices"] if choice != key]
        article = last_article(question["prompt"])
        if article:
            agrees = (article == "an") == vowel_sound(key)
            if agrees and any((article == "an") != vowel_sound(choice) for choice in wrong):
                yield ("prompt",), (f"the prompt ends in '{article}', which only some choices "
                                    "follow, the key among them"), "article-before-blank"
        longest = max(len(choice) for choice in wrong)
        if len(key) > LONG_KEY * longest and len(key) - longest >= LONG_KEY_CHARACTERS:
            yield ("answer",), (f"the key is {len(key)} characters, its longest distractor "
                                f"{longest}: the longest choice gives it away"), "long-key"

    def keyed_position(self, question: dict[str, Any]) -> int | None:
        """The answer's place among the choices."""
        return int(question["choices"].index(question["answer"]))
