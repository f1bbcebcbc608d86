"""Moodle's GIFT text format: each bank a ``$CATEGORY``, each question titled with its id.

A comment above each question keeps what GIFT has no field for (concepts,
tags, difficulty), both in our own words and as Moodle's ``[id:]`` and
``[tag:]`` markers, so our import and Moodle's both get them back. Text goes
in Moodle's default format, which is HTML, so ``<`` and ``&`` are escaped as
entities; answers that learners type stay plain, but for Moodle's wildcard
``*``, written ``\\*``.
"""

from __future__ import annotations

from collections.abc import Callable

from quiz.content.model import Bank, Question
from quiz.content.types import cloze_blanks, cloze_segments
from quiz.exchange.counts import count_note
from quiz.exchange.formats import FULL, LOSSY, SKIPPED, Format, Support
from quiz.exchange.gift_parse import parse_gift
from quiz.exchange.html_text import escape_html
from quiz.exchange.moodle_rules import (
    MULTIPLE_NOTE,
    SHORT_NOTE,
    category_path,
    penalty,
    right_weights,
    typed_answer,
)
from quiz.exchange.selection import ExportSet
from quiz.progress import advance

# The characters GIFT gives a meaning; Moodle's writer escapes exactly these.
_ESCAPES = {"\\": "\\\\", "~": "\\~", "=": "\\=", "#": "\\#", "{": "\\{", "}": "\\}", ":": "\\:",
            "\n": "\\n", "\r": ""}
_TABLE = str.maketrans(_ESCAPES)

# Moodle puts its blank where the answer block sits when text follows it; otherwise we write one.
BLANK = "_____"


def escape(text: str) -> str:
    """``text`` with GIFT's special characters backslash-escaped and newlines as ``\\n``."""
    return text.translate(_TABLE)


def rich(text: str) -> str:
    """Text that Moodle shows as HTML (prompts, choices, feedback), escaped for both."""
    return escape(escape_html(text))


def category_line(bank: Bank) -> str:
    """The ``$CATEGORY`` line of a bank (Moodle reads it raw: only "/" needs doubling)."""
    return f"$CATEGORY: Virtualization/{category_path(bank.title)}"


def _comments(question: Question) -> list[str]:
    # Ours first (read back by our parser), then Moodle's own markers for its idnumber and tags.
    lines = [f"// concepts: {', '.join(question.concepts)}"]
    if question.tags:
        lines.append(f"// tags: {', '.join(question.tags)}")
    lines.append(f"// difficulty: {question.difficulty}")
    markers = [f"[id:{question.id}]"]
    markers += [f"[tag:concept:{c}]" for c in question.concepts]
    markers += [f"[tag:{t}]" for t in question.tags]
    lines.append("// " + " ".join(markers))
    return lines


def _block(answers: list[str], explanation: str) -> str:
    lines = [f"\t{answer}" for answer in answers]
    if explanation:
        lines.append(f"\t####{rich(explanation)}")
    return "{\n" + "\n".join(lines) + "\n}"


def _single(q: Question) -> str:
    answers = [("=" if c == q.fields["answer"] else "~") + rich(c) for c in q.fields["choices"]]
    return rich(q.prompt) + _block(answers, q.explanation)


def _multiple(q: Question) -> str:
    right = [c for c in q.fields["choices"] if c in q.fields["answer"]]
    shares = dict(zip(right, right_weights(len(right)), strict=True))
    wrong = penalty(len(right))
    answers = [f"~%{shares.get(c, wrong)}%{rich(c)}" for c in q.fields["choices"]]
    return rich(q.prompt) + _block(answers, q.explanation)


def _true_false(q: Question) -> str:
    return rich(q.prompt) + _block(["TRUE" if q.fields["answer"] else "FALSE"], q.explanation)


def _short(q: Question) -> str:
    answers = [f"={escape(typed_answer(a))}" for a in q.fields["answer"]]
    return rich(q.prompt) + _block(answers, q.explanation)


def _cloze(q: Question) -> str:
    # One answer block per question: the first blank stays a blank, later ones show their answer.
    blanks = cloze_blanks(q.prompt)
    segments = cloze_segments(q.prompt)
    after = segments[1] + "".join(alts[0] + seg for alts, seg in zip(blanks[1:], segments[2:], strict=True))
    feedback = f"####{rich(q.explanation)}" if q.explanation else ""
    answers = " ".join(f"={escape(typed_answer(alt))}" for alt in blanks[0])
    if after.strip():
        return f"{rich(segments[0])}{{{answers}{feedback}}}{rich(after)}"
    # Nothing after the blank: Moodle would show none, so the blank is written into the text.
    return f"{rich(segments[0])}{BLANK}{{{answers}{feedback}}}"


def _matching(q: Question) -> str:
    # Left items are shown as HTML (so "->" inside one is written "-&gt;"); right items are plain.
    answers = [f"={rich(left)} -> {escape(right)}" for left, right in q.fields["pairs"].items()]
    return rich(q.prompt) + _block(answers, q.explanation)


_WRITERS: dict[str, Callable[[Question], str] | None] = {
    "single": _single,
    "multiple": _multiple,
    "true_false": _true_false,
    "short": _short,
    "cloze": _cloze,
    "matching": _matching,
    "ordering": None,
}


def question_text(question: Question) -> str:
    """One question in GIFT: its comment lines, ``::id::`` title, text and answers."""
    writer = _WRITERS[question.type]
    if writer is None:
        raise ValueError(f"GIFT cannot carry {question.type} questions")
    return "\n".join([*_comments(question), f"::{escape(question.id)}::{writer(question)}"])


def export_gift(selection: ExportSet) -> bytes:
    """The selection as a GIFT file, bank by bank, in UTF-8; the opening comment says how many."""
    blocks = []
    for bank in selection.banks:
        blocks.append(category_line(bank))
        blocks += [question_text(q) for q in bank.questions if _WRITERS[q.type] is not None]
        advance(len(bank.questions))
    count = len(blocks) - len(selection.banks)
    head = f"// {' '.join(selection.title.split())}: GIFT for Moodle\n// {count_note(count)}"
    return ("\n\n".join([head, *blocks]) + "\n").encode("utf-8")


SUPPORT: dict[str, Support] = {
    "single": Support(FULL),
    "multiple": Support(LOSSY, MULTIPLE_NOTE),
    "true_false": Support(FULL),
    "short": Support(LOSSY, SHORT_NOTE),
    "cloze": Support(LOSSY, "GIFT has one answer per question: the first blank becomes a "
                            "missing-word short answer, and later blanks are filled in with their "
                            "answer; moodle-xml keeps every blank"),
    "matching": Support(FULL, "Moodle imports 2 pairs or more; its edit form asks for a third "
                              "answer before it saves changes to a 2-pair question"),
    "ordering": Support(SKIPPED, "GIFT has no ordering type (moodle-xml carries it)"),
}

FORMAT = Format(
    name="gift", label="Moodle GIFT", extension=".gift.txt", mimetype="text/plain; charset=utf-8",
    export=export_gift, support=SUPPORT, parse=parse_gift,
)
