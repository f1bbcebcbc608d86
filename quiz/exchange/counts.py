"""Our exports say how many questions they hold; importing one checks it, so a cut file is refused.

A file cut short at a line or a question boundary can still parse, as a
smaller bank. Each format carries the count where other readers of it
ignore it: a comment in YAML, GIFT and Anki text (``this file holds 36
questions``), an XML comment in Moodle XML, an extra header cell (over an
empty column) in CSV, a ``question_count`` key in JSON. A file without one,
written by another tool, is read as before.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from quiz.content.errors import ContentError, ContentInvalid
from quiz.exchange.formats import Imported

JSON_KEY = "question_count"
_STATED = re.compile(r"\bthis file holds (\d{1,9}) questions?\b")


def count_note(count: int) -> str:
    """The words that carry the count, as every text format writes them."""
    return f"this file holds {count} question{'' if count == 1 else 's'}"


def stated_count(text: str) -> int | None:
    """The count a comment or header says, or None."""
    match = _STATED.search(text)
    return int(match.group(1)) if match else None


def stated_in_comments(lines: Iterable[str], marker: str) -> tuple[int | None, int]:
    """The count in the comment lines (starting with ``marker``) that open a file, and its line."""
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith(marker):
            break
        count = stated_count(stripped)
        if count is not None:
            return count, number
    return None, 1


def check_count(imported: Imported, name: str) -> None:
    """Refuse a file that holds fewer questions than it says it does (one of ours, cut short)."""
    stated, found = imported.stated_count, len(imported.questions)
    if stated is None or found >= stated:
        return
    where = (f"the key '{JSON_KEY}'" if imported.stated_where == "json"
             else f"the line that says '{count_note(stated)}'")
    raise ContentInvalid([ContentError(
        name, imported.stated_line, 1, "",
        f"the file says it holds {stated} questions, but only {found} could be read: it looks cut short "
        f"(an interrupted download or upload). Export it again; if questions were removed on purpose, "
        f"delete {where}.")])
