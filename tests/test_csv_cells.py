"""Every CSV the app writes guards cells a spreadsheet would run as formulas; our import undoes it.

Before, a nickname such as ``=HYPERLINK(...)`` came back unchanged in the live
results CSV, and an imported choice ``=1+1`` in the CSV export.
"""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from quiz.content.model import Bank, Question
from quiz.content.validate import load_content
from quiz.csv_cells import guard, unguard
from quiz.exchange.csv_format import FORMAT
from quiz.exchange.importing import import_bank
from quiz.exchange.selection import ExportSet
from tests.helpers.live import act, send, started, wrong
from tests.helpers.paths import CONTENT

FORMULA_STARTS = "=+-@\t\r"


@given(st.text())
def test_the_guard_is_undone_exactly(cell):
    assert unguard(guard(cell)) == cell


@given(st.text())
def test_a_guarded_cell_never_starts_a_formula(cell):
    assert not guard(cell).startswith(tuple(FORMULA_STARTS))


def test_cells_that_look_guarded_or_harmless():
    assert guard("=1+1") == "'=1+1" and guard("'=1+1") == "''=1+1"
    assert guard("'Twas brillig") == "'Twas brillig" and unguard("'Twas brillig") == "'Twas brillig"
    assert guard("Hosts run guests") == "Hosts run guests"


def test_the_csv_export_guards_formulas_and_imports_them_back():
    content = load_content(CONTENT)
    question = Question("formula", "single", "-5 or +5: which is the host's number?", "@ the chapter",
                        ("host",), {"choices": ["=1+1", "+5", "-5 | @x"], "answer": "=1+1"})
    data = FORMAT.export(ExportSet("x", (Bank("formulas", "=Formulas", (question,)),), content.glossaries))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    cells = [cell for row in rows[1:] for cell in row]
    assert not [cell for cell in cells if cell.startswith(tuple(FORMULA_STARTS))], cells
    assert "'=1+1" in cells and "'-5 or +5: which is the host's number?" in cells
    bank, _ = import_bank(FORMAT, data, "formulas.csv", "formulas", content.concepts)
    assert bank.questions == (question,)


def test_the_live_results_csv_guards_nicknames(synced, host, clock):
    session_id, pin, phones, _, data = started(synced, host, "=HYPERLINK(\"x\")", "Bob", count="1")
    send(phones['=HYPERLINK("x")'], pin, 0, choice=wrong(data))
    act(host, session_id, "finish")
    exported = host.get(f"/live/{session_id}/results.csv").get_data().decode("utf-8-sig")
    nicknames = [row["nickname"] for row in csv.DictReader(io.StringIO(exported))]
    assert nicknames == ["'=HYPERLINK(\"x\")", "Bob"]
