"""Run an export: drop what the format cannot carry, write the rest, say what was lost."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from quiz.exchange.formats import LOSSY, SKIPPED, Format
from quiz.exchange.selection import ExportSet


@dataclass(frozen=True)
class ExportReport:
    """What an export carried, and every loss, in sentences for the page and stderr."""

    format: str
    exported: int
    by_type: dict[str, int]
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [f"{self.format}: {self.exported} question(s) exported"]
        lines += [f"  {note}" for note in self.notes]
        return "\n".join(lines)


def report(fmt: Format, selection: ExportSet) -> ExportReport:
    """What exporting ``selection`` to ``fmt`` would carry and lose, without writing it."""
    counts = Counter(q.type for _, q in selection.questions())
    notes = []
    exported = 0
    for qtype, count in sorted(counts.items()):
        support = fmt.support_of(qtype)
        if support.kind == SKIPPED:
            notes.append(f"skipped {count} {qtype} question(s): {support.note}")
            continue
        exported += count
        if support.kind == LOSSY:
            notes.append(f"{count} {qtype} question(s): {support.note}")
    return ExportReport(fmt.name, exported, dict(counts), notes)


def export(fmt: Format, selection: ExportSet) -> tuple[bytes, ExportReport]:
    """The exported file and its report; skipped types are left out, the rest still exports."""
    summary = report(fmt, selection)
    return fmt.export(selection.without_types(fmt.skipped_types())), summary
