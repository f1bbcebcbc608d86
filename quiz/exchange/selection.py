"""Which questions an export carries: a selection of the content by bank, concept, tag, type."""

from __future__ import annotations

from dataclasses import dataclass, replace

from quiz.content.model import Bank, Concept, Content, Glossary, Question


@dataclass(frozen=True)
class ExportSet:
    """The selected questions, bank by bank, with the glossary they trace back to."""

    title: str
    banks: tuple[Bank, ...]
    glossaries: tuple[Glossary, ...] = ()

    @property
    def concepts(self) -> dict[str, Concept]:
        """Every glossary concept by id (for definitions and quotes)."""
        return {c.id: c for g in self.glossaries for c in g.concepts}

    def questions(self) -> list[tuple[Bank, Question]]:
        """Every selected question with its bank, in bank and file order."""
        return [(bank, q) for bank in self.banks for q in bank.questions]

    def count(self) -> int:
        """How many questions are selected."""
        return sum(len(bank.questions) for bank in self.banks)

    def without_types(self, types: set[str]) -> ExportSet:
        """The same set minus the questions of some types (those a format cannot carry)."""
        banks = tuple(
            replace(bank, questions=tuple(q for q in bank.questions if q.type not in types))
            for bank in self.banks
        )
        return replace(self, banks=tuple(b for b in banks if b.questions))


class SelectionError(ValueError):
    """A selection that names something the content does not have."""


def select(content: Content, *, banks=(), concepts=(), tags=(), types=()) -> ExportSet:
    """The questions that pass every given filter (an empty filter passes all)."""
    known_banks = {bank.id for bank in content.banks}
    for name, wanted, known in (("bank", banks, known_banks),
                                ("concept", concepts, set(content.concepts))):
        unknown = sorted(set(wanted) - known)
        if unknown:
            raise SelectionError(f"no {name} named {', '.join(unknown)}")
    chosen = []
    for bank in content.banks:
        if banks and bank.id not in banks:
            continue
        questions = tuple(
            q for q in bank.questions
            if (not concepts or set(q.concepts) & set(concepts))
            and (not tags or set(q.tags) & set(tags))
            and (not types or q.type in types)
        )
        if questions:
            chosen.append(replace(bank, questions=questions))
    title = chosen[0].title if len(chosen) == 1 else "Virtualization questions"
    return ExportSet(title, tuple(chosen), content.glossaries)
