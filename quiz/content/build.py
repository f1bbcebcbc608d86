"""Everything ``quiz content generate`` writes, as file texts keyed by relative path."""

from __future__ import annotations

from pathlib import Path

from quiz.content.errors import ContentInvalid
from quiz.content.generate import generate_bank, header
from quiz.content.schema import schema_files
from quiz.content.validate import validate_paths
from quiz.content.writer import bank_text


def generated_files(root: Path) -> dict[str, str]:
    """The generated banks (one per glossary) and the editor schemas under ``root``."""
    content, errors = validate_paths([root / "definitions"])
    if errors:
        raise ContentInvalid(errors)
    files = {f"schema/{name}": text for name, text in schema_files().items()}
    for glossary in content.glossaries:
        bank = generate_bank(glossary)
        files[f"banks/{bank.id}.yaml"] = bank_text(bank, header(glossary))
    return files
