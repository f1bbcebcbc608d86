"""What a question type is: one class holds everything one kind of question does.

A type declares the keys it adds to a question (their JSON Schema builds both
the editor schema and the validator), the checks the schema cannot express,
how a response is read from a form and graded, how its parts are shuffled
for showing, its answer and a response in words, what live play and the
flashcards make of it, whether live play can ask it at all, what content
lint warns of, and what the exchange formats need to know of its answer's
shape. Its pages are the macros of ``templates/questions/<name>.html``.
"""

from __future__ import annotations

import random
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar, TypeVar

from quiz.content.errors import Path
from quiz.content.giveaways import Finding
from quiz.questions.responses import Form, Marked

T = TypeVar("T")

Problem = tuple[Path, str]
Tally = tuple[list[str], list[int], list[bool]]

TEXT = {"type": "string", "minLength": 1, "maxLength": 2000}
CHOICES = {"type": "array", "items": TEXT, "minItems": 2, "maxItems": 12, "uniqueItems": True}


def join(items: Iterable[object]) -> str:
    """Parts of an answer in words, one after another."""
    return "; ".join(str(item) for item in items)


def shuffled(items: Iterable[T], rng: random.Random) -> list[T]:
    """The items in a new random order."""
    items = list(items)
    rng.shuffle(items)
    return items


class QuestionType(ABC):
    """One kind of question; subclass it in ``quiz/questions/<name>.py`` and ``register`` it."""

    name: ClassVar[str]
    label: ClassVar[str]
    fields: ClassVar[dict[str, dict[str, Any]]] = {}
    required: ClassVar[tuple[str, ...]] = ()
    # Why live play cannot ask this type (shown by the session form); None when it can.
    live_refusal: ClassVar[str | None] = None
    # The phone shows the prompt even when questions stay on the big screen: its input alone says nothing.
    live_prompt_on_phone: ClassVar[bool] = False
    # What the big screen says under a question that has no answer buttons.
    live_lead: ClassVar[str] = "Type your answer on your phone."
    # The study page's keys 1-9 pick its choices.
    keyed_choices: ClassVar[bool] = False
    # The flashcard badge of its questions' cards; None: its questions make no card.
    card_label: ClassVar[str | None] = None
    # Its ``answer`` lists the texts a typed response is accepted as (a flashcard's back says them).
    typed_answers: ClassVar[bool] = False
    # Its answers are blanks written in the prompt as {{a|b}}: formats write the prompt with them.
    blanks_in_prompt: ClassVar[bool] = False

    def check(self, question: dict[str, Any]) -> Iterator[Problem]:
        """Problems the schema cannot see, as (path, message)."""
        return iter(())

    @abstractmethod
    def answer_text(self, question: dict[str, Any]) -> str:
        """The correct answer in words."""

    @abstractmethod
    def grade(self, question: dict[str, Any], response: object) -> Marked:
        """Mark a JSON response: (right, score, parts); InvalidResponse if it does not fit."""

    @abstractmethod
    def parse_form(self, question: dict[str, Any], form: Form) -> object:
        """The JSON response an HTML form's fields carry; InvalidResponse if they do not fit."""

    def layout(self, question: dict[str, Any], rng: random.Random, shuffle: bool = True) -> dict[str, Any]:
        """The order its parts are shown in, fixed when a quiz or session opens.

        ``shuffle`` False keeps choices in file order (a live session may ask
        so); an order to be found is shuffled whatever it says.
        """
        return {}

    def answer_words(self, question: dict[str, Any]) -> str:
        """Every word of the answer, alternatives included: what lint compares questions by."""
        answer = question.get("answer", "")
        return " ".join(answer) if isinstance(answer, list) else str(answer)

    def response_text(self, question: dict[str, Any], value: object) -> str:
        """A recorded response in words, for tables and the CSV."""
        if isinstance(value, list):
            return ", ".join(map(str, value))
        if isinstance(value, dict):
            return "; ".join(f"{k} = {v}" for k, v in value.items())
        return str(value)

    def prompt_text(self, question: dict[str, Any]) -> str:
        """The prompt as plain text (a blank as ___)."""
        return str(question["prompt"])

    def live_options(self, question: dict[str, Any], layout: dict[str, Any]) -> list[tuple[str, str]]:
        """Its answer buttons in live play, as (form value, label) in the shown order; [] for none."""
        return []

    def live_ask(self, question: dict[str, Any], layout: dict[str, Any]) -> dict[str, Any]:
        """What a phone needs beside the prompt and the buttons to draw its input."""
        return {}

    def tally(self, question: dict[str, Any], layout: dict[str, Any],
              answers: list[tuple[object, bool]]) -> Tally:
        """How a room answered, from (response, right) pairs: labels, counts and which are right."""
        good = sum(1 for _, correct in answers if correct)
        return ["Right", "Wrong"], [good, len(answers) - good], [True, False]

    def card(self, question: dict[str, Any]) -> tuple[str, str] | None:
        """A flashcard's front and back, or None when this type makes none."""
        return None

    def lint(self, question: dict[str, Any]) -> Iterator[Finding]:
        """Warnings on a valid question that gives its answer away, as (path, message, rule)."""
        return iter(())

    def keyed_position(self, question: dict[str, Any]) -> int | None:
        """Where the one keyed choice is shown in file order, which lint wants varied; None: no such key."""
        return None

    def keyed_truth(self, question: dict[str, Any]) -> bool | None:
        """Whether a statement is keyed true, which lint wants balanced; None: not a statement."""
        return None

    def steps(self, question: dict[str, Any]) -> list[str] | None:
        """The steps its answer orders, which lint compares step by step; None: no steps."""
        return None


class ChoiceType(QuestionType):
    """A type answered by picking among ``choices``: shuffled, shown as buttons, counted per choice."""

    keyed_choices = True

    def layout(self, question: dict[str, Any], rng: random.Random, shuffle: bool = True) -> dict[str, Any]:
        """The choices, shuffled unless ``shuffle`` is False."""
        return {"choices": shuffled(question["choices"], rng) if shuffle else list(question["choices"])}

    def live_options(self, question: dict[str, Any], layout: dict[str, Any]) -> list[tuple[str, str]]:
        """A button per choice, in the session's order."""
        return [(choice, choice) for choice in layout.get("choices") or question["choices"]]

    def tally(self, question: dict[str, Any], layout: dict[str, Any],
              answers: list[tuple[object, bool]]) -> Tally:
        """A bar per choice, in the order shown; the right ones marked."""
        labels = layout.get("choices") or list(question["choices"])
        answer = question["answer"]
        expected = answer if isinstance(answer, list) else [answer]
        picked: dict[str, int] = dict.fromkeys(labels, 0)
        for value, _ in answers:
            for choice in value if isinstance(value, list) else [value]:
                if choice in picked:
                    picked[choice] += 1
        return labels, [picked[c] for c in labels], [c in expected for c in labels]
