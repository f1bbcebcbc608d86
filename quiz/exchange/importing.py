"""Run an import: parse, name the concepts, validate like any bank, nothing written on error."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from quiz.content.errors import ContentError, ContentInvalid
from quiz.content.model import Bank, Concept
from quiz.content.validate import validate_bank_text
from quiz.content.writer import dump_yaml
from quiz.exchange.counts import check_count
from quiz.exchange.formats import Format, Imported
from quiz.progress import advance, expect

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_QUESTIONS = 5000  # the default of IMPORT_MAX_QUESTIONS


def slugify(text: str, fallback: str = "question") -> str:
    """A lowercase id made of letters, digits and single hyphens, at most 60 characters."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:60].strip("-")
    return slug or fallback


def unique_id(wanted: str, taken: set[str]) -> str:
    """``wanted``, or ``wanted-2``, ``wanted-3``... whichever is free; the result is taken."""
    candidate, number = wanted, 2
    while candidate in taken:
        candidate, number = f"{wanted}-{number}", number + 1
    taken.add(candidate)
    return candidate


def infer_concepts(data: dict, concepts: Mapping[str, Concept]) -> list[str]:
    """The glossary concepts whose term or alias the question's text names, in glossary order."""
    text = " ".join(str(part) for part in (
        data.get("prompt", ""), data.get("choices", ""), data.get("answer", ""),
        data.get("pairs", ""), data.get("items", ""))).lower()
    found = []
    for concept in concepts.values():
        names = [concept.term, *concept.aliases]
        if any(re.search(rf"\b{re.escape(name.lower())}s?\b", text) for name in names):
            found.append(concept.id)
    return found


def import_bank(fmt: Format, data: bytes, name: str, bank_id: str, concepts: Mapping[str, Concept],
                *, max_questions: int = MAX_IMPORT_QUESTIONS) -> tuple[Bank, str]:
    """Parse ``data`` in ``fmt`` into a valid bank and its YAML text; ContentInvalid if not.

    Errors point at the line of the imported file where the question starts.
    A file of more than ``max_questions`` questions is refused before they are checked.
    """
    if fmt.parse is None:
        raise ContentInvalid([ContentError(name, 1, 1, "", f"{fmt.name} cannot be imported")])
    if len(data) > MAX_IMPORT_BYTES:
        limit = MAX_IMPORT_BYTES // (1024 * 1024)
        raise ContentInvalid([ContentError(name, 1, 1, "", f"larger than the {limit} MiB limit")])
    imported: Imported = fmt.parse(data, name, concepts)
    check_count(imported, name)
    if len(imported.questions) > max_questions:
        raise ContentInvalid([ContentError(
            name, 1, 1, "", f"holds {len(imported.questions):,} questions, and one import takes at most "
                            f"{max_questions:,}: split it into several files")])
    expect(2 * len(imported.questions))  # converting each question, then checking them all
    questions = []
    lines = []
    for item in imported.questions:
        question = dict(item.data)
        if not question.get("concepts"):
            question["concepts"] = infer_concepts(question, concepts)
        questions.append(question)
        lines.append(item.line)
    text = _bank_yaml(bank_id, imported.title or bank_id, questions)
    try:
        bank = validate_bank_text(text, f"{bank_id}.yaml", dict(concepts))
    except ContentInvalid as exc:
        raise ContentInvalid([_locate(error, name, lines) for error in exc.errors]) from None
    advance(len(questions))
    header = f"# yaml-language-server: $schema=../schema/bank.schema.json\n# Imported from {name}.\n"
    return bank, header + text


def _bank_yaml(bank_id: str, title: str, questions: list[dict]) -> str:
    """The bank as YAML, written a question at a time (the same text as one dump) so progress moves."""
    if not questions:
        return dump_yaml({"id": bank_id, "title": title, "questions": questions})
    parts = [dump_yaml({"id": bank_id, "title": title}), "questions:\n"]
    for question in questions:
        parts.append(dump_yaml([question]))
        advance()
    return "".join(parts)


def _locate(error: ContentError, name: str, lines: list[int]) -> ContentError:
    """Move an error about the converted bank onto the imported file's line."""
    match = re.match(r"questions\[(\d+)\]", error.path)
    if not match or int(match.group(1)) >= len(lines):
        return ContentError(name, 1, 1, error.path, error.message)
    message = error.message
    if error.path.endswith(".concepts") and "at least 1" in message:
        message = "names no concept: mention a glossary term, or tag it with the concept id"
    return ContentError(name, lines[int(match.group(1))], 1, error.path, message)
