"""GIFT: escapes, Moodle's grades, round trips, line-numbered errors, and an independent parser's view."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from quiz.content.errors import ContentInvalid
from quiz.content.model import Bank, Question
from quiz.content.types import QUESTION_TYPES, cloze_segments
from quiz.exchange.exporting import export
from quiz.exchange.formats import FULL, SKIPPED
from quiz.exchange.gift import FORMAT, export_gift
from quiz.exchange.gift_parse import parse_gift
from quiz.exchange.importing import import_bank
from quiz.exchange.moodle_rules import VALID_PERCENTS, adds_up, penalty, right_weights
from quiz.exchange.selection import ExportSet, select
from tests.helpers.gift import expected_after_gift

HERE = Path(__file__).resolve().parent
GIFT_JS = HERE / "gift_parse.js"
GIFT_PEGJS = HERE / "node_modules" / "gift-pegjs" / "package.json"
SPECIALS = "~ = # { } : \\ and a line\nbreak, <b>tags</b> & [brackets] -> arrows, 50% *stars*"
# What gift-pegjs calls each of our types (a one-blank cloze is a missing-word short answer).
PEG_TYPES = {"single": "MC", "multiple": "MC", "true_false": "TF", "short": "Short", "cloze": "Short",
             "matching": "Matching"}


def one_bank(*questions: Question, title: str = "Escapes: a/b {test}") -> ExportSet:
    """A set of one bank holding ``questions``."""
    return ExportSet(title, (Bank("escapes", title, questions),))


def special_questions() -> list[Question]:
    """One question of each type GIFT carries, every text full of GIFT's special characters."""
    base = {"explanation": f"Because {SPECIALS}", "concepts": ("hypervisor", "host"), "tags": ("edge",)}
    return [
        Question("single-specials", "single", f"Pick {SPECIALS}",
                 fields={"choices": [f"right {SPECIALS}", "wrong ~ = #"], "answer": f"right {SPECIALS}"},
                 **base),
        Question("multiple-specials", "multiple", f"Pick all {SPECIALS}",
                 fields={"choices": ["a {1}", "b: 2", "c # 3", "d = 4"],
                         "answer": ["a {1}", "b: 2", "c # 3"]},
                 difficulty=3, **base),
        Question("tf-specials", "true_false", f"True? {SPECIALS}", fields={"answer": False}, **base),
        Question("short-specials", "short", f"Name {SPECIALS}",
                 fields={"answer": ["a*b {x}", "c~d#e=f:g\\h"]}, **base),
        Question("cloze-specials", "cloze", "Fill {{a*b|c~d#e=f:g\\h}} in: " + SPECIALS, **base),
        Question("matching-specials", "matching", f"Match {SPECIALS}",
                 fields={"pairs": {"left -> one {1}": "right -> one ~", "left: two #": "right = two \\"}},
                 **base),
    ]


def gift_pegjs(data: bytes, tmp_path: Path) -> list[dict]:
    """The questions gift-pegjs reads in ``data`` (type, title, embedded), as parsed by node."""
    node = shutil.which("node")
    if node is None or not GIFT_PEGJS.exists():
        pytest.fail("node and the npm package gift-pegjs are needed to check GIFT exports: "
                    "`make test` installs gift-pegjs into tests/exchange/node_modules")
    path = tmp_path / "export.gift.txt"
    path.write_bytes(data)
    run = subprocess.run([node, str(GIFT_JS), str(path)], capture_output=True, text=True, timeout=60,
                         check=False)
    assert run.returncode == 0, f"gift-pegjs rejects our export: {run.stderr}"
    return json.loads(run.stdout)


# ---------------------------------------------------------------- support

def test_support_is_declared_for_every_type_with_reasons():
    assert set(FORMAT.support) == set(QUESTION_TYPES)
    assert all(s.note for s in FORMAT.support.values() if s.kind != FULL)
    assert FORMAT.support["ordering"].kind == SKIPPED
    assert FORMAT.name == "gift" and FORMAT.extension in (".gift.txt", ".txt")


def test_export_report_skips_ordering_and_keeps_the_rest(everything):
    data, report = export(FORMAT, everything)
    counts = {t: sum(q.type == t for _, q in everything.questions()) for t in QUESTION_TYPES}
    assert report.exported == everything.count() - counts["ordering"]
    assert any("skipped" in note and "ordering" in note for note in report.notes)
    assert data.decode("utf-8").count("\n::") == report.exported


# ---------------------------------------------------------------- escapes

def test_every_special_character_round_trips(content):
    questions = special_questions()
    imported = parse_gift(export_gift(one_bank(*questions)), "escapes.gift.txt", content.concepts)
    assert imported.title == "Escapes: a/b {test}"
    assert [q.data for q in imported.questions] == [q.to_dict() for q in questions]


def test_gift_pegjs_reads_our_escapes_as_we_meant_them(tmp_path):
    questions = [q for q in special_questions() if q.type != "cloze"]
    parsed = gift_pegjs(export_gift(one_bank(*questions)), tmp_path)
    # Text is HTML (Moodle's default format), so entities are decoded to compare.
    assert [html.unescape(p["stem"]) for p in parsed] == [q.prompt for q in questions]
    assert [(p["type"], p["title"]) for p in parsed] == [(PEG_TYPES[q.type], q.id) for q in questions]


def test_markup_and_format_markers_are_shown_as_text(content):
    question = Question("markup", "true_false", "[html]<b>bold</b> & co", "", ("host",), {"answer": True})
    text = export_gift(one_bank(question)).decode("utf-8")
    assert "::markup::&\\#91;html]&lt;b&gt;bold&lt;/b&gt; &amp; co{" in text
    assert parse_gift(text.encode(), "x.gift.txt", content.concepts).questions[0].data["prompt"] == (
        question.prompt)


def test_category_keeps_colons_and_doubles_slashes():
    text = export_gift(one_bank(special_questions()[2])).decode("utf-8")
    assert "$CATEGORY: Virtualization/Escapes: a//b {test}\n" in text


# ---------------------------------------------------------------- weights

def test_right_answers_share_100_with_moodles_grades_only():
    for count in range(1, 13):
        weights = right_weights(count)
        assert len(weights) == count and set(weights) <= VALID_PERCENTS, count
        assert adds_up([Decimal(w) for w in weights]), count
        assert penalty(count) in VALID_PERCENTS
    assert right_weights(3) == ["33.33333"] * 3
    assert right_weights(6) == ["16.66667"] * 6
    assert right_weights(7) == ["14.28571"] * 7
    assert sorted(set(right_weights(11))) == ["10", "5"]


def test_no_weight_outside_moodles_list_in_any_committed_question(everything):
    text = export_gift(everything).decode("utf-8")
    weights = re.findall(r"%(-?[\d.]+)%", text)
    assert weights, "the committed multiple-answer questions carry weights"
    assert set(weights) <= VALID_PERCENTS


def test_three_right_answers_weigh_33_33333_each(content):
    question = next(q for _, q in select(content).questions()
                    if q.type == "multiple" and len(q.fields["answer"]) == 3)
    block = export_gift(one_bank(question)).decode("utf-8").split(f"::{question.id}::")[1]
    assert block.count("~%33.33333%") == 3
    assert block.count("~%-33.33333%") == len(question.fields["choices"]) - 3
    assert "%33%" not in block


# ---------------------------------------------------------------- round trips


@pytest.mark.parametrize("bank_id", ["ch01-concepts", "ch01-definitions"])
def test_a_committed_bank_round_trips_through_import_bank(content, bank_id):
    original = content.bank(bank_id)
    data = export_gift(select(content, banks=[bank_id]))
    bank, text = import_bank(FORMAT, data, f"{bank_id}.gift.txt", bank_id, content.concepts)
    assert bank.title == original.title
    carried = [q for q in original.questions if q.type != "ordering"]
    assert list(bank.questions) == [expected_after_gift(q) for q in carried]
    assert text.startswith("# yaml-language-server")


def test_special_questions_round_trip_through_import_bank(content):
    questions = special_questions()
    bank, _ = import_bank(FORMAT, export_gift(one_bank(*questions)), "x.gift.txt", "escapes",
                          content.concepts)
    assert list(bank.questions) == questions


def test_concepts_are_inferred_when_the_file_names_none(content):
    data = b"::q::Which software layer controls hardware?{=The hypervisor ~The host}\n"
    bank, _ = import_bank(FORMAT, data, "x.gift.txt", "inferred", content.concepts)
    assert bank.questions[0].concepts == ("hypervisor", "host")


def test_what_moodle_writes_is_read(content):
    # Moodle's own GIFT export: its comment, [html] text, weights on every short answer, T/F.
    data = (
        b"// question: 0  name: Switch category to $course$/top/Default for X/Virtualization\n"
        b"$CATEGORY: $course$/top/Default for X/Virtualization\n\n"
        b"// question: 12  name: hyp\n"
        b"// [id:hyp-1] [tag:concept:hypervisor] [tag:Chapter One]\n"
        b"::hyp::[html]<p>What controls the <b>hardware</b>?</p>{\n"
        b"\t=%100%hypervisor#\n\t=%100%the hypervisor#Right\n\t=%0%*#Wrong\n"
        b"\t####<p>It is the hypervisor \\: a software layer.</p>\n}\n\n"
        b"// question: 13  name: tf\n"
        b"::tf::[moodle]A host is a guest.{F#Wrong.#Right.}\n"
    )
    imported = parse_gift(data, "moodle.gift.txt", content.concepts)
    assert imported.title == "Virtualization"
    first, second = (q.data for q in imported.questions)
    assert first == {"id": "hyp", "type": "short", "prompt": "What controls the hardware?",
                     "answer": ["hypervisor", "the hypervisor"],
                     "explanation": "It is the hypervisor : a software layer.",
                     "concepts": ["hypervisor"], "tags": ["chapter-one"]}
    assert second == {"id": "tf", "type": "true_false", "prompt": "A host is a guest.", "answer": False}
    assert [q.line for q in imported.questions] == [6, 14]


def test_missing_word_choices_and_untitled_questions_are_read(content):
    data = b"A {~guest =hypervisor ~host} controls hardware.\n\nA {=host} runs guests.\n"
    first, second = (q.data for q in parse_gift(data, "x.gift.txt", content.concepts).questions)
    assert first["type"] == "single" and first["prompt"] == "A _____ controls hardware."
    assert first["id"] == "a-controls-hardware"
    assert second == {"id": "a-host-runs-guests", "type": "cloze", "prompt": "A {{host}} runs guests."}


# ---------------------------------------------------------------- malformed input

MALFORMED = [
    ("::a::Fine {T}\n\n::b::Open {\n=x\n~y\n", [(3, "unclosed brace")]),
    ("// concepts: host\n::n::How many? {#3:1}\n", [(2, "numeric questions are not supported")]),
    ("::e::Write an essay.\n{}\n", [(2, "essay questions")]),
    ("::m::Pick {\n=a\n~\n}\n", [(3, "empty answer")]),
    ("::m::Pick {\n=\n~b\n}\n", [(2, "empty answer")]),
    ("::m::Pick {\n  junk ~a =b\n}\n", [(2, "unknown answer marker")]),
    ("::w::Pick {\n~%50%a\n~%33%b\n}\n", [(3, "weight %33% is not one of Moodle's grades")]),
    ("::w::Pick {\n~%fifty%a\n~b\n}\n", [(2, "malformed weight")]),
    ("::s::A stray } brace {=a}\n", [(1, "'}' without an opening '{'")]),
    ("::s::Two {=a} blocks\n{=b}\n", [(2, "a second answer block")]),
    ("::s::Nested {=a {b}}\n", [(1, "'{' inside an answer block")]),
    ("::t Title never closed {=a}\n", [(1, "never closed")]),
    ("Just a description.\n", [(1, "descriptions")]),
    ("$CATEGORY: a/b\n::x::Q{=a}\n", [(2, "must be followed by a blank line")]),
    ("::m::Pick {\n=a\n=b\n~c\n}\n", [(3, "more than one answer is marked right")]),
    ("::m::Match {\n=a -> 1\n=b\n}\n", [(3, "needs 'left -> right'")]),
    ("::m::Match {\n=a -> 1\n= -> 2\n}\n", [(3, "distractor")]),
    ("::s::Name it {=%50%half =full}\n", [(1, "partial credit")]),
    ("::s::Name it {=any*thing}\n", [(1, "wildcard")]),
    ("// difficulty: hard\n::a::Q{T}\n", [(1, "not a whole number")]),
    ("\n\n::a::Fine {T}\n\n::b::Bad {=x ~y =z}\n\n\n::c::{#1}\n",
     [(5, "more than one answer is marked right"), (8, "numeric questions")]),
    ("", [(1, "no questions found")]),
]


@pytest.mark.parametrize(("text", "expected"), MALFORMED, ids=[m[1][0][1] for m in MALFORMED])
def test_malformed_input_fails_at_its_line_and_returns_nothing(content, text, expected):
    with pytest.raises(ContentInvalid) as caught:
        parse_gift(text.encode(), "bad.gift.txt", content.concepts)
    errors = caught.value.errors
    assert [(e.file, e.line) for e in errors] == [("bad.gift.txt", line) for line, _ in expected]
    for error, (_, message) in zip(errors, expected, strict=True):
        assert message in error.message


def test_import_bank_refuses_and_writes_nothing(content):
    with pytest.raises(ContentInvalid) as caught:
        import_bank(FORMAT, b"::a::Q{#1..2}\n", "bad.gift.txt", "bad", content.concepts)
    assert str(caught.value) == "bad.gift.txt:1:8: numeric questions are not supported"


def test_unknown_concepts_fail_at_the_question_line(content):
    data = b"// concepts: no-such-concept\n::a::A host runs guests.{T}\n"
    with pytest.raises(ContentInvalid) as caught:
        import_bank(FORMAT, data, "bad.gift.txt", "bad", content.concepts)
    assert [e.line for e in caught.value.errors] == [2]


def test_non_utf8_fails_at_its_line(content):
    with pytest.raises(ContentInvalid) as caught:
        parse_gift(b"::a::Fine {T}\n\n::b::Caf\xe9 {T}\n", "bad.gift.txt", content.concepts)
    assert [(e.line, e.message) for e in caught.value.errors] == [(3, "not UTF-8 text")]


# ---------------------------------------------------------------- an independent parser

def test_gift_pegjs_reads_every_committed_question_as_we_wrote_it(everything, tmp_path):
    parsed = gift_pegjs(export_gift(everything), tmp_path)
    ours = [q for _, q in everything.questions() if FORMAT.support[q.type].kind != SKIPPED]
    assert [(p["type"], p["title"]) for p in parsed] == [(PEG_TYPES[q.type], q.id) for q in ours]
    # A one-blank cloze is a missing word: text follows the answers, or "_____" shows the blank.
    for item, question in zip(parsed, ours, strict=True):
        if question.type == "cloze" and cloze_segments(question.prompt)[1].strip():
            assert item["embedded"], question.id


def test_gift_pegjs_reads_the_special_questions(tmp_path):
    questions = special_questions()
    parsed = gift_pegjs(export_gift(one_bank(*questions)), tmp_path)
    assert [(p["type"], p["title"]) for p in parsed] == [(PEG_TYPES[q.type], q.id) for q in questions]
    assert [p["embedded"] for p in parsed] == [q.type == "cloze" for q in questions]


@pytest.mark.parametrize("answer", [rb"{\\}", rb"{\=}", rb"{\~}", rb"{\#}"])
def test_an_answer_block_of_one_escaped_character_is_a_clear_error(content, answer):
    r"""``{\}`` and ``{\=}`` once crashed the parser (an answer with no marker before it)."""
    data = b"::q::A host runs guests " + answer + b"\n"
    with pytest.raises(ContentInvalid) as caught:
        import_bank(FORMAT, data, "x.gift.txt", "x", content.concepts)
    assert [e.line for e in caught.value.errors] == [1]
    assert "has no letters or digits" in caught.value.errors[0].message
