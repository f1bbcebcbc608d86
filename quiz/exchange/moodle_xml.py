"""Moodle XML: a ``<quiz>`` with a category per bank and every question type Moodle has.

Question text is written as HTML (our plain text, escaped); the question id
is both the ``<name>`` and the ``<idnumber>``; concepts travel as tags
``concept:<id>`` beside the question's own tags, and difficulty as
``difficulty:<n>``, so Moodle keeps them and our import reads them back.
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from quiz.content.model import Bank, Question
from quiz.content.types import QUESTION_TYPES, cloze_blanks, cloze_segments
from quiz.exchange.counts import count_note
from quiz.exchange.formats import FULL, LOSSY, Format, Support
from quiz.exchange.html_text import escape_html
from quiz.exchange.moodle_rules import (
    MULTIPLE_NOTE,
    SHORT_NOTE,
    category_path,
    penalty,
    right_weights,
    typed_answer,
)
from quiz.exchange.moodle_xml_parse import parse_moodle_xml
from quiz.exchange.selection import ExportSet
from quiz.exchange.xml_text import xml_safe
from quiz.progress import advance

# Inside a cloze blank "}", "~" and "#" end an answer; Moodle decodes entities there, so
# numeric entities carry them (a backslash escape would stay in the answer for "~").
_CLOZE_ANSWER = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "{": "&#123;", "}": "&#125;",
                               "~": "&#126;", "#": "&#35;", "\\": "&#92;", "*": "\\*"})
Element = etree._Element


def _add_text(node: Element, value: str) -> None:
    # CDATA when the value holds markup, as Moodle writes it; ">" is escaped, so "]]>" cannot occur.
    text = etree.SubElement(node, "text")
    text.text = etree.CDATA(value) if any(c in value for c in "<&") else value


def _text(parent: Element, tag: str, value: str, fmt: str | None = None) -> Element:
    """``<tag format=...><text>value</text></tag>``."""
    node = etree.SubElement(parent, tag, {"format": fmt} if fmt else {})
    _add_text(node, value)
    return node


def _html(text: str) -> str:
    return escape_html(text, breaks=True)


def _simple(parent: Element, tag: str, value: str) -> None:
    etree.SubElement(parent, tag).text = value


def _answer(parent: Element, fraction: str, text: str, fmt: str) -> None:
    node = etree.SubElement(parent, "answer", {"fraction": fraction, "format": fmt})
    _add_text(node, text)
    _text(node, "feedback", "", "html")


def _choices(node: Element, q: Question, single: bool, fractions: dict[str, str]) -> None:
    _simple(node, "single", "true" if single else "false")
    _simple(node, "shuffleanswers", "true")
    _simple(node, "answernumbering", "abc")
    for choice in q.fields["choices"]:
        _answer(node, fractions[choice], _html(choice), "html")


def _single(node: Element, q: Question) -> None:
    _choices(node, q, True, {c: "100" if c == q.fields["answer"] else "0" for c in q.fields["choices"]})


def _multiple(node: Element, q: Question) -> None:
    right = [c for c in q.fields["choices"] if c in q.fields["answer"]]
    fractions = dict.fromkeys(q.fields["choices"], penalty(len(right)))
    fractions.update(zip(right, right_weights(len(right)), strict=True))
    _choices(node, q, False, fractions)


def _true_false(node: Element, q: Question) -> None:
    for value in (True, False):
        _answer(node, "100" if q.fields["answer"] is value else "0", str(value).lower(),
                "moodle_auto_format")


def _short(node: Element, q: Question) -> None:
    _simple(node, "usecase", "0")
    for answer in q.fields["answer"]:
        _answer(node, "100", typed_answer(answer), "moodle_auto_format")


def _matching(node: Element, q: Question) -> None:
    _simple(node, "shuffleanswers", "true")
    for left, right in q.fields["pairs"].items():
        sub = _text(node, "subquestion", _html(left), "html")
        answer = etree.SubElement(sub, "answer")
        etree.SubElement(answer, "text").text = right


def _ordering(node: Element, q: Question) -> None:
    # Absolute position grades as this app does: a share for each item in its place.
    for tag, value in (("layouttype", "VERTICAL"), ("selecttype", "ALL"),
                       ("selectcount", str(len(q.fields["items"]))),
                       ("gradingtype", "ABSOLUTE_POSITION"), ("showgrading", "SHOW"),
                       ("numberingstyle", "none")):
        _simple(node, tag, value)
    for position, item in enumerate(q.fields["items"], start=1):
        _answer(node, str(position), _html(item), "html")


def cloze_text(prompt: str) -> str:
    """A cloze prompt as Moodle's embedded answers: each blank ``{1:SHORTANSWER:=a~=b}``."""
    segments = [_html(s).replace("{", "&#123;") for s in cloze_segments(prompt)]
    blanks = ["{1:SHORTANSWER:" + "~".join("=" + alt.translate(_CLOZE_ANSWER) for alt in alts) + "}"
              for alts in cloze_blanks(prompt)]
    return segments[0] + "".join(b + s for b, s in zip(blanks, segments[1:], strict=True))


# Moodle's type name and the writer of the type's own elements; cloze lives in its text.
_WRITERS: dict[str, tuple[str, Callable[[Element, Question], None] | None]] = {
    "single": ("multichoice", _single),
    "multiple": ("multichoice", _multiple),
    "true_false": ("truefalse", _true_false),
    "short": ("shortanswer", _short),
    "cloze": ("cloze", None),
    "matching": ("matching", _matching),
    "ordering": ("ordering", _ordering),
}


def question_element(q: Question) -> Element:
    """One ``<question>``: name, text, feedback, the type's answers, then the tags."""
    moodle_type, writer = _WRITERS[q.type]
    node = etree.Element("question", type=moodle_type)
    _text(node, "name", q.id)
    text = cloze_text(q.prompt) if QUESTION_TYPES[q.type].blanks_in_prompt else _html(q.prompt)
    _text(node, "questiontext", text, "html")
    _text(node, "generalfeedback", _html(q.explanation), "html")
    for tag, value in (("defaultgrade", "1"), ("penalty", "0.3333333"), ("hidden", "0"),
                       ("idnumber", q.id)):
        _simple(node, tag, value)
    if writer is not None:
        writer(node, q)
    tags = etree.SubElement(node, "tags")
    labels = [f"concept:{c}" for c in q.concepts] + list(q.tags) + [f"difficulty:{q.difficulty}"]
    for label in labels:
        _text(tags, "tag", label)
    return node


def category_element(bank: Bank) -> Element:
    """The pseudo-question that files the following questions under the bank's category."""
    node = etree.Element("question", type="category")
    _text(node, "category", f"$course$/Virtualization/{category_path(bank.title)}")
    _text(node, "info", f"Bank {bank.id}", "html")
    return node


def export_moodle_xml(selection: ExportSet) -> bytes:
    """The selection as a Moodle XML file, UTF-8 with its declaration; a comment says how many."""
    selection = xml_safe(selection)
    quiz = etree.Element("quiz")
    quiz.append(etree.Comment(f" {count_note(selection.count())} "))  # Moodle skips comments
    for bank in selection.banks:
        quiz.append(category_element(bank))
        quiz.extend(question_element(q) for q in bank.questions)
        advance(len(bank.questions))
    return etree.tostring(quiz, xml_declaration=True, encoding="UTF-8", pretty_print=True)


SUPPORT: dict[str, Support] = {
    "single": Support(FULL),
    "multiple": Support(LOSSY, MULTIPLE_NOTE),
    "true_false": Support(FULL),
    "short": Support(LOSSY, SHORT_NOTE),
    "cloze": Support(LOSSY, "blanks become Moodle's embedded short answers, which match ignoring "
                            "case only, not spacing or punctuation"),
    "matching": Support(FULL, "Moodle imports 2 pairs or more; its edit form asks for a third "
                              "answer before it saves changes to a 2-pair question"),
    "ordering": Support(LOSSY, "needs the Ordering question type (qtype_ordering: part of Moodle "
                               "since 4.4, a plugin before)"),
}

FORMAT = Format(
    name="moodle-xml", label="Moodle XML", extension=".xml", mimetype="application/xml",
    export=export_moodle_xml, support=SUPPORT, parse=parse_moodle_xml,
)
