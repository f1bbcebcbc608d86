"""Where imports land: a new bank file under content/banks, written whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from quiz.exchange.formats import Format

_EXTENSIONS = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".csv": "csv",
               ".gift": "gift", ".xml": "moodle-xml"}


class StoreError(ValueError):
    """An import that cannot be saved; the message says why."""


def guess_format(filename: str, data: bytes, formats: dict[str, Format]) -> Format:
    """The import format a file's name and first line point to."""
    if data.lstrip(b"\xef\xbb\xbf").startswith(b"#separator:"):
        return formats["anki-text"]
    name = filename.lower()
    if name.endswith(".gift.txt"):
        return formats["gift"]
    suffix = Path(name).suffix
    if suffix in _EXTENSIONS:
        return formats[_EXTENSIONS[suffix]]
    raise StoreError(f"cannot tell the format of '{filename}': name it with --format")


def bank_path(content_dir: Path, bank_id: str) -> Path:
    """The file a bank with this id lives in."""
    return content_dir / "banks" / f"{bank_id}.yaml"


def save_bank(content_dir: Path, bank_id: str, text: str, *, replace: bool = False) -> Path:
    """Write a validated bank's text atomically; refuse to overwrite unless ``replace``."""
    target = bank_path(content_dir, bank_id)
    if target.exists() and not replace:
        raise StoreError(f"a bank '{bank_id}' exists already ({target}); choose another id")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{bank_id}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
