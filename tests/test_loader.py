"""The YAML loader: plain values, positions, YAML 1.1 resolution and its refusals."""

from __future__ import annotations

import math
import time

import pytest

from quiz.content import loader
from quiz.content.errors import ContentError, ContentInvalid
from quiz.content.loader import MAX_DEPTH, MAX_ERRORS, load_file, load_text

BANK = b"""\
id: ch01
title: "Basics"
questions:
  - id: q1
    choices: [a, b]
    pairs:
      left: right
"""


def load(text: str):
    """The data of a YAML text."""
    return load_text(text.encode(), "f.yaml").data


def errors_of(text: str | bytes) -> list[str]:
    """The error lines a YAML text is rejected with."""
    raw = text.encode() if isinstance(text, str) else text
    with pytest.raises(ContentInvalid) as caught:
        load_text(raw, "f.yaml")
    return [str(error) for error in caught.value.errors]


def value(text: str):
    """The value of one scalar written as ``v: <text>``."""
    return load(f"v: {text}\n")["v"]


# ------------------------------------------------------------------ values and positions


def test_builds_plain_dicts_lists_and_scalars():
    doc = load_text(BANK, "bank.yaml")
    assert doc.data == {
        "id": "ch01",
        "title": "Basics",
        "questions": [{"id": "q1", "choices": ["a", "b"], "pairs": {"left": "right"}}],
    }
    assert type(doc.data) is dict and type(doc.data["questions"]) is list
    assert doc.file == "bank.yaml"


@pytest.mark.parametrize(
    ("path", "value_at", "key_at"),
    [
        ((), (1, 1), (1, 1)),
        (("id",), (1, 5), (1, 1)),
        (("questions",), (4, 3), (3, 1)),
        (("questions", 0), (4, 5), (4, 5)),
        (("questions", 0, "choices"), (5, 14), (5, 5)),
        (("questions", 0, "choices", 1), (5, 18), (5, 18)),
        (("questions", 0, "pairs"), (7, 7), (6, 5)),
        (("questions", 0, "pairs", "left"), (7, 13), (7, 7)),
    ],
)
def test_position_of_values_and_keys(path, value_at, key_at):
    doc = load_text(BANK, "bank.yaml")
    assert doc.position(path) == value_at
    assert doc.position(path, key=True) == key_at


def test_position_of_a_missing_key_is_its_mapping():
    doc = load_text(BANK, "bank.yaml")
    assert doc.position(("questions", 0, "answer")) == (4, 5)
    assert doc.position(("questions", 0, "answer"), key=True) == (4, 5)
    assert doc.position(("nothing", "here")) == (1, 1)


def test_error_is_located_at_its_node():
    doc = load_text(BANK, "bank.yaml")
    error = doc.error(("questions", 0, "choices", 1), "bad choice")
    assert error == ContentError("bank.yaml", 5, 18, "questions[0].choices[1]", "bad choice")
    assert str(error) == "bank.yaml:5:18: questions[0].choices[1]: bad choice"
    unknown = doc.error(("questions", 0, "pairs"), "unknown key 'pairs'", key=True)
    assert (unknown.line, unknown.column) == (6, 5)


def test_positions_are_found_only_when_asked():
    doc = load_text(BANK, "bank.yaml")
    assert doc._positions is None
    doc.position(("id",))
    assert doc._positions is not None


# ------------------------------------------------------------------ scalar resolution


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("true", True), ("True", True), ("TRUE", True), ("yes", True), ("Yes", True),
        ("on", True), ("ON", True),
        ("false", False), ("False", False), ("no", False), ("NO", False), ("off", False),
        ("y", "y"), ("n", "n"), ("tRUE", "tRUE"),
    ],
)
def test_booleans_follow_yaml_1_1(text, expected):
    result = value(text)
    assert result == expected and type(result) is type(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("42", 42), ("-7", -7), ("+3", 3), ("0", 0), ("1_000", 1000),
        ("0x1F", 31), ("-0x10", -16), ("0b101", 5),
        # Octal and base-60 forms are kept as the author wrote them.
        ("017", "017"), ("1:30", "1:30"), ("0o17", "0o17"),
    ],
)
def test_integers(text, expected):
    result = value(text)
    assert result == expected and type(result) is type(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.5", 1.5), ("-0.5", -0.5), (".5", 0.5), ("1.0e+3", 1000.0), ("1_000.5", 1000.5),
        (".inf", math.inf), ("-.inf", -math.inf), (".Inf", math.inf),
        # YAML 1.1 wants a dot and a signed exponent: these are text.
        ("1e3", "1e3"), ("1.0e3", "1.0e3"),
    ],
)
def test_floats(text, expected):
    result = value(text)
    assert result == expected and type(result) is type(expected)


def test_nan():
    assert math.isnan(value(".nan"))


@pytest.mark.parametrize("text", ["~", "null", "Null", "NULL", ""])
def test_null(text):
    assert value(text) is None


@pytest.mark.parametrize(
    "text", ["2024-01-02", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5"]
)
def test_dates_stay_text(text):
    assert value(text) == text


@pytest.mark.parametrize(
    "text", ['"true"', "'yes'", '"42"', "'0x10'", '"1.5"', '"null"', "'~'", '"2024-01-02"', "''"]
)
def test_quoted_scalars_stay_text(text):
    assert value(text) == text[1:-1]


def test_standard_tags_are_allowed():
    assert load("a: !!str 42\nb: !!int '42'\nc: !!float '1.5'\nd: !!bool 'yes'\n") == {
        "a": "42", "b": 42, "c": 1.5, "d": True,
    }
    assert load("a: !!map {b: !!seq [c]}\n") == {"a": {"b": ["c"]}}


def test_merge_and_value_indicators_are_text():
    assert load("a: =\n<<: {b: c}\n") == {"a": "=", "<<": {"b": "c"}}


def test_keys_keep_their_spelling():
    assert load("yes: 1\noff: 2\n0x10: 3\n1_000: 4\n1.50: 5\n") == {
        "yes": 1, "off": 2, "0x10": 3, "1_000": 4, "1.50": 5,
    }


def test_multiline_text():
    assert load("a: |\n  one\n  two\nb: >\n  one\n  two\n") == {"a": "one\ntwo\n", "b": "one two\n"}


# ------------------------------------------------------------------ encoding and size


def test_bom_is_dropped_and_positions_ignore_it():
    doc = load_text(b"\xef\xbb\xbfid: x\n", "f.yaml")
    assert doc.data == {"id": "x"}
    assert doc.text == "id: x\n"
    assert doc.position(("id",)) == (1, 5)


def test_non_utf8_is_located_in_characters():
    assert errors_of(b"a: 1\nb: \xe2\x80\x94\xe9\n") == ["f.yaml:2:5: file is not valid UTF-8"]
    assert errors_of(b"\xef\xbb\xbfb: \xe9\n") == ["f.yaml:1:4: file is not valid UTF-8"]


def test_size_limit(monkeypatch):
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 8)
    assert load_text(b"a: 12345", "f.yaml").data == {"a": 12345}
    with pytest.raises(ContentInvalid) as caught:
        load_text(b"a: 123456", "f.yaml")
    [error] = caught.value.errors
    assert (error.file, error.line, error.column) == ("f.yaml", 1, 1)
    assert error.message.startswith("file is larger than the ")


# ------------------------------------------------------------------ refusals


def test_duplicate_keys_are_reported_at_the_second_key():
    assert errors_of("a: 1\nb:\n  c: 1\n  c: [2]\na: 3\n") == [
        "f.yaml:4:3: b.c: duplicate key 'c'",
        "f.yaml:5:1: a: duplicate key 'a'",
    ]


def test_keys_that_are_equal_as_text_are_duplicates():
    assert errors_of("1: a\n'1': b\n") == ["f.yaml:2:1: 1: duplicate key '1'"]


@pytest.mark.parametrize(
    ("text", "column"), [("~: a\n", 1), ("? [a]\n: b\n", 3), ("? {a: b}\n: c\n", 3)]
)
def test_keys_must_be_plain_text(text, column):
    assert errors_of(text) == [f"f.yaml:1:{column}: (document): mapping keys must be plain text"]


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("a: !!python/object/apply:os.system ['true']\n", "!!python/object/apply:os.system"),
        ("a: !!python/name:os.system ''\n", "!!python/name:os.system"),
        ("a: !!binary aGk=\n", "!!binary"),
        ("a: !!timestamp 2024-01-02\n", "!!timestamp"),
        ("a: !!set {b}\n", "!!set"),
        ("a: !!omap [b: 1]\n", "!!omap"),
        ("a: !foo b\n", "!foo"),
        ("a: !<tag:example.com,2024:x> b\n", "tag:example.com,2024:x"),
    ],
)
def test_tags_beyond_the_core_are_refused(text, tag):
    assert errors_of(text) == [f"f.yaml:1:4: a: tag '{tag}' is not allowed"]


def test_anchors_and_aliases_are_refused_where_they_stand():
    assert errors_of("a: &x 1\nb: *x\nc: [&y 2, *y]\n") == [
        "f.yaml:1:4: a: anchors and aliases are not allowed",
        "f.yaml:2:4: b: anchors and aliases are not allowed",
        "f.yaml:3:5: c[0]: anchors and aliases are not allowed",
        "f.yaml:3:11: c[1]: anchors and aliases are not allowed",
    ]


def test_one_document_per_file():
    assert load("---\na: 1\n...\n") == {"a": 1}
    assert errors_of("a: 1\n---\nb: 2\n") == [
        "f.yaml:2:1: (document): a content file holds one YAML document"
    ]


def test_syntax_error_names_where_the_construct_began():
    assert errors_of("a: [b\nc: d\n") == [
        "f.yaml:2:2: not valid YAML: while parsing a flow sequence (from line 1, column 4), "
        "did not find expected ',' or ']'"
    ]


def test_nesting_limit():
    assert load("a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)) is not None
    [line] = errors_of("a: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH)
    assert line.endswith(f": nested deeper than {MAX_DEPTH} levels")
    assert line.startswith(f"f.yaml:1:{3 + MAX_DEPTH}: a[0]")


def test_error_cap_says_it_stopped():
    aliases = ", ".join(["*x"] * (MAX_ERRORS - 1))
    assert len(errors_of(f"a: &x 1\nb: [{aliases}]\n")) == MAX_ERRORS
    lines = errors_of(f"a: &x 1\nb: [{aliases}, *x, *x, *x]\n")
    assert len(lines) == MAX_ERRORS + 1
    column = len("b: [") + 1 + 4 * (MAX_ERRORS - 1)
    assert lines[-1] == f"f.yaml:2:{column}: more than {MAX_ERRORS} errors; stopped reading here"


def test_alias_bomb_and_deep_nesting_fail_fast():
    levels = [f"l0: &l0 [{', '.join(['lol'] * 10)}]"]
    levels += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 30)]
    bomb = "\n".join(levels) + "\n"
    abyss = "a: " + "[" * 200_000 + "]" * 200_000
    for text in (bomb, abyss):
        started = time.perf_counter()
        with pytest.raises(ContentInvalid):
            load_text(text.encode(), "f.yaml")
        assert time.perf_counter() - started < 5


# ------------------------------------------------------------------ files


def test_load_file(tmp_path):
    path = tmp_path / "bank.yaml"
    path.write_bytes(BANK)
    doc = load_file(path, "banks/bank.yaml")
    assert doc.file == "banks/bank.yaml"
    assert doc.data["id"] == "ch01"
    assert load_file(path).file == str(path)


def test_load_file_missing(tmp_path):
    with pytest.raises(ContentInvalid) as caught:
        load_file(tmp_path / "gone.yaml", "banks/gone.yaml")
    assert [str(error) for error in caught.value.errors] == [
        "banks/gone.yaml:1:1: cannot read: No such file or directory"
    ]


def test_load_file_too_large_is_not_read(tmp_path, monkeypatch):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: " + b"x" * 100)
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 50)
    monkeypatch.setattr(type(path), "read_bytes", lambda self: pytest.fail("read a file too large"))
    with pytest.raises(ContentInvalid) as caught:
        load_file(path, "big.yaml")
    assert [error.message for error in caught.value.errors] == ["file is larger than the 0 MiB limit"]
