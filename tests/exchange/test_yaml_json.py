"""The yaml and json formats: every committed question round-trips; bad files fail at their line."""

from __future__ import annotations

import dataclasses
import json

import pytest

from quiz.content.errors import ContentError, ContentInvalid
from quiz.content.loader import load_text
from quiz.content.model import Bank, Question
from quiz.exchange import json_format, yaml_format
from quiz.exchange.documents import merged_bank_data
from quiz.exchange.formats import Format
from quiz.exchange.importing import import_bank
from quiz.exchange.selection import ExportSet, select

FORMATS = [yaml_format.FORMAT, json_format.FORMAT]
by_name = pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.name)


def failures(fmt: Format, data: bytes, concepts) -> list[ContentError]:
    """The errors importing ``data`` raises (the test fails if it imports)."""
    with pytest.raises(ContentInvalid) as caught:
        import_bank(fmt, data, f"upload{fmt.extension}", "imported", concepts)
    return caught.value.errors


def expected_questions(selection: ExportSet) -> list[Question]:
    """The questions an export of ``selection`` carries: the banks merged, colliding ids prefixed."""
    return [Question.from_dict(data) for data in merged_bank_data(selection)["questions"]]


@by_name
def test_every_committed_question_round_trips(fmt, content, everything):
    data = fmt.export(everything)
    bank, text = import_bank(fmt, data, "upload", "virtualization-questions", content.concepts)
    assert list(bank.questions) == expected_questions(everything)
    assert len(bank.questions) == everything.count()
    assert bank.title == "Virtualization questions"
    assert text.startswith("# yaml-language-server")


@by_name
def test_one_bank_keeps_its_ids_and_title(fmt, content):
    for source in content.banks:
        selection = select(content, banks=[source.id])
        bank, _ = import_bank(fmt, fmt.export(selection), "upload", source.id, content.concepts)
        assert bank.questions == source.questions
        assert bank.title == source.title


def test_merged_banks_prefix_only_the_ids_they_share(content):
    # The committed banks share no id (a twin would be a duplicate question); give them one.
    concepts, definitions = content.bank("ch01-concepts"), content.bank("ch01-definitions")
    shared = "order-paravirtualization-call-path"
    twin = dataclasses.replace(concepts.questions[-1], id=shared)
    clashing = dataclasses.replace(content, banks=(
        dataclasses.replace(concepts, questions=(*concepts.questions, twin)), definitions))
    data = merged_bank_data(select(clashing))
    ids = [q["id"] for q in data["questions"]]
    assert data["id"] == "virtualization-questions"
    assert len(set(ids)) == len(ids)
    assert shared not in ids
    assert {f"ch01-concepts-{shared}", f"ch01-definitions-{shared}"} <= set(ids)
    assert "fastest-method" in ids


def test_yaml_export_is_a_bank_file(content):
    selection = select(content, banks=["ch01-concepts"])
    document = load_text(yaml_format.FORMAT.export(selection), "ch01-concepts.yaml")
    assert document.data["id"] == "ch01-concepts"
    assert document.text.splitlines()[0].startswith("# yaml-language-server: $schema=")


def test_json_export_is_indented_utf8(content):
    data = json_format.FORMAT.export(select(content))
    assert data.startswith(b'{\n  "id": ')
    assert "“" in data.decode("utf-8")  # not \u201c: ensure_ascii is off
    assert json.loads(data)["title"] == "Virtualization questions"


# ---------------------------------------------------------------- malformed input

QUESTION = """\
id: x
title: Imported
questions:
  - id: good
    type: true_false
    prompt: A hypervisor controls hardware.
    answer: true
  - id: bad
    type: single
    prompt: Which one is the host?
    choices: [Host, Guest]
    answer: Hypervisor
"""


def test_yaml_question_error_is_on_its_line(content):
    errors = failures(yaml_format.FORMAT, QUESTION.encode(), content.concepts)
    assert [(e.line, e.path) for e in errors] == [(8, "questions[1].answer")]
    assert "not one of the choices" in errors[0].message


def test_json_question_error_is_on_its_line(content):
    data = json.dumps(load_text(QUESTION.encode(), "q").data, indent=2).encode()
    errors = failures(json_format.FORMAT, data, content.concepts)
    text = data.decode().splitlines()
    assert len(errors) == 1
    assert text[errors[0].line - 1].strip() == "{"
    assert text[errors[0].line].strip() == '"id": "bad",'


@pytest.mark.parametrize(("text", "line", "message"), [
    ("id: x\ntitle: a\ntitle: b\nquestions: []\n", 3, "duplicate key 'title'"),
    ("questions:\n  - &a {id: q}\n  - *a\n", 2, "anchors and aliases are not allowed"),
    ("title: !!python/object:os.system x\nquestions: []\n", 1, "tag '!!python/object:os.system'"),
    ("questions: [\n", 2, "not valid YAML"),
    ("- just\n- a list\n", 1, "expected a bank"),
    ("title: t\nquestions: none\n", 2, "expected a list of questions"),
    ("title: t\nquestions:\n  - fine\n", 3, "expected a question"),
    ("title: t\nquestions: []\nauthor: me\n", 3, "unknown key 'author'"),
    ("title: [t]\nquestions: []\n", 1, "expected text"),
    ("title: t\nquestions: " + "[" * 70 + "]" * 70 + "\n", 2, "nested deeper than 64"),
], ids=["duplicate-key", "alias", "tag", "syntax", "list", "questions-not-list",
        "question-not-mapping", "unknown-key", "title-not-text", "deep"])
def test_bad_yaml_fails_at_its_line(content, text, line, message):
    errors = failures(yaml_format.FORMAT, text.encode(), content.concepts)
    assert any(e.line == line and message in e.message for e in errors), errors


@pytest.mark.parametrize(("text", "line", "column", "message"), [
    ('{\n  "title": "t",\n  "questions": [\n    {"id": "a",}\n  ]\n}', 4, 16, "not valid JSON"),
    ('{\n  "title": "t",\n  "title": "u",\n  "questions": []\n}', 3, 3, "duplicate key 'title'"),
    ('{"questions": [{"id": "a", "i\\u0064": "b"}]}', 1, 28, "duplicate key 'id'"),
    ('[\n  {"id": "a"}\n]', 1, 1, "expected a bank"),
    ('{"title": "t",\n "questions": {"id": "a"}}', 2, 15, "expected a list of questions"),
    ('{"title": "t", "questions": [\n  "a", 3]}', 2, 3, "expected a question"),
    ('{"title": "t", "questions": [], "extra": 1}', 1, 42, "unknown key 'extra'"),
    ('{"title": "t", "questions": [],\n "difficulty": NaN}', 2, 16, "not valid JSON: NaN"),
    ('{"questions": ' + "[" * 65 + "]" * 65 + "}", 1, 78, "nested deeper than 64 levels"),
    ('{"title": "t", "questions": [], ', 1, 33, "not valid JSON"),
    ("", 1, 1, "not valid JSON"),
], ids=["syntax", "duplicate-key", "duplicate-escaped-key", "array", "questions-not-list",
        "question-not-object", "unknown-key", "nan", "deep", "truncated", "empty"])
def test_bad_json_fails_at_its_line(content, text, line, column, message):
    errors = failures(json_format.FORMAT, text.encode(), content.concepts)
    assert any((e.line, e.column) == (line, column) and message in e.message for e in errors), errors


def test_very_deep_json_is_refused_before_parsing(content):
    data = b'{"questions": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    errors = failures(json_format.FORMAT, data, content.concepts)
    assert [e.message for e in errors] == ["nested deeper than 64 levels"]


def test_unterminated_strings_scan_in_linear_time(content):
    # Every quote opens a string that never closes: one scan to the end, not one per quote.
    data = b'{"questions": [' + b'"\\' * 400_000
    errors = failures(json_format.FORMAT, data, content.concepts)
    assert "not valid JSON" in errors[0].message


@by_name
@pytest.mark.parametrize(("data", "line", "column"), [
    (b"title: caf\xe9\n", 1, 11),
    (b'{"title":\n "\xff"}', 2, 3),
], ids=["latin-1", "invalid-byte"])
def test_non_utf8_fails_at_the_byte(fmt, content, data, line, column):
    errors = failures(fmt, data, content.concepts)
    assert [(e.line, e.column, e.message) for e in errors] == [(line, column, "file is not valid UTF-8")]


@by_name
def test_garbage_bytes_fail(fmt, content):
    errors = failures(fmt, bytes(range(256)) * 4, content.concepts)
    assert errors and all(e.file == f"upload{fmt.extension}" for e in errors)


@by_name
def test_a_question_without_concepts_gets_them_from_its_text(fmt, content):
    question = Question("host-q", "true_false", "The host runs the hypervisor.", "", (), {"answer": True})
    selection = ExportSet("t", (Bank("b", "B", (question,)),))
    bank, _ = import_bank(fmt, fmt.export(selection), "upload", "b", content.concepts)
    assert bank.questions[0].concepts == ("hypervisor", "host")


def test_a_lone_surrogate_in_json_is_refused_at_its_place(content):
    data = (b'{"id": "x", "title": "t", "questions": [\n {"id": "q", "type": "true_false",'
            b' "prompt": "A host \\ud800 runs.", "answer": true, "concepts": ["host"]}]}')
    with pytest.raises(ContentInvalid) as caught:
        import_bank(json_format.FORMAT, data, "x.json", "x", content.concepts)
    assert [(e.line, e.path) for e in caught.value.errors] == [(2, "questions[0].prompt")]
    assert "lone surrogate" in caught.value.errors[0].message
