"""How the printed formats (Markdown, HTML) lay out a question and state its answer.

Each question type has a ``Sheet`` (what the reader sees and where they
write) and an answer key; both exports render these, so a new type needs an
entry here, and a test fails until it has one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from quiz.content.model import Question
from quiz.content.types import cloze_blanks, cloze_segments


@dataclass(frozen=True)
class Sheet:
    """A question as printed: its text around any blanks, an instruction, and answer spaces."""

    segments: tuple[str, ...]
    instruction: str
    boxes: tuple[str, ...] = ()  # options with a box to tick
    ranked: tuple[str, ...] = ()  # items with a box for their position
    terms: tuple[str, ...] = ()  # matching: items with a box for a letter ...
    options: tuple[str, ...] = ()  # ... of one of these lettered options
    write_in: bool = False  # a line to write a short answer on


def letter(index: int) -> str:
    """The letter of the option at ``index`` (A, B, ...)."""
    return chr(ord("A") + index)


def display_order(key: str, items: Iterable[str]) -> list[str]:
    """``items`` shuffled the same way on every export, and never left in their given order.

    A stable order keeps exports reproducible; a printed matching or ordering
    question in its answer's order would give the answer away.
    """
    given = list(items)
    shuffled = sorted(given, key=lambda item: hashlib.sha256(f"{key}\0{item}".encode()).digest())
    return shuffled[1:] + shuffled[:1] if shuffled == given else shuffled


def _matching_options(question: Question) -> list[str]:
    return display_order(question.id, question.fields["pairs"].values())


SHEETS: dict[str, Callable[[Question], Sheet]] = {
    "single": lambda q: Sheet((q.prompt,), "Choose one.", boxes=tuple(q.fields["choices"])),
    "multiple": lambda q: Sheet((q.prompt,), "Choose every correct answer.",
                                boxes=tuple(q.fields["choices"])),
    "true_false": lambda q: Sheet((q.prompt,), "True or false?", boxes=("True", "False")),
    "short": lambda q: Sheet((q.prompt,), "Answer in a few words.", write_in=True),
    "cloze": lambda q: Sheet(tuple(cloze_segments(q.prompt)), "Fill in the blanks."),
    "matching": lambda q: Sheet((q.prompt,), "Write the letter of the matching option next to each item.",
                                terms=tuple(q.fields["pairs"]), options=tuple(_matching_options(q))),
    "ordering": lambda q: Sheet((q.prompt,), "Number the items in the right order.",
                                ranked=tuple(display_order(q.id, q.fields["items"]))),
}


def _matching_key(question: Question) -> list[str]:
    options = _matching_options(question)
    return [f"{left} → {letter(options.index(right))}. {right}"
            for left, right in question.fields["pairs"].items()]


KEYS: dict[str, Callable[[Question], list[str]]] = {
    "single": lambda q: [q.fields["answer"]],
    "multiple": lambda q: list(q.fields["answer"]),
    "true_false": lambda q: ["True" if q.fields["answer"] else "False"],
    "short": lambda q: [" / ".join(q.fields["answer"])],
    "cloze": lambda q: [f"({number}) {' / '.join(alternatives)}"
                        for number, alternatives in enumerate(cloze_blanks(q.prompt), start=1)],
    "matching": _matching_key,
    "ordering": lambda q: [f"{number}. {item}" for number, item in enumerate(q.fields["items"], 1)],
}


def sheet(question: Question) -> Sheet:
    """How ``question`` is printed."""
    return SHEETS[question.type](question)


def answer_key(question: Question) -> list[str]:
    """The correct answer of ``question`` as lines of text, in the layout's terms (letters, blanks)."""
    return KEYS[question.type](question)
