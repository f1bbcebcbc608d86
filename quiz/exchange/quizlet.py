"""Quizlet: ``term<TAB>definition`` lines, the text Quizlet's "Import" box accepts.

The cards are the glossary's definitions of the concepts the exported
questions test, then each single-choice question (prompt and answer) and each
short-answer question (prompt and first accepted answer). Quizlet has no
other kind of card, so the other types are skipped and the report says so.
"""

from __future__ import annotations

from collections.abc import Callable

from quiz.content.model import Question
from quiz.content.types import QUESTION_TYPES
from quiz.exchange.formats import LOSSY, SKIPPED, Format, Support
from quiz.exchange.selection import ExportSet
from quiz.progress import advance

CARDS: dict[str, Callable[[Question], str]] = {
    "single": lambda q: q.fields["answer"],
    "short": lambda q: q.fields["answer"][0],
}
NOTES = {
    "single": "the card is the prompt and the correct choice; the other choices are left out",
    "short": "the card keeps only the first accepted answer",
}


def flat(text: str) -> str:
    """``text`` on one line without tabs: a tab ends a term and a newline ends a card."""
    return " ".join(text.split())


def export_quizlet(selection: ExportSet) -> bytes:
    """The cards as UTF-8 lines of term, tab, definition."""
    pairs = selection.questions()
    tested = {concept for _, question in pairs for concept in question.concepts}
    cards = [(c.term, c.definition) for c in selection.concepts.values() if c.id in tested]
    cards += [(q.prompt, CARDS[q.type](q)) for _, q in pairs if q.type in CARDS]
    advance(len(pairs))
    return "".join(f"{flat(term)}\t{flat(definition)}\n" for term, definition in cards).encode("utf-8")


FORMAT = Format(
    name="quizlet",
    label="Quizlet (term/definition)",
    extension=".txt",
    mimetype="text/plain",
    export=export_quizlet,
    support={
        name: Support(LOSSY, NOTES[name]) if name in CARDS
        else Support(SKIPPED, "Quizlet imports term/definition pairs only")
        for name in QUESTION_TYPES
    },
)
