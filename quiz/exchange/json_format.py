"""JSON: the YAML bank document as JSON (UTF-8, indented), for scripts and other programs.

Python's ``json`` module keeps the last of duplicate keys, recurses once per
level of nesting and accepts ``NaN``; a short scan of the tokens before
parsing refuses all three, and finds the line each question starts on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from quiz.content.errors import ContentError, ContentInvalid, format_path
from quiz.content.errors import Path as NodePath
from quiz.content.model import Concept
from quiz.content.types import QUESTION_TYPES
from quiz.exchange.counts import JSON_KEY
from quiz.exchange.documents import decode_utf8, merged_bank_data, read_bank_data
from quiz.exchange.formats import Format, Imported, Support
from quiz.exchange.selection import ExportSet

MAX_DEPTH = 64

# A string (to its closing quote, or to the end of an unterminated one, so that
# no text is scanned twice), a punctuation mark, or a run of anything else.
_LEXEME = re.compile(r'"(?:[^"\\]++|\\.?)*+(?:"|\Z)|[{}\[\],:]|[^\s{}\[\],:"]++', re.DOTALL)
_NOT_JSON = {"NaN", "Infinity", "-Infinity"}
_SURROGATE = re.compile("[\ud800-\udfff]")


def export_json(selection: ExportSet) -> bytes:
    """The selection as one bank document in JSON, UTF-8."""
    document = merged_bank_data(selection)
    document = {"id": document["id"], "title": document["title"], JSON_KEY: selection.count(),
                "questions": document["questions"]}
    text = json.dumps(document, indent=2, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


def parse_json(data: bytes, name: str, concepts: Mapping[str, Concept]) -> Imported:
    """Read a JSON bank document: its title and its questions, each with its line."""
    text = decode_utf8(data, name)
    positions = _scan(text, name)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        error = ContentError(name, exc.lineno, exc.colno, "", f"not valid JSON: {exc.msg}")
        raise ContentInvalid([error]) from None
    except (ValueError, RecursionError) as exc:  # an integer too long to convert, say
        raise ContentInvalid([ContentError(name, 1, 1, "", f"not valid JSON: {exc}")]) from None

    def where(path: NodePath) -> tuple[int, int]:
        while path not in positions and path:
            path = path[:-1]
        return positions.get(path, (1, 1))

    broken = _lone_surrogate(value)
    if broken is not None:
        raise ContentInvalid([ContentError(name, *where(broken), format_path(broken),
                                           "a \\u escape names half of a character (a lone surrogate)")])
    stated = value.pop(JSON_KEY, None) if isinstance(value, dict) else None
    imported = read_bank_data(value, name, where)
    if stated is None:
        return imported
    if not isinstance(stated, int) or isinstance(stated, bool) or stated < 0:
        raise ContentInvalid([ContentError(name, *where((JSON_KEY,)), JSON_KEY,
                                           "expected the number of questions in the file")])
    return replace(imported, stated_count=stated, stated_line=where((JSON_KEY,))[0], stated_where="json")


def _lone_surrogate(value: object, path: NodePath = ()) -> NodePath | None:
    """Where a string holds half a UTF-16 pair (which JSON's escapes allow and UTF-8 cannot hold)."""
    if isinstance(value, str):
        return path if _SURROGATE.search(value) else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        if isinstance(key, str) and _SURROGATE.search(key):
            return (*path, key)
        found = _lone_surrogate(item, (*path, key))
        if found is not None:
            return found
    return None


@dataclass
class _Frame:
    """An open object or array: the key or index of the value being read, and keys seen."""

    path: NodePath
    is_object: bool
    index: int = 0
    key: str = ""  # set from the key before any value of an object is read
    expect_key: bool = True
    keys: set[str] = field(default_factory=set)


def _scan(text: str, name: str) -> dict[NodePath, tuple[int, int]]:
    """Where the values of the top two levels start; ContentInvalid for what json would let by."""
    positions: dict[NodePath, tuple[int, int]] = {}
    errors: list[ContentError] = []
    stack: list[_Frame] = []
    line, line_start, counted = 1, 0, 0

    def locate(offset: int) -> tuple[int, int]:
        nonlocal line, line_start, counted
        newlines = text.count("\n", counted, offset)
        if newlines:
            line += newlines
            line_start = text.rfind("\n", counted, offset) + 1
        counted = offset
        return line, offset - line_start + 1

    def value_path() -> NodePath:
        if not stack:
            return ()
        top = stack[-1]
        return (*top.path, top.key if top.is_object else top.index)

    for match in _LEXEME.finditer(text):
        lexeme = match.group()
        top = stack[-1] if stack else None
        if lexeme in (":", ","):
            if top is not None and lexeme == ",":
                top.expect_key, top.index = top.is_object, top.index + 1
            elif top is not None:
                top.expect_key = False
            continue
        if lexeme in ("}", "]"):
            if stack:
                stack.pop()
            continue
        if top is not None and top.is_object and top.expect_key:
            key = _key(lexeme)
            if key in top.keys:
                errors.append(ContentError(name, *locate(match.start()), "", f"duplicate key '{key}'"))
            top.keys.add(key)
            top.key = key
            continue
        path = value_path()
        if len(path) <= 2:
            positions[path] = locate(match.start())
        if lexeme in _NOT_JSON:
            errors.append(ContentError(name, *locate(match.start()), "", f"not valid JSON: {lexeme}"))
        if lexeme in ("{", "["):
            if len(stack) >= MAX_DEPTH:
                errors.append(ContentError(name, *locate(match.start()), "",
                                           f"nested deeper than {MAX_DEPTH} levels"))
                break
            stack.append(_Frame(path, lexeme == "{"))
    if errors:
        raise ContentInvalid(errors)
    return positions


def _key(lexeme: str) -> str:
    """An object key as JSON reads it (escapes resolved), or as written if it is not a string."""
    try:
        return str(json.loads(lexeme))
    except ValueError:
        return lexeme


FORMAT = Format(
    name="json",
    label="JSON",
    extension=".json",
    mimetype="application/json",
    export=export_json,
    # Every type is carried whole: the document is the bank format itself.
    support={name: Support() for name in QUESTION_TYPES},
    carries_any_type=True,
    parse=parse_json,
)
