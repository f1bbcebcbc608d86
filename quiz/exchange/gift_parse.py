"""Read GIFT as Moodle reads and writes it, every error at its line: no traceback, no half import.

Questions are blocks separated by blank lines; ``//`` lines in a block are
comments (ours carry concepts, tags and difficulty; Moodle's carry
``[id:]`` and ``[tag:]``). Each escape ``\\x`` is swapped for a private
character plus a filler before parsing, so special characters can be
searched for plainly and every offset still points at the right column.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from quiz.content.errors import ContentError, ContentInvalid
from quiz.content.model import Concept
from quiz.exchange.counts import stated_in_comments
from quiz.exchange.formats import Imported, ImportedQuestion
from quiz.exchange.html_text import html_to_text
from quiz.exchange.importing import slugify, unique_id
from quiz.exchange.moodle_rules import category_title, is_valid_percent, read_typed_answer

BLANK = "_____"
_ESCAPABLE = "\\:#={}~n"
_CODE = {char: chr(0xE000 + i) for i, char in enumerate(_ESCAPABLE)}
_FILL = "\ue0ff"
_DECODE = str.maketrans({code: ("\n" if char == "n" else char) for char, code in _CODE.items()}
                        | {_FILL: None})
_ESCAPE = re.compile(r"\\([\\:#={}~n])")
_PRIVATE = re.compile("[\ue000-\ue0ff]")
_WEIGHT = re.compile(r"%(-?\d+(?:\.\d+)?)%")
_FORMAT = re.compile(r"\[(html|moodle|plain|markdown)\]")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
_MESSAGES = {
    "#": "numeric questions are not supported",
    "": "essay questions (an empty answer block) are not supported",
}


class GiftError(Exception):
    """A problem at one offset of a block's text (or at a comment's ``line``)."""

    def __init__(self, pos: int, message: str, line: int | None = None):
        super().__init__(message)
        self.pos, self.message, self.line = pos, message, line


@dataclass
class Block:
    """One question's lines: the comments apart, the rest as text with escapes protected."""

    first_line: int
    text: str
    comments: list[tuple[int, str]] = field(default_factory=list)

    def where(self, pos: int) -> tuple[int, int]:
        """The 1-based line and column of an offset in ``text``."""
        return self.first_line + self.text.count("\n", 0, pos), pos - self.text.rfind("\n", 0, pos)


@dataclass
class Answer:
    """One answer of a block: its marker (``=``, ``~`` or none), weight, text and offset."""

    marker: str
    weight: str | None
    text: str
    pos: int


def decode(text: str) -> str:
    """Protected text back to what it says: escapes resolved."""
    return text.translate(_DECODE)


def blocks(source: str) -> list[Block]:
    """The blank-line separated blocks of a GIFT file."""
    found: list[Block] = []
    current: list[tuple[int, str]] = []
    for number, line in enumerate([*source.split("\n"), ""], start=1):
        if line.strip():
            current.append((number, line))
            continue
        if current:
            block = Block(current[0][0], "")
            lines = []
            for at, text in current:
                is_comment = text.strip().startswith("//")
                if is_comment:
                    block.comments.append((at, text.strip()[2:].strip()))
                lines.append("" if is_comment else _ESCAPE.sub(lambda m: _CODE[m.group(1)] + _FILL, text))
            block.text = "\n".join(lines)
            found.append(block)
        current = []
    return found


def split_answers(text: str, base: int, markers: str) -> list[Answer]:
    """The answers in an answer block, each from its marker to the next."""
    starts = [i for i, char in enumerate(text) if char in markers]
    lead = text[: starts[0]] if starts else text
    answers = [Answer("", None, lead, base + len(lead) - len(lead.lstrip()))] if lead.strip() else []
    ends = [*starts[1:], len(text)] if starts else []
    for start, end in zip(starts, ends, strict=True):
        answers.append(Answer(text[start], None, text[start + 1: end], base + start))
    for answer in answers:
        body = answer.text.strip()
        if body.startswith("%"):
            match = _WEIGHT.match(body)
            if not match:
                raise GiftError(answer.pos, f"malformed weight in {decode(body)!r}: write %50% or %-25%")
            if not is_valid_percent(match.group(1)):
                raise GiftError(answer.pos, f"weight {match.group(0)} is not one of Moodle's grades")
            answer.weight, body = match.group(1), body[match.end():]
        answer.text = body.split("#", 1)[0].strip()  # "#..." is per-answer feedback, which we do not keep
        if not answer.text:
            raise GiftError(answer.pos, "empty answer")
    return answers


def _percent(answer: Answer) -> float:
    return float(answer.weight) if answer.weight is not None else (100.0 if answer.marker == "=" else 0.0)


def _choices(answers: list[Answer], rich: Callable[[str], str], block_pos: int) -> dict:
    if answers and answers[0].marker == "":
        raise GiftError(answers[0].pos, "unknown answer marker: each answer starts with '=' or '~'")
    if len(answers) < 2:
        raise GiftError(block_pos, "a choice question needs at least 2 answers")
    choices = [rich(a.text) for a in answers]
    if any(a.marker == "=" for a in answers):
        right = [a for a in answers if _percent(a) == 100]
        partial = [a for a in answers if 0 < _percent(a) < 100]
        if partial:
            raise GiftError(partial[0].pos, f"partial credit ({partial[0].weight}%) cannot be imported: "
                                            "a single-answer question here is right or wrong")
        if not right:
            raise GiftError(block_pos, "no answer is right: mark it with '='")
        if len(right) > 1:
            raise GiftError(right[1].pos, "more than one answer is marked right with '='")
        return {"type": "single", "choices": choices, "answer": rich(right[0].text)}
    weighted = [rich(a.text) for a in answers if _percent(a) > 0]
    if not weighted:
        raise GiftError(block_pos, "no answer is right: mark it with '=' or a positive weight like ~%50%")
    return {"type": "multiple", "choices": choices, "answer": weighted}


def _matching(answers: list[Answer], rich: Callable[[str], str], block_pos: int) -> dict:
    if answers and answers[0].marker == "":
        raise GiftError(answers[0].pos, "unknown answer marker: each pair starts with '='")
    pairs: dict[str, str] = {}
    for answer in answers:
        left, arrow, right = answer.text.partition("->")
        if not arrow:
            raise GiftError(answer.pos, "a matching answer needs 'left -> right'")
        if not left.strip():
            raise GiftError(answer.pos, "a matching answer without a left item (distractor) is not supported")
        if not right.strip():
            raise GiftError(answer.pos, "empty answer")
        key = rich(left)
        if key in pairs:
            raise GiftError(answer.pos, f"left item {key!r} appears twice")
        pairs[key] = decode(right).strip()
    if len(pairs) < 2:
        raise GiftError(block_pos, "a matching question needs at least 2 pairs")
    return {"type": "matching", "pairs": pairs}


def _short(answers: list[Answer], block_pos: int) -> dict:
    accepted = []
    for answer in answers:
        percent = float(answer.weight) if answer.weight is not None else 100.0
        if 0 < percent < 100:
            raise GiftError(answer.pos, f"partial credit ({answer.weight}%) cannot be imported: "
                                        "a typed answer here is right or wrong")
        if percent == 100:  # a 0% answer is only there for its feedback
            text = read_typed_answer(decode(answer.text).strip())
            if text is None:
                raise GiftError(answer.pos, "wildcard '*' answers are not supported (write \\* for a star)")
            accepted.append(text)
    if not accepted:
        raise GiftError(block_pos, "no accepted answer")
    return {"type": "short", "answer": accepted}


def _cloze(prompt: str, accepted: list[str]) -> str | None:
    # A missing-word short answer is our one-blank cloze, when its text can hold the blank.
    if prompt.count(BLANK) != 1 or any(c in a for a in accepted for c in "|{}"):
        return None
    before, after = prompt.split(BLANK)
    if any(mark in before + after for mark in ("{{", "}}")):
        return None
    return f"{before}{{{{{'|'.join(accepted)}}}}}{after}"


def read_question(block: Block) -> dict | str | None:
    """A block as question data, a category path (str), or None for a comment-only block."""
    text = block.text
    pos = len(text) - len(text.lstrip())
    if pos == len(text):
        return None
    if text.startswith("$CATEGORY:", pos):
        line, _, rest = text[pos:].partition("\n")
        if rest.strip():
            next_line = pos + len(line) + 1
            raise GiftError(next_line + len(rest) - len(rest.lstrip()),
                            "a $CATEGORY line must be followed by a blank line")
        return decode(line[len("$CATEGORY:"):]).strip()
    title = ""
    if text.startswith("::", pos):
        end = text.find("::", pos + 2)
        if end < 0:
            raise GiftError(pos, "the title opened with '::' is never closed")
        title = decode(text[pos + 2: end]).strip()
        pos = end + 2
        pos += len(text[pos:]) - len(text[pos:].lstrip())
    opening, closing = text.find("{", pos), text.find("}", pos)
    if opening < 0 and closing < 0:
        raise GiftError(pos, "no answer block: descriptions (text without answers) are not supported")
    if opening < 0 or 0 <= closing < opening:
        raise GiftError(closing, "'}' without an opening '{'")
    if closing < 0:
        raise GiftError(opening, "unclosed brace: this '{' has no matching '}'")
    inner = text.find("{", opening + 1, closing)
    if inner >= 0:
        raise GiftError(inner, "'{' inside an answer block: write \\{ for a literal brace")
    extra = re.search(r"[{}]", text[closing + 1:])
    if extra:
        raise GiftError(closing + 1 + extra.start(), "a second answer block: GIFT has one per question")
    before, inside, after = text[pos:opening], text[opening + 1: closing], text[closing + 1:]
    feedback = ""
    if "####" in inside:
        inside, feedback = inside[: inside.rindex("####")], inside[inside.rindex("####") + 4:]
    stripped = inside.strip()
    start = opening + 1 + len(inside) - len(inside.lstrip())
    if stripped[:1] in _MESSAGES:
        raise GiftError(start, _MESSAGES[stripped[:1]])
    # As Moodle: text after the answers puts a blank where they were.
    question_text = before + BLANK + after if after.strip() else before
    fmt_match = _FORMAT.match(question_text)
    fmt = fmt_match.group(1) if fmt_match else "moodle"
    question_text = question_text[fmt_match.end():] if fmt_match else question_text

    def rich(raw: str) -> str:
        decoded = decode(raw).strip()
        return html_to_text(decoded) if fmt in ("html", "moodle") else decoded

    prompt = rich(question_text)
    if "~" in inside:
        data = _choices(split_answers(inside, opening + 1, "=~"), rich, opening)
    elif "=" in inside and "->" in inside:
        data = _matching(split_answers(inside, opening + 1, "="), rich, opening)
    elif stripped.split("#", 1)[0].strip() in _TRUE_FALSE:
        data = {"type": "true_false", "answer": _TRUE_FALSE[stripped.split("#", 1)[0].strip()]}
    else:
        data = _short(split_answers(inside, opening + 1, "="), opening)
        cloze = _cloze(prompt, data["answer"])
        if cloze is not None:
            data, prompt = {"type": "cloze"}, cloze
    data = {"prompt": prompt, **data}
    if rich(feedback):
        data["explanation"] = rich(feedback)
    data["_title"] = title
    return data


def _comment_fields(block: Block) -> dict:
    found: dict = {}
    markers = " ".join(text for _, text in block.comments)
    for line, text in block.comments:
        key, colon, value = text.partition(":")
        key = key.strip().lower()
        if colon and key in ("concepts", "tags"):
            found[key] = [item.strip() for item in value.split(",") if item.strip()]
        elif colon and key == "difficulty":
            if not value.strip().isdigit() or len(value.strip()) > 9:
                shown = value.strip() if len(value.strip()) <= 12 else value.strip()[:12] + "..."
                raise GiftError(0, f"difficulty {shown!r} is not a whole number from 1 to 3", line)
            found["difficulty"] = int(value)
    moodle_tags = [t.strip() for t in re.findall(r"\[tag:([^\]]+)\]", markers)]
    found.setdefault("concepts", [t[len("concept:"):] for t in moodle_tags if t.startswith("concept:")])
    found.setdefault("tags", [t for t in moodle_tags if not t.startswith("concept:")])
    # Moodle's tags are free text; ours are slugs.
    found["tags"] = list(dict.fromkeys(filter(None, (slugify(t, "") for t in found["tags"]))))
    id_marker = re.search(r"\[id:([^\]]+)\]", markers)
    found["_id"] = id_marker.group(1).strip() if id_marker else ""
    return found



def parse_gift(data: bytes, name: str, concepts: Mapping[str, Concept]) -> Imported:
    """Read a GIFT file into questions; ContentInvalid with every error at its line if it has any."""
    try:
        source = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ContentInvalid([ContentError(name, line, 1, "", "not UTF-8 text")]) from None
    source = source.replace("\r\n", "\n").replace("\r", "\n")
    private = _PRIVATE.search(source)
    if private:
        line = source.count("\n", 0, private.start()) + 1
        raise ContentInvalid([ContentError(name, line, 1, "", "private-use characters are not allowed")])
    errors: list[ContentError] = []
    questions: list[ImportedQuestion] = []
    title, taken = "", set[str]()
    for block in blocks(source):
        try:
            read = read_question(block)
            fields = _comment_fields(block) if isinstance(read, dict) else {}
        except GiftError as exc:
            line, column = (exc.line, 1) if exc.line else block.where(exc.pos)
            errors.append(ContentError(name, line, column, "", exc.message))
            continue
        if isinstance(read, str):
            title = title or category_title(read)
        elif read is not None:
            wanted = read.pop("_title") or fields.pop("_id") or read["prompt"]
            fields.pop("_id", None)
            # Keys in a bank file's order: id, type, prompt, the type's keys, then the rest.
            question = {"id": unique_id(slugify(wanted), taken), "type": read.pop("type"), **read}
            question.update({k: v for k, v in fields.items() if v})
            line, _ = block.where(len(block.text) - len(block.text.lstrip()))
            questions.append(ImportedQuestion(question, line))
    if not errors and not questions:
        errors.append(ContentError(name, 1, 1, "", "no questions found"))
    if errors:
        raise ContentInvalid(errors)
    stated, line = stated_in_comments(source.split("\n"), "//")
    return Imported(title, questions, stated_count=stated, stated_line=line)
