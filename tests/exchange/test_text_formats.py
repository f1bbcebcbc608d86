"""Quizlet, Markdown and printable HTML; and every format's declared support for every type."""

from __future__ import annotations

import re
from importlib import import_module

import pytest
from markupsafe import escape

from quiz.content.errors import ContentInvalid
from quiz.content.model import Bank, Question
from quiz.content.types import QUESTION_TYPES, cloze_segments
from quiz.exchange import html_print, markdown, printed, quizlet
from quiz.exchange.exporting import export
from quiz.exchange.formats import FULL, LOSSY, SKIPPED, Format
from quiz.exchange.importing import import_bank
from quiz.exchange.selection import ExportSet, select

HOSTILE = Question(
    "hostile", "single", "<script>alert(1)</script> *bold* & [link](x)\n# not a heading",
    "Tabs\tand\nnewlines.", ("hypervisor",),
    {"choices": ["<b>bold</b>", "a | b"], "answer": "<b>bold</b>"})


def hostile_set(content) -> ExportSet:
    """A one-question set whose text is full of markup."""
    return ExportSet("Title <i>&</i>", (Bank("b", "Bank <u>", (HOSTILE,)),), content.glossaries)


# ---------------------------------------------------------------- support

def check_support(fmt: Format) -> None:
    """``fmt`` says how it carries each question type, and why when not whole."""
    assert set(fmt.support) == set(QUESTION_TYPES), fmt.name
    assert {s.kind for s in fmt.support.values()} <= {FULL, LOSSY, SKIPPED}, fmt.name
    assert all(s.note for s in fmt.support.values() if s.kind != FULL), fmt.name


@pytest.mark.parametrize("module", ["yaml_format", "json_format", "csv_format", "quizlet",
                                    "markdown", "html_print"])
def test_these_formats_declare_support_for_every_type(module):
    check_support(import_module(f"quiz.exchange.{module}").FORMAT)


def test_every_registered_format_declares_support_for_every_type():
    # Imported here, so that a format module being broken fails this test alone.
    from quiz.exchange.registry import FORMATS, MODULES

    assert len(FORMATS) == len(MODULES)
    for fmt in FORMATS.values():
        check_support(fmt)


def test_every_type_has_a_printed_layout_and_key():
    assert set(printed.SHEETS) == set(QUESTION_TYPES) == set(printed.KEYS)


@pytest.mark.parametrize("fmt", [quizlet.FORMAT, markdown.FORMAT, html_print.FORMAT],
                         ids=lambda f: f.name)
def test_print_formats_cannot_be_imported(fmt, content):
    assert fmt.parse is None
    with pytest.raises(ContentInvalid, match="cannot be imported"):
        import_bank(fmt, b"x", "upload", "b", content.concepts)


# ---------------------------------------------------------------- quizlet

def test_quizlet_lines_are_terms_then_cards(content, everything):
    data, report = export(quizlet.FORMAT, everything)
    lines = data.decode("utf-8").splitlines()
    assert all(line.count("\t") == 1 for line in lines)
    tested = {c for _, q in everything.questions() for c in q.concepts}
    glossary = [f"{c.term}\t{c.definition}" for c in content.concepts.values() if c.id in tested]
    assert lines[: len(glossary)] == glossary
    cards = [q for _, q in everything.questions() if q.type in ("single", "short")]
    assert len(lines) == len(glossary) + len(cards)
    fastest = next(q for q in cards if q.id == "fastest-method")
    assert f"{fastest.prompt}\tFull virtualization" in lines
    short = next(q for q in cards if q.type == "short")
    assert f"{quizlet.flat(short.prompt)}\t{short.fields['answer'][0]}" in lines
    assert report.exported == len(cards)


def test_quizlet_report_names_what_it_skips(everything):
    _, report = export(quizlet.FORMAT, everything)
    text = str(report)
    for qtype in ("multiple", "true_false", "cloze", "matching", "ordering"):
        assert re.search(rf"skipped \d+ {qtype} question\(s\): Quizlet imports term/definition "
                         "pairs only", text), text
    assert "single question(s): the card is the prompt and the correct choice" in text


def test_quizlet_flattens_tabs_and_newlines(content):
    lines = quizlet.FORMAT.export(hostile_set(content)).decode().splitlines()
    assert lines[-1] == "<script>alert(1)</script> *bold* & [link](x) # not a heading\t<b>bold</b>"
    assert all(line.count("\t") == 1 for line in lines)


# ---------------------------------------------------------------- markdown

def plain(markdown_text: str) -> str:
    """Markdown with its escapes and code spans removed, whitespace folded: roughly what shows."""
    return " ".join(re.sub(r"\\(.)", r"\1", markdown_text.replace("`", "")).split())


def test_markdown_has_every_question_and_its_answer(everything):
    text = markdown.FORMAT.export(everything).decode("utf-8")
    shown = plain(text)
    assert text.count("<details>") == text.count("</details>") == everything.count()
    for number, (bank, question) in enumerate(everything.questions(), start=1):
        assert f"## {markdown.escape(bank.title)}" in text
        for segment in cloze_segments(question.prompt):
            assert " ".join(segment.split()) in shown, question.id
        assert f"**{number}.**" in text
        for line in printed.answer_key(question):
            assert line in shown, question.id
        assert " ".join(question.explanation.split()) in shown


def test_markdown_escapes_our_text(content):
    text = markdown.FORMAT.export(hostile_set(content)).decode()
    assert "\\<script\\>alert(1)\\</script\\> \\*bold\\* \\& \\[link\\](x) # not a heading" in text
    assert "- [ ] \\<b\\>bold\\</b\\>" in text
    assert "# Title \\<i\\>\\&\\</i\\>" in text
    assert "<script>" not in text and "<b>" not in text


@pytest.mark.parametrize(("text", "escaped"), [
    ("- item", "\\- item"), ("1. first", "1\\. first"), ("# h", "\\# h"), ("> quote", "\\> quote"),
    ("a_b", "a\\_b"), ("`code`", "\\`code\\`"), ("line\n\nbreak", "line break"),
])
def test_markdown_escape(text, escaped):
    assert markdown.escape(text) == escaped


# ---------------------------------------------------------------- html

def test_html_has_every_question_and_the_answer_key_on_a_new_page(everything):
    page = html_print.FORMAT.export(everything).decode("utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    questions, key = page.split('<section class="key">')
    assert "break-before: page" in page
    for number, (_, question) in enumerate(everything.questions(), start=1):
        for segment in cloze_segments(question.prompt):
            assert escape(segment) in questions, question.id
        assert f'<li value="{number}">' in key
        for line in printed.answer_key(question):
            assert escape(line) in key, question.id
        assert escape(question.explanation) in key
    assert questions.count('class="question"') == everything.count()


def test_html_escapes_a_script_prompt(content):
    page = html_print.FORMAT.export(hostile_set(content)).decode()
    assert "<script>" not in page and "<b>" not in page and "<i>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<title>Title &lt;i&gt;&amp;&lt;/i&gt;</title>" in page


def test_html_loads_nothing_from_outside(everything):
    page = html_print.FORMAT.export(everything).decode()
    assert not re.search(r"""\b(src|href)=|@import|url\(|<link|<script""", page)
    assert '"DejaVu Serif"' in page  # the stylesheet is not entity-escaped


def test_html_draws_a_place_to_answer_each_type(content):
    page = html_print.FORMAT.export(select(content, banks=["ch01-concepts"])).decode()
    for marker in ('class="box"', 'class="slot"', 'class="blank"', 'class="line"'):
        assert marker in page


def test_printed_orders_are_shuffled_the_same_way_every_time(content):
    ordering = [q for b in content.banks for q in b.questions if q.type in ("ordering", "matching")]
    for question in ordering:
        layout = printed.sheet(question)
        shown = layout.ranked or layout.options
        given = list(question.fields.get("items") or question.fields["pairs"].values())
        assert sorted(shown) == sorted(given) and list(shown) != given
        assert printed.sheet(question) == layout
