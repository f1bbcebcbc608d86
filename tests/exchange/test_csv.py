"""The csv format: every question round-trips, hand-written sheets import, bad rows fail at their line."""

from __future__ import annotations

import csv
import io

import pytest

from quiz.content.errors import ContentError, ContentInvalid
from quiz.content.model import Bank, Question
from quiz.content.types import QUESTION_TYPES
from quiz.exchange.csv_format import CODECS, COLUMNS, FORMAT, MAX_FIELD, escape, split, unescape
from quiz.exchange.documents import merged_bank_data
from quiz.exchange.importing import import_bank
from quiz.exchange.selection import ExportSet, select

HEADER = ",".join(COLUMNS)


def imported(data: bytes, concepts) -> Bank:
    """The bank ``data`` imports as."""
    return import_bank(FORMAT, data, "upload.csv", "imported", concepts)[0]


def failures(data: bytes, concepts) -> list[ContentError]:
    """The errors importing ``data`` raises (the test fails if it imports)."""
    with pytest.raises(ContentInvalid) as caught:
        imported(data, concepts)
    return caught.value.errors


def sheet(*rows: str, header: str = HEADER) -> bytes:
    """A CSV file of a header and rows, as a spreadsheet saves it."""
    return "\r\n".join([header, *rows, ""]).encode("utf-8")


def test_every_committed_question_round_trips(content, everything):
    bank = imported(FORMAT.export(everything), content.concepts)
    expected = [Question.from_dict(q) for q in merged_bank_data(everything)["questions"]]
    assert list(bank.questions) == expected
    assert len(expected) == everything.count()


def test_one_bank_round_trips_with_its_ids(content):
    for source in content.banks:
        bank = imported(FORMAT.export(select(content, banks=[source.id])), content.concepts)
        assert bank.questions == source.questions


def test_export_has_a_bom_a_header_with_the_count_and_a_row_per_question(everything):
    data = FORMAT.export(everything)
    count = f"this file holds {everything.count()} questions"
    assert data.startswith(b"\xef\xbb\xbf" + f"{HEADER},{count}".encode() + b"\r\n")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert len(rows) == everything.count() + 1
    assert all(len(row) == len(COLUMNS) for row in rows[1:])


def test_each_type_writes_its_cells(content):
    rows = csv.reader(io.StringIO(FORMAT.export(select(content, banks=["ch01-concepts"])).decode("utf-8-sig"),
                                  newline=""))
    next(rows)
    row_of = {row[1]: dict(zip(COLUMNS, row, strict=True)) for row in rows}
    assert row_of["fastest-method"]["choices"] == (
        "Paravirtualization | Full virtualization | Software virtualization (emulation)")
    assert row_of["tf-host-is-a-guest"]["answer"] in ("TRUE", "FALSE")
    cloze = next(row for row in row_of.values() if row["type"] == "cloze")
    assert cloze["answer"] == "" and "{{" in cloze["prompt"]
    matching = next(row for row in row_of.values() if row["type"] == "matching")
    assert " => " in matching["answer"] and " | " in matching["answer"]


SEPARATORS = Question(
    "separators", "matching", "Match the odd => texts | with pipes.", r"A back\slash | and => too.",
    ("hypervisor",), {"pairs": {"a | b": r"c \ d", "e => f": "g =\\> h", "|": "=>"}},
    ("odd-tag",), 3)
PIPED_CHOICES = Question(
    "piped", "multiple", "Which hold a pipe?", "", ("host",),
    {"choices": ["x | y", r"back\\slash", r"\|", "plain"], "answer": ["x | y", r"\|"]})


def test_separators_and_backslashes_inside_items_round_trip(content):
    selection = ExportSet("t", (Bank("b", "B", (SEPARATORS, PIPED_CHOICES)),))
    data = FORMAT.export(selection)
    assert r"a \| b => c \\ d" in data.decode()
    assert imported(data, content.concepts).questions == (SEPARATORS, PIPED_CHOICES)


@pytest.mark.parametrize("item", ["", "a|b", "a \\ b", "\\", "\\|", "=>", "a\\=>b", "|||", " x "])
def test_escape_and_split_invert_each_other(item):
    for pair in (False, True):
        items = [unescape(part) for part in split(f"{escape(item, pair=pair)} | z")]
        assert items == [item.strip(), "z"]


def test_a_hand_written_sheet_imports(content):
    data = sheet(
        '"Which machine runs the hypervisor?",host | guest,host,single',
        "A guest is a virtual machine.,,true,true_false",
        header="prompt,choices,answer,type",
    )
    bank = imported(data, content.concepts)
    single, fact = bank.questions
    assert (single.id, single.concepts, single.fields["answer"]) == (
        "which-machine-runs-the-hypervisor", ("hypervisor", "virtual-machine", "host"), "host")
    assert (fact.id, fact.fields, fact.difficulty) == ("a-guest-is-a-virtual-machine", {"answer": True}, 1)
    assert fact.concepts == ("virtual-machine",)


def test_blank_rows_are_skipped_and_lines_still_count(content):
    data = sheet("", ",q1,true_false,The host runs guests.,,TRUE,,host,,1", ",,,,,,,,,",
                 ",q2,single,Pick,a | b,c,,host,,1")
    errors = failures(data, content.concepts)
    assert [(e.line, e.path) for e in errors] == [(5, "questions[1].answer")]


# ---------------------------------------------------------------- malformed input

ROW = ",q,single,Which runs guests?,Host | Guest,Host,Because.,host,,1"


@pytest.mark.parametrize(("data", "line", "message"), [
    (sheet(ROW, header="bank,id,prompt,choices,answer,explanation,concepts,tags,difficulty"),
     1, "missing column 'type'"),
    (sheet(ROW + ",x", header=HEADER + ",author"), 1, "unknown column 'author'"),
    (sheet(ROW + ",x", header=HEADER + ",type"), 1, "column 'type' appears twice"),
    (b"", 1, "no header row"),
    (sheet(ROW, ROW.replace(",q,", ",r,") + ",extra"), 3, "has 11 fields, but the header names 10"),
    (sheet(ROW, ROW.replace("Because.", "x" * (MAX_FIELD + 1))), 3,
     "column 'explanation' is longer than 5,000 characters"),
    (sheet(ROW.replace("Because.", "x" * 200_000)), 2, "a field is longer than 5,000 characters"),
    (sheet(ROW, ROW.replace(",single,", ",essay,").replace(",q,", ",r,")), 3,
     "'essay' is not a question type"),
    (sheet(ROW.replace(",Host,", ",Hypervisor,")), 2, "'Hypervisor' is not one of the choices"),
    (sheet(",t,true_false,The host runs guests.,,maybe,,host,,1"), 2, "expected true or false"),
    (sheet(",m,matching,Match.,,a => b | c,,host,,1"), 2, "'c' is not a 'left => right' pair"),
    (sheet(",m,matching,Match.,,a => b | a => c,,host,,1"), 2, "'a' is matched twice"),
    (sheet(",t,true_false,Guests run on a host.,Yes | No,TRUE,,host,,1"), 2,
     "key 'choices' is not used by type 'true_false'"),
    (sheet(ROW.replace(",1", ",hard")), 2, "'hard' is not one of: 1, 2, 3"),
    (sheet(ROW.replace(",host,", ",hosts,")), 2, "no glossary defines concept 'hosts'"),
    (sheet(",c,cloze,No blanks here.,,,,host,,1"), 2, "needs at least one {{blank}}"),
    (sheet(ROW, ',r,single,"Which, spanning\nlines,A | B,A,,host,,1'), 3, "not valid CSV"),
    (sheet(ROW, ',r,single,"Which" one,A | B,A,,host,,1'), 3, "not valid CSV: ',' expected after"),
], ids=["missing-column", "unknown-column", "repeated-column", "empty", "too-many-fields",
        "over-long-field", "huge-field", "bad-type", "answer-not-a-choice", "bad-boolean", "bad-pair",
        "pair-twice", "choices-on-true-false", "bad-difficulty", "unknown-concept", "cloze-no-blank",
        "unterminated-quote", "stray-quote"])
def test_bad_sheet_fails_at_its_line(content, data, line, message):
    errors = failures(data, content.concepts)
    assert any(e.line == line and message in e.message for e in errors), errors


def test_a_missing_column_is_the_only_error(content):
    data = sheet("q,single,Which runs guests?,Host | Guest", header="id,type,prompt,choices")
    assert [(e.line, e.message) for e in failures(data, content.concepts)] == [
        (1, "missing column 'answer'")]


def test_multi_line_cells_keep_later_lines_right(content):
    first = ',q1,single,"Which\nruns\nguests?",Host | Guest,Host,"Two\nlines.",host,,1'
    data = sheet(first, ",q2,single,Which?,A | B,C,,host,,1")
    assert [(e.line, e.message) for e in failures(data, content.concepts)] == [
        (6, "'C' is not one of the choices")]


def test_every_unreadable_row_is_reported_at_once(content):
    data = sheet(ROW + ",x", ROW.replace(",q,", ",r,"), ROW.replace("Because.", "x" * 5001),
                 ",m,matching,Match.,,a => b | c,,host,,1")
    assert [e.line for e in failures(data, content.concepts)] == [2, 4, 5]


@pytest.mark.parametrize(("data", "line", "column"), [
    (b"\xef\xbb\xbf" + HEADER.encode() + b"\r\n,q,single,caf\xe9,a | b,a,,host,,1\r\n", 2, 14),
    (bytes(range(128, 256)), 1, 1),
], ids=["latin-1", "garbage"])
def test_non_utf8_fails_at_the_byte(content, data, line, column):
    errors = failures(data, content.concepts)
    assert [(e.line, e.column, e.message) for e in errors] == [(line, column, "file is not valid UTF-8")]


def test_every_type_has_a_codec():
    assert set(CODECS) == set(QUESTION_TYPES)
