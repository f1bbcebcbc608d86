"""Markdown: a readable document, each question followed by its answer in a ``<details>`` block.

Headings per bank, questions numbered through the document, choices as task
lists; all of our text is escaped, so a ``*`` or ``<b>`` in a prompt shows as
written instead of turning into emphasis or HTML.
"""

from __future__ import annotations

import re

from quiz.content.model import Question
from quiz.exchange.formats import Format, Support
from quiz.exchange.printed import SHEETS, answer_key, letter, sheet
from quiz.exchange.selection import ExportSet
from quiz.progress import advance

# Inline markup (and "&", which starts an entity) anywhere in a line.
_INLINE = re.compile(r"([\\`*_\[\]<>|~&])")
# Block markup at the start of a line: headings, list markers, quotes, rules.
_LINE_START = re.compile(r"^(\s*)([#+\-=>]|\d+[.)])", re.MULTILINE)
_BLANK = "`______`"


def escape(text: str) -> str:
    """``text`` as Markdown that shows it literally, on one line."""
    flat = re.sub(r"\s+", " ", text)
    return _LINE_START.sub(_escape_start, _INLINE.sub(r"\\\1", flat))


def _escape_start(match: re.Match) -> str:
    marker = match.group(2)
    # A numbered marker is escaped at its "." or ")", a symbol at itself.
    return match.group(1) + (marker[:-1] + "\\" + marker[-1] if marker[0].isdigit() else "\\" + marker)


def export_markdown(selection: ExportSet) -> bytes:
    """The selection as one Markdown document, UTF-8."""
    lines = [f"# {escape(selection.title)}", ""]
    number = 0
    for bank in selection.banks:
        lines += [f"## {escape(bank.title)}", ""]
        for question in bank.questions:
            number += 1
            lines += _question(number, question)
            advance()
    return "\n".join(lines).encode("utf-8")


def _question(number: int, question: Question) -> list[str]:
    layout = sheet(question)
    prompt = "".join(
        escape(segment) if index == 0 else f"`({index}) ______`" + escape(segment)
        for index, segment in enumerate(layout.segments)
    )
    lines = [f"**{number}.** {prompt.strip()} *{escape(layout.instruction)}*", ""]
    lines += [f"- [ ] {escape(option)}" for option in layout.boxes]
    lines += [f"- {_BLANK} {escape(item)}" for item in layout.ranked]
    lines += [f"- {_BLANK} {escape(term)}" for term in layout.terms]
    if layout.options:
        lines += ["", *(f"{letter(i)}. {escape(option)}  " for i, option in enumerate(layout.options))]
    if layout.write_in:
        lines.append("Answer: `________________________`")
    if lines[-1]:
        lines.append("")
    key = answer_key(question)
    answer = [f"**Answer:** {escape(key[0])}"] if len(key) == 1 else [
        "**Answer:**", "", *(f"- {escape(line)}" for line in key)]
    lines += ["<details>", "<summary>Answer</summary>", "", *answer, ""]
    if question.explanation:
        lines += [escape(question.explanation), ""]
    return [*lines, "</details>", ""]


FORMAT = Format(
    name="markdown",
    label="Markdown",
    extension=".md",
    mimetype="text/markdown",
    export=export_markdown,
    # Ids, concepts, tags and difficulty are not printed: the document is for reading, not import.
    support={name: Support() for name in SHEETS},
)
