"""Read Moodle XML safely: no DTD, no entities, no network; every error at its question's line.

lxml parses with entity resolution, DTD loading and network access off and
its size limits on; a document that declares a DOCTYPE is refused outright,
since Moodle never writes one and it is how entity bombs (billion laughs)
and external entities get in.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping

from lxml import etree

from quiz.content.errors import ContentError, ContentInvalid
from quiz.content.model import Concept
from quiz.exchange.counts import stated_count
from quiz.exchange.formats import Imported, ImportedQuestion
from quiz.exchange.html_text import html_to_text
from quiz.exchange.importing import slugify, unique_id
from quiz.exchange.moodle_rules import category_title, is_valid_percent, read_typed_answer

Element = etree._Element
_COMMENT = re.compile(rb"<!--(.*?)-->", re.DOTALL)
# Moodle's embedded answer: {weight:TYPE:alternatives}; an unescaped "}" ends it.
_CLOZE = re.compile(r"\{(\d*):([A-Z_]+):(.*?)(?<!\\)\}", re.DOTALL)
_SHORT_CLOZE = {"SHORTANSWER", "SA", "MW", "SHORTANSWER_C", "SAC", "MWC"}
# An alternative ends at "~" or "#" unless escaped or part of an entity ("&#35;").
_ALTERNATIVE_END = re.compile(r"(?<!\\)(?<!&)(?<!&amp;)[~#]")
_BLANK_MARK = "\ue000{}\ue001"
_DOCTYPE_REFUSED = ("a DOCTYPE is not allowed: Moodle never writes one, and its entity declarations "
                    "(a billion-laughs bomb, external files) are refused")


class QuestionError(Exception):
    """A question that cannot be imported, with the reason."""


def _child_text(node: Element, path: str) -> str:
    found = node.find(path)
    return (found.text or "") if found is not None else ""


def _rich(node: Element | None) -> str:
    """The text of a ``<... format=...><text>`` node as plain text."""
    if node is None:
        return ""
    raw = _child_text(node, "text")
    return raw.strip() if node.get("format") in ("plain_text", "markdown") else html_to_text(raw)


def _fraction(answer: Element) -> float:
    value = answer.get("fraction", "0")
    if not is_valid_percent(value):
        raise QuestionError(f"fraction {value!r} is not one of Moodle's grades")
    return float(value)


def _choices(q: Element) -> dict:
    answers = q.findall("answer")
    if len(answers) < 2:
        raise QuestionError("a choice question needs at least 2 answers")
    scored = [(_rich(a), _fraction(a)) for a in answers]
    choices = [text for text, _ in scored]
    if _child_text(q, "single").strip().lower() in ("true", "1"):
        right = [text for text, fraction in scored if fraction == 100]
        partial = [f for _, f in scored if 0 < f < 100]
        if partial:
            raise QuestionError(f"partial credit ({partial[0]:g}%) cannot be imported: "
                                "a single-answer question here is right or wrong")
        if len(right) != 1:
            raise QuestionError(f"a single-answer question needs exactly one 100% answer, not {len(right)}")
        return {"type": "single", "choices": choices, "answer": right[0]}
    right = [text for text, fraction in scored if fraction > 0]
    if not right:
        raise QuestionError("no answer has a positive fraction")
    return {"type": "multiple", "choices": choices, "answer": right}


def _true_false(q: Element) -> dict:
    values = {_child_text(a, "text").strip().lower(): _fraction(a) for a in q.findall("answer")}
    if set(values) != {"true", "false"}:
        raise QuestionError("a true/false question needs a 'true' and a 'false' answer")
    return {"type": "true_false", "answer": values["true"] > values["false"]}


def _accepted(pattern: str, fraction: float) -> str | None:
    if 0 < fraction < 100:
        raise QuestionError(f"partial credit ({fraction:g}%) cannot be imported: "
                            "a typed answer here is right or wrong")
    if fraction <= 0:
        return None  # a wrong answer only there for its feedback
    text = read_typed_answer(pattern.strip())
    if text is None:
        raise QuestionError("wildcard '*' answers are not supported (write \\* for a star)")
    return text


def _short(q: Element) -> dict:
    accepted = [_accepted(_child_text(a, "text"), _fraction(a)) for a in q.findall("answer")]
    accepted = [a for a in accepted if a]
    if not accepted:
        raise QuestionError("no accepted answer")
    return {"type": "short", "answer": accepted}


def _matching(q: Element) -> dict:
    pairs: dict[str, str] = {}
    for sub in q.findall("subquestion"):
        left, right = _rich(sub), _child_text(sub, "answer/text").strip()
        if not left:
            raise QuestionError("a matching answer without a question (a distractor) is not supported")
        if left in pairs:
            raise QuestionError(f"left item {left!r} appears twice")
        pairs[left] = right
    if len(pairs) < 2:
        raise QuestionError("a matching question needs at least 2 pairs")
    return {"type": "matching", "pairs": pairs}


def _ordering(q: Element) -> dict:
    # Moodle writes items in their right order and reads them back in document order.
    items = [_rich(a) for a in q.findall("answer")]
    if len(items) < 2:
        raise QuestionError("an ordering question needs at least 2 items")
    return {"type": "ordering", "items": items}


def _cloze_alternatives(kind: str, body: str) -> list[str]:
    if kind not in _SHORT_CLOZE:
        raise QuestionError(f"cloze blanks of type {kind} are not supported (only SHORTANSWER)")
    accepted = []
    for alternative in re.split(r"(?<!\\)(?<!&)(?<!&amp;)~", body):
        weight = re.match(r"=|%(-?\d+(?:\.\d+)?)%", alternative)
        fraction = 0.0 if not weight else 100.0 if weight.group(0) == "=" else float(weight.group(1))
        text = alternative[weight.end() if weight else 0:]
        end = _ALTERNATIVE_END.search(text)
        text = html.unescape(text[: end.start()] if end else text)
        text = text.replace("\\}", "}").replace("\\#", "#").replace("\\~", "~")
        answer = _accepted(text, fraction)
        if answer is not None:
            if any(mark in answer for mark in ("|", "{{", "}}")):
                raise QuestionError(f"cloze answer {answer!r} holds '|' or braces, which a blank cannot")
            accepted.append(answer)
    if not accepted:
        raise QuestionError("a cloze blank has no accepted answer")
    return accepted


def _cloze(q: Element) -> dict:
    node = q.find("questiontext")
    raw = _child_text(node, "text") if node is not None else ""
    blanks: list[list[str]] = []

    def mark(match: re.Match) -> str:
        blanks.append(_cloze_alternatives(match.group(2), match.group(3)))
        return _BLANK_MARK.format(len(blanks) - 1)

    text = html_to_text(_CLOZE.sub(mark, raw))
    if not blanks:
        raise QuestionError("a cloze question without any {1:SHORTANSWER:...} blank")
    prompt = re.sub("\ue000(\\d+)\ue001", lambda m: "{{" + "|".join(blanks[int(m.group(1))]) + "}}", text)
    return {"type": "cloze", "prompt": prompt}


_READERS: dict[str, Callable[[Element], dict]] = {
    "multichoice": _choices,
    "truefalse": _true_false,
    "shortanswer": _short,
    "matching": _matching,
    "cloze": _cloze,
    "ordering": _ordering,
}


def _labels(q: Element) -> dict:
    found: dict = {"concepts": [], "tags": []}
    for tag in q.findall("tags/tag"):
        label = _child_text(tag, "text").strip()
        if label.startswith("concept:"):
            found["concepts"].append(label[len("concept:"):].strip())
        elif re.fullmatch(r"difficulty:\s*\d{1,9}", label):
            found["difficulty"] = int(label.split(":")[1])
        elif label and slugify(label, "") not in found["tags"]:
            found["tags"].append(slugify(label, ""))
    found["tags"] = [t for t in found["tags"] if t]
    return found


def read_question(q: Element) -> dict:
    """One ``<question>`` as bank data (QuestionError if it cannot be carried)."""
    moodle_type = q.get("type", "")
    if moodle_type not in _READERS:
        raise QuestionError(f"question type {moodle_type!r} is not supported")
    data = _READERS[moodle_type](q)
    if "prompt" not in data:
        data["prompt"] = _rich(q.find("questiontext"))
    explanation = _rich(q.find("generalfeedback"))
    question = {"type": data.pop("type"), "prompt": data.pop("prompt"), **data}
    if explanation:
        question["explanation"] = explanation
    question.update({key: value for key, value in _labels(q).items() if value})
    return question



def _refuse_doctype(data: bytes, name: str) -> None:
    # Checked before parsing, so an entity bomb is never handed to the parser at all.
    first = re.search(rb"<!DOCTYPE|<[A-Za-z_]", data)
    if first and first.group() == b"<!DOCTYPE":
        line = data.count(b"\n", 0, first.start()) + 1
        raise ContentInvalid([ContentError(name, line, 1, "", _DOCTYPE_REFUSED)])


def _document(data: bytes, name: str) -> Element:
    _refuse_doctype(data, name)
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
                                 dtd_validation=False, remove_comments=True)
        tree = etree.fromstring(data, parser).getroottree()
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 1
        raise ContentInvalid([ContentError(name, line, 1, "", f"not well-formed XML: {exc.msg}")]) from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:  # one the scan missed (UTF-16)
        raise ContentInvalid([ContentError(name, 1, 1, "", _DOCTYPE_REFUSED)])
    root = tree.getroot()
    if root.tag != "quiz":
        raise ContentInvalid([ContentError(name, root.sourceline or 1, 1, "",
                                           f"the root element is <{root.tag!s}>, not Moodle's <quiz>")])
    return root


def parse_moodle_xml(data: bytes, name: str, concepts: Mapping[str, Concept]) -> Imported:
    """Read a Moodle XML file into questions; ContentInvalid with every error at its line if any."""
    root = _document(data, name)
    errors: list[ContentError] = []
    questions: list[ImportedQuestion] = []
    title, taken = "", set[str]()
    for q in root.iter("question"):
        line = q.sourceline or 1
        if q.get("type") == "category":
            title = title or category_title(_child_text(q, "category/text"))
            continue
        try:
            read = read_question(q)
        except QuestionError as exc:
            errors.append(ContentError(name, line, 1, "", str(exc)))
            continue
        wanted = _child_text(q, "name/text").strip() or _child_text(q, "idnumber").strip() or read["prompt"]
        questions.append(ImportedQuestion({"id": unique_id(slugify(wanted), taken), **read}, line))
    if not errors and not questions:
        errors.append(ContentError(name, root.sourceline or 1, 1, "", "no questions found"))
    if errors:
        raise ContentInvalid(errors)
    # The parser drops comments, so our count is looked for in the text before the first question.
    head = data[: data.find(b"<question") if b"<question" in data else 0]
    for comment in _COMMENT.finditer(head):
        stated = stated_count(comment.group(1).decode("utf-8", "replace"))
        if stated is not None:
            line = head.count(b"\n", 0, comment.start()) + 1
            return Imported(title, questions, stated_count=stated, stated_line=line)
    return Imported(title, questions)
