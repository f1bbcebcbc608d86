"""Cells of every CSV the app writes, guarded so that no spreadsheet runs one as a formula.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
is a formula to Excel, LibreOffice and Google Sheets (``=HYPERLINK(...)`` as a
nickname, ``=1+1`` as a choice). Such a cell is written with an apostrophe in
front, which spreadsheets take to mean "text". To keep the guard reversible, a
cell that only looks guarded (apostrophes, then one of those characters) gets
one more; ``unguard`` takes exactly one off, so our CSV import reads back what
was exported, and a cell like ``'Twas`` is left alone both ways.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_FORMULA = re.compile(r"'*[=+\-@\t\r]")


def guard(cell: str) -> str:
    """The cell as a spreadsheet must not read it as a formula."""
    return "'" + cell if _FORMULA.match(cell) else cell


def unguard(cell: str) -> str:
    """A cell of our own CSV as it was before ``guard``."""
    return cell[1:] if cell.startswith("'") and _FORMULA.match(cell, 1) else cell


def guarded(row: Iterable[object]) -> list[object]:
    """A row with its text cells guarded (numbers are never formulas)."""
    return [guard(cell) if isinstance(cell, str) else cell for cell in row]
