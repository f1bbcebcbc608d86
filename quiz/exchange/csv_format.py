r"""CSV: one row per question, for spreadsheets; every type round-trips.

Columns, in this order on export (a header row is required on import; the
columns may come in any order, and only ``type``, ``prompt`` and ``answer``
must be present; our export adds a last header cell, ``this file holds N
questions``, over an empty column, and importing checks that count):

``bank``         the bank id (questions of several banks import as one bank;
                 an id found in more than one bank becomes ``<bank>-<id>``)
``id``           the question id (made from the prompt when empty)
``type``         single | multiple | true_false | short | cloze | matching | ordering
``prompt``       the question; a cloze prompt carries its blanks: ``a {{host|hosts}} runs``
``choices``      single and multiple: the choices, joined by `` | ``
``answer``       single: the correct choice; multiple: the correct choices joined
                 by `` | ``; true_false: ``TRUE`` or ``FALSE``; short: the accepted
                 answers joined by `` | ``; cloze: empty; matching: ``left => right``
                 pairs joined by `` | ``; ordering: the items in the right order,
                 joined by `` | ``
``explanation``  shown after answering
``concepts``     glossary concept ids joined by `` | `` (inferred from the text when empty)
``tags``         joined by `` | ``
``difficulty``   1 (easy) to 3 (hard)

Inside an item of a joined cell, a backslash makes the next character
literal: a ``|`` in a choice is written ``\|``, a backslash ``\\``, and the
``=>`` of a matching side ``=\>``. Files are UTF-8 with a byte order mark,
so that spreadsheets open them in the right encoding; a field may hold at
most 5,000 characters. A cell that a spreadsheet would run as a formula
(``=1+1``) is written with an apostrophe in front, which import takes off
(see ``quiz.csv_cells``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping

from quiz.content.errors import ContentError, ContentInvalid
from quiz.content.model import Concept, Question
from quiz.csv_cells import guarded, unguard
from quiz.exchange.counts import count_note, stated_count
from quiz.exchange.documents import decode_utf8, merged_ids
from quiz.exchange.formats import Format, Imported, ImportedQuestion, Support
from quiz.exchange.importing import slugify, unique_id
from quiz.exchange.selection import ExportSet
from quiz.progress import advance

COLUMNS = ("bank", "id", "type", "prompt", "choices", "answer", "explanation", "concepts", "tags",
           "difficulty")
REQUIRED = ("type", "prompt", "answer")
MAX_FIELD = 5000
SEPARATOR, PAIR = "|", "=>"


def escape(item: str, *, pair: bool = False) -> str:
    """One item of a joined cell, with its separators made literal."""
    text = item.replace("\\", "\\\\").replace(SEPARATOR, "\\" + SEPARATOR)
    return text.replace(PAIR, "=\\>") if pair else text


def split(cell: str, separator: str = SEPARATOR) -> list[str]:
    """The raw items of a joined cell: split at unescaped separators, escapes kept, spaces trimmed."""
    items, start, index = [], 0, 0
    while index < len(cell):
        if cell[index] == "\\":
            index += 2
        elif cell.startswith(separator, index):
            items.append(cell[start:index].strip())
            index += len(separator)
            start = index
        else:
            index += 1
    items.append(cell[start:].strip())
    return items if any(items) else []


def unescape(item: str) -> str:
    """An item's text, each backslash escape resolved."""
    out, index = [], 0
    while index < len(item):
        if item[index] == "\\" and index + 1 < len(item):
            index += 1
        out.append(item[index])
        index += 1
    return "".join(out)


def _join(items, *, pair: bool = False) -> str:
    return f" {SEPARATOR} ".join(escape(item, pair=pair) for item in items)


def _items(cell: str) -> list[str]:
    return [unescape(item) for item in split(cell)]


def _pairs(cell: str) -> dict[str, str]:
    """The ``left => right`` items of a matching answer; ValueError for a malformed one."""
    pairs: dict[str, str] = {}
    for item in split(cell):
        sides = split(item, PAIR)
        if len(sides) != 2 or not all(sides):
            raise ValueError(f"'{unescape(item)}' is not a 'left => right' pair")
        left, right = unescape(sides[0]), unescape(sides[1])
        if left in pairs:
            raise ValueError(f"'{left}' is matched twice")
        pairs[left] = right
    return pairs


def _truth(cell: str) -> bool | str:
    # Anything else is kept as text, so that validation names the question and its line.
    return {"TRUE": True, "FALSE": False}.get(cell.strip().upper(), cell)


# Per type: (fields -> (choices cell, answer cell), (choices cell, answer cell) -> fields).
Codec = tuple[Callable[[dict], tuple[str, str]], Callable[[str, str], dict]]
CODECS: dict[str, Codec] = {
    "single": (lambda f: (_join(f["choices"]), escape(f["answer"])),
               lambda c, a: {"choices": _items(c), "answer": unescape(a.strip())}),
    "multiple": (lambda f: (_join(f["choices"]), _join(f["answer"])),
                 lambda c, a: {"choices": _items(c), "answer": _items(a)}),
    "true_false": (lambda f: ("", "TRUE" if f["answer"] else "FALSE"),
                   lambda c, a: {"answer": _truth(a)}),
    "short": (lambda f: ("", _join(f["answer"])), lambda c, a: {"answer": _items(a)}),
    "cloze": (lambda f: ("", ""), lambda c, a: {"answer": a} if a.strip() else {}),
    "matching": (lambda f: ("", f" {SEPARATOR} ".join(
                     f"{escape(left, pair=True)} {PAIR} {escape(right, pair=True)}"
                     for left, right in f["pairs"].items())),
                 lambda c, a: {"pairs": _pairs(a)}),
    "ordering": (lambda f: ("", _join(f["items"])), lambda c, a: {"items": _items(a)}),
}


def export_csv(selection: ExportSet) -> bytes:
    """One row per question under a header row, UTF-8 with a byte order mark."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    # The count heads a last column that the rows leave empty, so spreadsheets show it and skip it.
    writer.writerow([*COLUMNS, count_note(selection.count())])
    for bank, question in selection.questions():
        writer.writerow(guarded(_row(bank.id, question)))
        advance()
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _row(bank_id: str, question: Question) -> list[str]:
    choices, answer = CODECS[question.type][0](question.fields)
    return [bank_id, question.id, question.type, question.prompt, choices, answer,
            question.explanation, _join(question.concepts), _join(question.tags),
            str(question.difficulty)]


def parse_csv(data: bytes, name: str, concepts: Mapping[str, Concept]) -> Imported:
    """Read the rows as questions, each with its line; every error in the file at once."""
    reader = csv.reader(io.StringIO(decode_utf8(data, name), newline=""), strict=True)
    errors: list[ContentError] = []

    def fail(line: int, message: str) -> None:
        errors.append(ContentError(name, line, 1, "", message))

    rows: list[tuple[int, list[str]]] = []
    try:
        line = 1
        for row in reader:
            rows.append((line, row))
            line = reader.line_num + 1
    except csv.Error as exc:
        # The csv module's own limit (far above ours) stops the reader before our check can.
        too_long = "field limit" in str(exc)
        # Reported on the line the row starts on: where an unclosed quote opens, say.
        fail(line, f"a field is longer than {MAX_FIELD:,} characters" if too_long
             else f"not valid CSV: {exc}")
    header = [cell.strip().lower() for cell in rows[0][1]] if rows else []
    stated = stated_count(header[-1]) if header else None
    if stated is not None:
        header = header[:-1]
    columns = _check_header(header, fail)
    questions: list[tuple[int, str, dict]] = []
    for line, row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue
        if stated is not None and len(row) == len(header) + 1 and not row[-1].strip():
            row = row[:-1]  # the count's empty column, as a spreadsheet saves it
        if len(row) != len(header):
            fail(line, f"has {len(row)} fields, but the header names {len(header)} columns")
            continue
        long = [column for column, cell in zip(header, row, strict=True) if len(cell) > MAX_FIELD]
        for column in long:
            fail(line, f"column '{column}' is longer than {MAX_FIELD:,} characters")
        if columns and not long:
            cells = {column: unguard(row[i]) for column, i in columns.items()}
            try:
                questions.append((line, cells.get("bank", "").strip(), _question(cells)))
            except ValueError as exc:
                fail(line, str(exc))
    if errors:
        raise ContentInvalid(errors)
    _name_questions(questions)
    return Imported("", [ImportedQuestion(data, line) for line, _, data in questions], stated_count=stated)


def _check_header(header: list[str], fail: Callable[[int, str], None]) -> dict[str, int]:
    """Each known column's index (none if a required one is missing); errors go on line 1."""
    if not header:
        fail(1, f"no header row: the first row names the columns ({', '.join(COLUMNS)})")
        return {}
    for column in header:
        if column not in COLUMNS:
            fail(1, f"unknown column '{column}' (columns: {', '.join(COLUMNS)})")
        elif header.count(column) > 1:
            fail(1, f"column '{column}' appears twice")
    missing = [column for column in REQUIRED if column not in header]
    for column in missing:
        fail(1, f"missing column '{column}'")
    # Without a required column no row can be read; the other header errors still let rows be checked.
    return {} if missing else {column: header.index(column) for column in COLUMNS if column in header}


def _question(cells: dict[str, str]) -> dict:
    """A row as bank data; ValueError for a cell that cannot be read."""
    qtype = cells["type"].strip()
    data: dict = {"id": cells.get("id", "").strip(), "type": qtype, "prompt": cells["prompt"]}
    choices, answer = cells.get("choices", ""), cells["answer"]
    if qtype in CODECS:
        data.update(CODECS[qtype][1](choices, answer))
    # Choices given to a type without them are kept, so validation says they do not belong.
    if choices.strip() and "choices" not in data:
        data["choices"] = _items(choices)
    if cells.get("explanation", "").strip():
        data["explanation"] = cells["explanation"]
    data["concepts"] = _items(cells.get("concepts", ""))
    if _items(cells.get("tags", "")):
        data["tags"] = _items(cells["tags"])
    difficulty = cells.get("difficulty", "").strip()
    if difficulty:
        # Kept as text when it is not a number, so validation says what is expected.
        readable = difficulty.isascii() and difficulty.isdigit() and len(difficulty) <= 9
        data["difficulty"] = int(difficulty) if readable else difficulty
    return data


def _name_questions(questions: list[tuple[int, str, dict]]) -> None:
    """Give rows without an id one made from the prompt, and merge the banks' ids."""
    named = [(bank, data) for _, bank, data in questions if data["id"]]
    new_ids = merged_ids([(bank, data["id"]) for bank, data in named])
    for (_, data), new_id in zip(named, new_ids, strict=True):
        data["id"] = new_id
    taken = set(new_ids)
    for _, _, data in questions:
        if not data["id"]:
            data["id"] = unique_id(slugify(data["prompt"]), taken)


FORMAT = Format(
    name="csv",
    label="CSV (spreadsheet)",
    extension=".csv",
    mimetype="text/csv",
    export=export_csv,
    support={name: Support() for name in CODECS},
    parse=parse_csv,
)
