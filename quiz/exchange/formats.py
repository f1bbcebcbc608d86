"""The registry of exchange formats and what each carries of each question type.

Every format declares, for every question type, a ``Support``: carried whole,
carried with a loss (said in the export report), or skipped (said too, and
the rest still exports). A test fails when a format lacks a built-in type; a
type added since, which the format knows nothing of, is skipped with a note
that says so, unless the format carries any type (YAML and JSON: the bank
format itself).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from quiz.content.model import Concept
from quiz.exchange.selection import ExportSet
from quiz.questions import QUESTION_TYPES

FULL, LOSSY, SKIPPED = "full", "lossy", "skipped"


@dataclass(frozen=True)
class Support:
    """How a format carries one question type; ``note`` says what is lost or why skipped."""

    kind: str = FULL
    note: str = ""


@dataclass(frozen=True)
class ImportedQuestion:
    """A question read from another format, with the line it starts on there."""

    data: dict
    line: int = 1


@dataclass(frozen=True)
class Imported:
    """What a parser read: a title and questions (concepts may be missing: they are inferred).

    ``stated_count`` is the number of questions the file says it holds (our own exports say),
    at ``stated_line``; ``stated_where`` is "json" when a key says it rather than a line.
    """

    title: str
    questions: list[ImportedQuestion] = field(default_factory=list)
    stated_count: int | None = None
    stated_line: int = 1
    stated_where: str = "line"


Exporter = Callable[[ExportSet], bytes]
Parser = Callable[[bytes, str, Mapping[str, Concept]], Imported]


@dataclass(frozen=True)
class Format:
    """One exchange format: how to write it and, if it can be imported, how to read it."""

    name: str
    label: str
    extension: str
    mimetype: str
    export: Exporter
    support: Mapping[str, Support]
    parse: Parser | None = None
    carries_any_type: bool = False

    def support_of(self, type_name: str) -> Support:
        """How this format carries a question type; a type it has no entry for is a stated loss."""
        found = self.support.get(type_name)
        if found is not None:
            return found
        if self.carries_any_type:
            return Support()
        qtype = QUESTION_TYPES.get(type_name)
        label = qtype.label if qtype else type_name
        return Support(SKIPPED, f"{self.label} has no form for {label} questions")

    def skipped_types(self) -> set[str]:
        """The question types this format cannot carry at all."""
        return {name for name in {*QUESTION_TYPES, *self.support}
                if self.support_of(name).kind == SKIPPED}
