"""YAML: this app's own bank format, one bank document that imports back unchanged.

A selection from one bank exports as that bank's file; a selection spanning
banks is merged into one bank (see ``quiz.exchange.documents``). Importing
reads it with the content loader, which refuses duplicate keys, tags and
aliases with their lines, as it does for the files of ``content/``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from quiz.content.errors import ContentError, ContentInvalid
from quiz.content.loader import load_text
from quiz.content.model import Concept
from quiz.content.types import QUESTION_TYPES
from quiz.content.writer import dump_yaml
from quiz.exchange.counts import count_note, stated_in_comments
from quiz.exchange.documents import merged_bank_data, read_bank_data
from quiz.exchange.formats import Format, Imported, Support
from quiz.exchange.selection import ExportSet

# The same first line as a committed bank, so an editor validates the file against the schema.
SCHEMA_LINE = "# yaml-language-server: $schema=../schema/bank.schema.json\n"


def export_yaml(selection: ExportSet) -> bytes:
    """The selection as one bank file, UTF-8, its count in a comment under the schema line."""
    count = f"# {count_note(selection.count())}\n"
    return (SCHEMA_LINE + count + dump_yaml(merged_bank_data(selection))).encode("utf-8")


def parse_yaml(data: bytes, name: str, concepts: Mapping[str, Concept]) -> Imported:
    """Read a bank file: its title and its questions, each with the line it starts on."""
    try:
        document = load_text(data, name)
    except ValueError as exc:  # a number too long to read, say: refused like any unreadable file
        raise ContentInvalid([ContentError(name, 1, 1, "", f"cannot be read: {exc}")]) from None
    imported = read_bank_data(document.data, name, document.position)
    stated, line = stated_in_comments(document.text.splitlines(), "#")
    return replace(imported, stated_count=stated, stated_line=line)


FORMAT = Format(
    name="yaml",
    label="YAML (this app's bank format)",
    extension=".yaml",
    mimetype="application/yaml",
    export=export_yaml,
    # Every type is carried whole: the file is the bank format itself.
    support={name: Support() for name in QUESTION_TYPES},
    carries_any_type=True,
    parse=parse_yaml,
)
