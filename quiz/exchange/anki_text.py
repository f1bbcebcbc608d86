"""Anki's text import format: one note per tab-separated line, with file headers.

Exports the same notes as the .apkg (same fields, tags and GUIDs) on Anki's stock
note types; imports Basic notes as short-answer questions and Cloze notes as cloze.
"""

from __future__ import annotations

import csv
import html
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from quiz.content.errors import ContentError, ContentInvalid
from quiz.content.model import Concept
from quiz.content.types import QUESTION_TYPES
from quiz.exchange.anki import BASIC, CLOZE, REVERSED, notes
from quiz.exchange.counts import count_note, stated_in_comments
from quiz.exchange.formats import FULL, LOSSY, SKIPPED, Format, Imported, ImportedQuestion, Support
from quiz.exchange.importing import slugify, unique_id
from quiz.exchange.selection import ExportSet

MAX_LINE = 20_000
HEADER = ["#separator:tab", "#html:true", "#guid column:1", "#notetype column:2", "#deck column:3",
          "#tags column:6"]
# The stock note types a line may name; every one has two fields (Front/Back or Text/Back Extra).
NOTETYPES = {BASIC: BASIC, "Basic (type in the answer)": BASIC, "Basic (optional reversed card)": BASIC,
             REVERSED: REVERSED, CLOZE: CLOZE}
SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "space": " ", "pipe": "|", "colon": ":"}
COLUMN_HEADERS = {"guid column": "guid", "notetype column": "notetype", "deck column": "deck",
                  "tags column": "tags"}
# Headers Anki understands that change nothing in what we read.
IGNORED_HEADERS = {"columns", "if matches", "match scope"}
_DELETION = re.compile(r"\{\{c(\d{1,9})::((?:(?!::|\}\}).)*)(?:::(?:(?!\}\}).)*)?\}\}", re.S)
_RAW_BLANK = re.compile(r"<li data-blank=(\d{1,9}) data-raw='([^']*)'>")
_KEPT = re.compile(r"""<div class=answer data-question=(["'])(.*?)\1>""", re.S)


def _cell(value: str) -> str:
    """One column: no raw newline or tab (the separator), quoted where Anki would misread it."""
    value = value.replace("\r\n", "<br>").replace("\n", "<br>").replace("\r", "<br>")
    value = value.replace("\t", "&#9;")
    # Anki skips a line starting with '#' as a comment, and a GUID may start with one.
    if value.startswith(("#", '"')):
        return '"' + value.replace('"', '""') + '"'
    return value


def export_text(selection: ExportSet) -> bytes:
    """The selection as an Anki text import file: the .apkg's notes on Anki's stock note types."""
    # A comment line, which Anki skips: the count of questions (glossary notes are not questions).
    lines = [*HEADER, f"# {count_note(selection.count())}"]
    for spec in notes(selection):
        row = [spec.guid, spec.notetype, spec.deck, *spec.fields, " ".join(spec.tags)]
        lines.append("\t".join(_cell(value) for value in row))
    return ("\n".join(lines) + "\n").encode()


def inner_text(fragment: str) -> str:
    """Field HTML as plain text: <br> as newlines, other tags dropped, entities decoded."""
    fragment = re.sub(r"<br\s*/?>", "\n", fragment, flags=re.I)
    return html.unescape(re.sub(r"<[^>]*>", "", fragment))


def html_to_text(fragment: str) -> str:
    """Any field as readable text: blocks and list items on their own lines, our quotes dropped."""
    # The source quotes come from the glossary, which the concepts restore.
    fragment = re.sub(r"<blockquote class=source>.*?</blockquote>", "", fragment, flags=re.S)
    fragment = re.sub(r"<li[^>]*>", "\n- ", fragment, flags=re.I)
    fragment = re.sub(r"</?(div|p|ul|ol|li|blockquote|tr)\b[^>]*>", "\n", fragment, flags=re.I)
    lines = [line.rstrip() for line in inner_text(fragment).splitlines()]
    return "\n".join(line for line in lines if line.strip()).strip()


def _block(field: str, css: str) -> str | None:
    match = re.search(rf"<div class={css}>(.*?)</div>", field, re.S)
    return inner_text(match.group(1)) if match else None


def _accepted(field: str) -> list[str]:
    match = re.search(r"<ul class=accepted>(.*?)</ul>", field, re.S)
    return [inner_text(item) for item in re.findall(r"<li>(.*?)</li>", match.group(1), re.S)] if match else []


def _explanation(field: str) -> str:
    """Our explanation block, or for someone else's note the whole field minus our own parts."""
    found = _block(field, "explanation")
    if found is not None or "<div class=answer>" in field or "<blockquote class=source>" in field:
        return found or ""
    return html_to_text(re.sub(r"<ul class=accepted>.*?</ul>", "", field, flags=re.S))


def _prompt_text(front: str) -> str:
    """Our front as its prompt: exact when it is a bare prompt, its blocks as lines when not."""
    has_blocks = re.search(r"<(div|p|ul|ol|li)\b", front, re.I)
    return html_to_text(front) if has_blocks else inner_text(front).strip()


def kept_types() -> list[str]:
    """The exported types our Basic notes keep in ``data-question``: neither typed answers nor blanks."""
    return [name for name, qtype in QUESTION_TYPES.items()
            if not (qtype.typed_answers or qtype.blanks_in_prompt)
            and FORMAT.support_of(name).kind != SKIPPED]


def _kept_question(front: str, back: str) -> dict | None:
    """The question one of our Basic notes keeps in its answer's ``data-question``, or None."""
    match = _KEPT.search(back)
    if match is None:
        return None
    try:
        kept = json.loads(html.unescape(match.group(2)))
    except ValueError:
        raise _Refused("the answer's data-question attribute is not valid JSON") from None
    known = kept_types()
    if not isinstance(kept, dict) or kept.get("type") not in known:
        raise _Refused(f"the answer's data-question must name a type: one of {', '.join(known)}")
    prompt = _block(front, "prompt")
    if prompt is None:
        raise _Refused("the front has no <div class=prompt> for the question the back keeps")
    return {"type": kept.pop("type"), "prompt": prompt, **kept,
            "explanation": _block(back, "explanation") or ""}


def short_question(front: str, back: str, is_html: bool) -> dict:
    """A Basic note as a short question: front as prompt, first line of the back as the answer.

    One of our notes that keeps its question (see ``quiz.exchange.anki.back``) gives it back instead.
    """
    if is_html and (kept := _kept_question(front, back)) is not None:
        return kept
    if not is_html:
        first, _, rest = back.strip().partition("\n")
        return {"type": "short", "prompt": front.strip(), "answer": [first.strip()],
                "explanation": rest.strip()}
    answer = _block(back, "answer")
    if answer is not None:
        return {"type": "short", "prompt": _prompt_text(front),
                "answer": [answer, *_accepted(back)], "explanation": _block(back, "explanation") or ""}
    first, _, rest = html_to_text(back).partition("\n")
    return {"type": "short", "prompt": _prompt_text(front), "answer": [first], "explanation": rest.strip()}


def cloze_prompt(text: str, extra: str = "") -> str:
    """Anki's {{c1::x}} (or {{c1::x::hint}}) back to our {{x}}; our back extra restores alternatives."""
    raws: dict[int, str] = {int(n): raw for n, raw in _RAW_BLANK.findall(extra)}
    return inner_text(_DELETION.sub(lambda m: "{{" + raws.get(int(m[1]), m[2]) + "}}", text))


def cloze_question(text: str, extra: str, is_html: bool) -> dict:
    """A Cloze note as a cloze question; the explanation from its Back Extra."""
    if not is_html:
        return {"type": "cloze", "prompt": _DELETION.sub(lambda m: "{{" + m.group(2) + "}}", text).strip(),
                "explanation": extra.strip()}
    return {"type": "cloze", "prompt": cloze_prompt(text, extra).strip(), "explanation": _explanation(extra)}


def _apply_tags(question: dict, tags: list[str]) -> None:
    """concept::<id> tags name the concepts, difficulty::<n> the difficulty; the rest stay tags."""
    concepts, plain = [], []
    for tag in tags:
        if tag.startswith("concept::"):
            concepts.append(tag.removeprefix("concept::"))
        elif re.fullmatch(r"difficulty::[123]", tag):
            question["difficulty"] = int(tag[-1])
        else:
            plain.append(slugify(tag, fallback="tag"))
    question["concepts"] = list(dict.fromkeys(concepts))
    if plain:
        question["tags"] = list(dict.fromkeys(plain))


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ContentInvalid([ContentError(name, line, 1, "", "not UTF-8 text")]) from None


def _records(lines: list[str], start: int) -> Iterator[tuple[int, str]]:
    """Each record's text and first line; a quoted field may span lines, '#' lines are comments."""
    index = start
    while index < len(lines):
        first = index
        chunk = lines[index]
        index += 1
        if not chunk.strip() or chunk.startswith("#"):
            continue
        # A record goes on while a quoted field is open: an odd count of '"' so far.
        while chunk.count('"') % 2 and index < len(lines):
            chunk += "\n" + lines[index]
            index += 1
        yield first + 1, chunk


def _fields(record: str, separator: str) -> list[str]:
    """The fields of one record; a line break outside quotes (a stray '"' before it) is refused."""
    try:
        return next(csv.reader([record], delimiter=separator, quotechar='"', strict=False), [])
    except csv.Error:
        raise _Refused("a line break inside a field that is not quoted (is a '\"' missing?)") from None


class _Refused(ValueError):
    """A line that cannot become a question; the message says why."""


@dataclass
class _Layout:
    """What the file's headers say: separator, HTML or not, which column holds what."""

    separator: str = "\t"
    is_html: bool = False
    columns: dict[str, int] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=lambda: {"tags": "", "deck": ""})

    def value(self, row: list[str], key: str) -> str:
        """The row's column for ``key``, or the file-wide header value."""
        return row[self.columns[key]] if key in self.columns else self.defaults.get(key, "")


def _read_headers(lines: list[str], name: str) -> tuple[_Layout, int]:
    """The layout and the index of the first note line; every header problem at once."""
    layout, errors, start = _Layout(), [], 0
    while start < len(lines) and lines[start].startswith("#") and ":" in lines[start]:
        key, _, value = (part.strip() for part in lines[start][1:].partition(":"))
        key, start = key.lower(), start + 1
        if key in COLUMN_HEADERS and value.isdigit() and len(value) <= 9 and int(value) > 0:
            layout.columns[COLUMN_HEADERS[key]] = int(value) - 1
        elif key == "separator" and (value.lower() in SEPARATORS or len(value) == 1):
            layout.separator = SEPARATORS.get(value.lower(), value)
        elif key == "html" and value.lower() in {"true", "false"}:
            layout.is_html = value.lower() == "true"
        elif key in {"notetype", "deck", "tags"}:
            layout.defaults[key] = value
        elif key not in IGNORED_HEADERS:
            errors.append(ContentError(name, start, 1, "", f"unknown or malformed header '#{key}:{value}'"))
    indexes = layout.columns.values()
    if len(set(indexes)) != len(indexes) or any(i >= len(indexes) + 2 for i in indexes):
        errors.append(ContentError(name, start, 1, "", "the column headers must name distinct columns "
                                   "and leave exactly two for the note's fields"))
    if "notetype" not in layout.columns and "notetype" not in layout.defaults:
        errors.append(ContentError(name, 1, 1, "", "no note type: add '#notetype:Basic' or "
                                   "'#notetype column:N'"))
    if errors:
        raise ContentInvalid(errors)
    return layout, start


def _question(row: list[str], layout: _Layout) -> dict | None:
    """One note line as question data, None for a glossary card; _Refused if it cannot be one."""
    width = len(layout.columns) + 2
    if len(row) != width:
        named = ", ".join(sorted(layout.columns))
        raise _Refused(f"expected {width} columns ({named + ' and ' if named else ''}2 fields), "
                       f"found {len(row)}")
    notetype = layout.value(row, "notetype")
    kind = NOTETYPES.get(notetype)
    if kind is None:
        raise _Refused(f"unknown note type '{notetype}': expected one of {', '.join(NOTETYPES)}")
    tags = layout.value(row, "tags").split()
    if "tags" in layout.columns:  # a '#tags:' header adds its tags to every note too
        tags += layout.defaults["tags"].split()
    if kind == REVERSED and "glossary" in tags:
        return None  # a glossary card: its concept is in our glossary already, it is not a question
    first, second = (value for i, value in enumerate(row) if i not in layout.columns.values())
    if kind == CLOZE and not _DELETION.search(first):
        raise _Refused("a Cloze note without a {{c1::...}} deletion")
    question = (cloze_question if kind == CLOZE else short_question)(first, second, layout.is_html)
    qtype = QUESTION_TYPES[question["type"]]
    # Said here, at the note's line, rather than by validation at the question's.
    limit = qtype.fields["answer"]["items"]["maxLength"] if qtype.typed_answers else None
    if limit is not None and any(len(answer) > limit for answer in question["answer"]):
        raise _Refused(f"the answer is longer than {limit} characters, too long for the "
                       "short-answer question a Basic note becomes")
    if not question["explanation"]:
        del question["explanation"]
    _apply_tags(question, tags)
    return question


def parse_text(data: bytes, name: str, concepts: Mapping[str, Concept]) -> Imported:
    """Read an Anki text file back: Basic notes as short questions, Cloze notes as cloze questions."""
    lines = _decode(data, name).splitlines()
    errors = [ContentError(name, n, MAX_LINE + 1, "", f"line longer than {MAX_LINE} characters")
              for n, line in enumerate(lines, 1) if len(line) > MAX_LINE]
    if errors:
        raise ContentInvalid(errors)
    layout, start = _read_headers(lines, name)
    questions: list[ImportedQuestion] = []
    decks: list[str] = []
    taken: set[str] = set()
    for line, record in _records(lines, start):
        try:
            row = _fields(record, layout.separator)
            question = _question(row, layout)
        except _Refused as exc:
            errors.append(ContentError(name, line, 1, "", str(exc)))
            continue
        if question is not None:
            question = {"id": unique_id(slugify(question["prompt"]), taken), **question}
            questions.append(ImportedQuestion(question, line))
            decks.append(layout.value(row, "deck"))
    if errors:
        raise ContentInvalid(errors)
    # One deck for every question names the bank (its last part, after Virtualization::).
    title = decks[0].split("::")[-1].strip() if decks and len(set(decks)) == 1 else ""
    stated, line = stated_in_comments(lines[start:], "#")
    return Imported(title, questions, stated_count=stated, stated_line=start + line)


_AS_SHORT = ("a flashcard in Anki, which does not quiz this type; our own file imports back as the same "
             "question (new id), while another tool's Basic note imports as a short-answer question")
FORMAT = Format(
    name="anki-text",
    label="Anki text notes",
    extension=".txt",
    mimetype="text/plain",
    export=export_text,
    support={
        "single": Support(LOSSY, _AS_SHORT),
        "multiple": Support(LOSSY, _AS_SHORT),
        "true_false": Support(LOSSY, _AS_SHORT),
        "short": Support(FULL, "a Basic note; imports back as the same short question (new id)"),
        "cloze": Support(FULL, "a Cloze note, one card per blank; imports back as the same cloze (new id)"),
        "matching": Support(LOSSY, _AS_SHORT),
        "ordering": Support(LOSSY, _AS_SHORT),
    },
    parse=parse_text,
)
