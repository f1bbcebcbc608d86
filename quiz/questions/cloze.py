"""Fill in the blanks: the prompt holds ``{{blank}}``s, alternatives as ``{{guest|virtual machine}}``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from quiz.content.giveaways import Finding, content_words, last_article, redundant, visible
from quiz.content.words import fold, same_answer
from quiz.questions.base import Problem, QuestionType, join
from quiz.questions.registry import register
from quiz.questions.responses import Form, InvalidResponse, Marked, Part, as_list, indexed, share, typed_text

_BLANK = re.compile(r"\{\{(.*?)\}\}")
BLANK = "[…]"  # a blank on a flashcard's front


def cloze_blanks(prompt: str) -> list[list[str]]:
    """The accepted alternatives of each ``{{a|b}}`` blank in a cloze prompt."""
    return [[alt.strip() for alt in match.split("|")] for match in _BLANK.findall(prompt)]


def cloze_segments(prompt: str) -> list[str]:
    """The prompt's text around its blanks: one more segment than there are blanks."""
    return _BLANK.split(prompt)[::2]


@register
class Cloze(QuestionType):
    """Blanks to type in; the response lists one text per blank, the form fields ``blank-<n>``."""

    name = "cloze"
    label = "Fill in the blanks"
    live_refusal = "a phone has no room for typing into blanks within a sentence read off the big screen"
    card_label = "Cloze"
    blanks_in_prompt = True

    def check(self, question: dict[str, Any]) -> Iterator[Problem]:
        """At least one blank, none with an empty alternative, and the braces balanced."""
        prompt = question.get("prompt")
        if not isinstance(prompt, str):
            return
        blanks = cloze_blanks(prompt)
        if not blanks:
            yield ("prompt",), "a cloze prompt needs at least one {{blank}}"
        for number, alternatives in enumerate(blanks, start=1):
            if any(not fold(alt) for alt in alternatives):
                yield ("prompt",), f"blank {number} has an empty alternative"
        leftover = "".join(cloze_segments(prompt))
        if "{{" in leftover or "}}" in leftover:
            yield ("prompt",), "unbalanced '{{' or '}}' in the cloze prompt"

    def answer_text(self, question: dict[str, Any]) -> str:
        """The first alternative of each blank."""
        return join(alts[0] for alts in cloze_blanks(question["prompt"]))

    def grade(self, question: dict[str, Any], response: object) -> Marked:
        """A part per blank, right when it matches one of the blank's alternatives."""
        blanks = cloze_blanks(question["prompt"])
        given = as_list(response, "the blanks")
        if len(given) != len(blanks):
            raise InvalidResponse(f"expected {len(blanks)} blank(s), got {len(given)}")
        typed = [typed_text(text, f"blank {index}") for index, text in enumerate(given)]
        return share(tuple(
            Part(index, text, alternatives[0], same_answer(text, alternatives))
            for index, (text, alternatives) in enumerate(zip(typed, blanks, strict=True))
        ))

    def parse_form(self, question: dict[str, Any], form: Form) -> object:
        """The fields ``blank-0`` .. one per blank."""
        return indexed(form, "blank", len(cloze_blanks(question["prompt"])))

    def answer_words(self, question: dict[str, Any]) -> str:
        """Every alternative of every blank."""
        return " ".join(alt for alternatives in cloze_blanks(question["prompt"]) for alt in alternatives)

    def prompt_text(self, question: dict[str, Any]) -> str:
        """The prompt with each blank as ___."""
        return " ___ ".join(cloze_segments(question["prompt"]))

    def card(self, question: dict[str, Any]) -> tuple[str, str] | None:
        """The sentence with its blanks masked, then whole with the first alternatives."""
        blanks = cloze_blanks(question["prompt"])
        segments = cloze_segments(question["prompt"])
        back = "".join(segment + (blanks[i][0] if i < len(blanks) else "")
                       for i, segment in enumerate(segments))
        return BLANK.join(segments), back

    def lint(self, question: dict[str, Any]) -> Iterator[Finding]:
        """Per blank: an article before it, an answer the prompt shows, an alternative accepted anyway."""
        prompt = question["prompt"]
        segments, blanks = cloze_segments(prompt), cloze_blanks(prompt)
        shown = content_words(" ".join(segments))
        for number, alternatives in enumerate(blanks, start=1):
            article = last_article(segments[number - 1])
            if article:
                yield ("prompt",), (f"the article '{article}' before blank {number} tells the "
                                    "answer's first sound; put it inside the blank"), "article-before-blank"
            for alternative in alternatives:
                if visible(alternative, shown):
                    yield ("prompt",), (f"blank {number}'s answer '{alternative}' is visible in "
                                        "the prompt"), "answer-in-prompt"
            yield from redundant([("prompt",)] * len(alternatives), alternatives)
