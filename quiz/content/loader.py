"""Read YAML as data, never as code, keeping the position of every node.

PyYAML's own loaders accept duplicate keys silently, construct whatever a tag
asks for, and expand aliases without bound. This loader reads the parser's
events (libyaml's C parser when present) and builds plain dicts, lists and
scalars itself, so it can refuse all three and report where each problem is.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from quiz.content.errors import ContentError, ContentInvalid, format_path
from quiz.content.errors import Path as NodePath

# Only the parser of these loaders runs: ``yaml.parse`` constructs nothing.
try:
    from yaml import CSafeLoader as _ParsingLoader

    LIBYAML = True
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _ParsingLoader  # type: ignore[assignment]  # CSafeLoader's twin

    LIBYAML = False

MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 64
MAX_ERRORS = 100
# Whole numbers must fit in 64 bits, as a database column holds them; longer digit
# strings are refused before Python is asked to convert them (4,301 digits raise).
MAX_INT = 2**63 - 1
_MAX_DIGITS = {10: 19, 16: 16, 2: 64}
# C0 controls but tab and line feed, DEL and the C1 controls: nothing a question needs,
# and some (NUL) no XML export can carry.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")

_CORE_TAGS = {
    "tag:yaml.org,2002:str": str,
    "tag:yaml.org,2002:int": int,
    "tag:yaml.org,2002:float": float,
    "tag:yaml.org,2002:bool": bool,
    "tag:yaml.org,2002:null": type(None),
    # A bare date is text to us: we never want a datetime object in a bank.
    "tag:yaml.org,2002:timestamp": str,
}
_STANDARD_TAG = "tag:yaml.org,2002:"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
_BOOLEANS = {"true": True, "false": False, "yes": True, "no": False, "on": True, "off": False}


@dataclass
class Document:
    """A YAML file read as plain data; it can say where each node starts.

    Positions are found by a second, recording pass over the text, made only
    when an error needs one: valid files, the common case, pay nothing for them.
    """

    file: str
    data: Any  # plain data as the YAML gave it: the schema checks its shape before it is read
    text: str = ""
    _positions: dict[NodePath, tuple[int, int]] | None = field(default=None, repr=False)
    _key_positions: dict[NodePath, tuple[int, int]] | None = field(default=None, repr=False)

    def position(self, path: NodePath, *, key: bool = False) -> tuple[int, int]:
        """The 1-based (line, column) where the value (or with ``key``, the key) at
        ``path`` starts; a path that does not exist, such as a missing key, falls
        back to its nearest ancestor, so the error still points at the right mapping.
        """
        if self._positions is None or self._key_positions is None:
            builder = _Builder(self.file, record=True)
            _parse(self.text, builder)
            self._positions, self._key_positions = builder.positions, builder.key_positions
        positions, key_positions = self._positions, self._key_positions
        path = tuple(path)
        if key and path in key_positions:
            return key_positions[path]
        while path not in positions and path:
            path = path[:-1]
        return positions.get(path, (1, 1))

    def error(self, path: NodePath, message: str, *, key: bool = False) -> ContentError:
        """Build an error located at the node ``path``."""
        line, column = self.position(path, key=key)
        return ContentError(self.file, line, column, format_path(path), message)


# PyYAML's parser events and their marks. Its stubs make every event's mark, tag and value
# optional, which the parser always sets for the kinds this loader reads; so they are read as Any.
_Event = Any
_Mark = Any


class _Builder:
    """Turns a stream of parser events into plain dicts, lists and scalars.

    A stack frame is ``[container, pending key]``; in a mapping the pending key
    is ``_NO_KEY`` while the next scalar is a key. The path of the node being
    built is read off the stack only when it is needed (errors, ``record``).
    """

    def __init__(self, file: str, record: bool = False):
        self.file = file
        self.record = record
        self.positions: dict[NodePath, tuple[int, int]] = {}
        self.key_positions: dict[NodePath, tuple[int, int]] = {}
        self.errors: list[ContentError] = []
        self.resolver = yaml.resolver.Resolver()
        self.stack: list[list[Any]] = []  # [container, pending key] and, after a key, its mark

    def path(self) -> NodePath:
        """The path of the node about to be attached to the innermost container."""
        parts: list[str | int] = []
        for frame in self.stack:
            container, key = frame[0], frame[1]
            if type(container) is list:
                parts.append(len(container))
            elif key is not _NO_KEY:
                parts.append(key)
        return tuple(parts)

    def fail(self, mark: _Mark, message: str, path: NodePath | None = None) -> None:
        if len(self.errors) >= MAX_ERRORS:
            self.errors.append(ContentError(self.file, mark.line + 1, mark.column + 1, "",
                                            f"more than {MAX_ERRORS} errors; stopped reading here"))
            raise _Abort
        where = self.path() if path is None else path
        self.errors.append(
            ContentError(self.file, mark.line + 1, mark.column + 1, format_path(where), message)
        )

    def build(self, next_event: Callable[[], _Event]) -> object:
        """Consume the events of one YAML stream from ``next_event()``; return its root."""
        stack = self.stack
        root: object = None
        documents = 0
        while True:
            event = next_event()
            kind = type(event)
            if kind is yaml.ScalarEvent:
                value = self._scalar(event)
                text = event.value
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                value = stack.pop()[0]
                if not stack:
                    root = value
                    continue
                self._attach(value, None)
                continue
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                self._start(event, kind is yaml.MappingStartEvent)
                continue
            elif kind is yaml.AliasEvent:
                self.fail(event.start_mark, "anchors and aliases are not allowed")
                value = text = None
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    self.fail(event.start_mark, "a content file holds one YAML document", ())
                    raise _Abort
                continue
            elif kind is yaml.StreamEndEvent or event is None:
                break
            else:  # stream start, document end
                continue
            if stack:
                self._attach(value, event.start_mark, text)
            else:
                if self.record:
                    self.positions[()] = (event.start_mark.line + 1, event.start_mark.column + 1)
                root = value
        return root

    def _start(self, event: _Event, is_map: bool) -> None:
        mark = event.start_mark
        if event.anchor is not None:
            self.fail(mark, "anchors and aliases are not allowed")
        tag = event.tag
        if tag not in (None, "!") and not event.implicit and tag != (_MAP_TAG if is_map else _SEQ_TAG):
            self.fail(mark, f"tag '{_tag_text(tag)}' is not allowed")
        if len(self.stack) >= MAX_DEPTH:
            self.fail(mark, f"nested deeper than {MAX_DEPTH} levels")
            raise _Abort
        if self.record:
            self.positions[self.path()] = (mark.line + 1, mark.column + 1)
        if self.stack and type(self.stack[-1][0]) is dict and self.stack[-1][1] is _NO_KEY:
            self.fail(mark, "mapping keys must be plain text")
            raise _Abort
        self.stack.append([{} if is_map else [], _NO_KEY])

    def _attach(self, value: object, mark: _Mark | None, text: str | None = None) -> None:
        """Add a finished node to the innermost container (``mark`` is None for one
        that was a collection: its position was recorded when it started; ``text``
        is a scalar's source text)."""
        frame = self.stack[-1]
        container = frame[0]
        if type(container) is list:
            if self.record and mark is not None:
                self.positions[self.path()] = (mark.line + 1, mark.column + 1)
            container.append(value)
            return
        key = frame[1]
        if key is _NO_KEY:
            self._take_key(frame, value, mark, text)
            return
        if self.record and mark is not None:
            self.positions[self.path()] = (mark.line + 1, mark.column + 1)
        frame[1] = _NO_KEY
        if key in container:
            self.fail(frame[2], f"duplicate key '{key}'", (*self.path(), key))
            frame.pop()
            return
        frame.pop()
        container[key] = value

    def _take_key(self, frame: list[Any], key: object, mark: _Mark, text: str | None) -> None:
        if type(key) is not str:
            if key is None or type(key) not in (int, bool, float):
                self.fail(mark, "mapping keys must be plain text")
            # A key is a name, as written: `yes:` is "yes" and `0x10:` is "0x10",
            # not "True" and "16".
            key = str(key) if text is None else text
        frame[1] = key
        frame.append(mark)  # where the key is, for a duplicate-key error
        if self.record:
            self.key_positions.setdefault(self.path(), (mark.line + 1, mark.column + 1))

    def _scalar(self, event: _Event) -> object:
        tag, implicit = event.tag, event.implicit
        if event.anchor is not None:
            self.fail(event.start_mark, "anchors and aliases are not allowed")
        control = _CONTROL.search(event.value)
        if control is not None:
            self.fail(event.start_mark, f"contains the control character "
                                        f"U+{ord(control.group()):04X} (character "
                                        f"{control.start() + 1} of the text), which is not allowed")
        if tag is None and implicit[1] and not implicit[0]:
            return event.value  # quoted and untagged: always text
        if tag is None and event.value[:1] not in _IMPLICIT_FIRST_CHARS:
            return event.value  # plain, and no implicit type starts this way: text
        explicit = tag not in (None, "!") and not implicit[0] and not implicit[1]
        if not explicit:
            tag = self.resolver.resolve(yaml.ScalarNode, event.value, implicit)
        if tag == "!":
            tag = "tag:yaml.org,2002:str"
        kind = _CORE_TAGS.get(tag)
        if kind is None and not explicit:
            return event.value  # YAML 1.1's `<<` (merge) and `=` (value): plain text to us
        if kind is None or (explicit and tag.endswith(":timestamp")):
            self.fail(event.start_mark, f"tag '{_tag_text(tag)}' is not allowed")
            return event.value
        if kind is int:
            value = _convert_int(event.value)
            if value is None:
                self.fail(event.start_mark, f"whole number out of range: more than 64 bits "
                                            f"(the largest is {MAX_INT})")
                return 0
            return value
        return _convert(kind, event.value)


_NO_KEY = object()
_IMPLICIT_FIRST_CHARS = frozenset(yaml.resolver.Resolver.yaml_implicit_resolvers)


def _tag_text(tag: str) -> str:
    """A tag as the author wrote it: ``!!binary``, not ``tag:yaml.org,2002:binary``."""
    return "!!" + tag.removeprefix(_STANDARD_TAG) if tag.startswith(_STANDARD_TAG) else tag


class _Abort(Exception):
    """Stop reading a file whose structure cannot be trusted further."""


def _convert(kind: type, text: str) -> object:
    """Turn a resolved YAML 1.1 scalar into its Python value."""
    if kind is str:
        return text
    if kind is bool:
        return _BOOLEANS[text.lower()]
    if kind is type(None):
        return None
    cleaned = text.replace("_", "").lower()
    if cleaned in (".inf", "+.inf", "-.inf", ".nan"):
        return float(cleaned.replace(".", "")) if "inf" in cleaned else float("nan")
    try:
        return float(cleaned)
    except ValueError:
        return text


def _convert_int(text: str) -> int | str | None:
    """A YAML 1.1 integer's value; the author's text for sexagesimal and octal forms;
    None when it does not fit in 64 bits."""
    cleaned = text.replace("_", "").lower()
    sign = -1 if cleaned.startswith("-") else 1
    digits = cleaned.lstrip("+-")
    base = 10
    if digits.startswith(("0x", "0b")):
        base, digits = (16 if digits[1] == "x" else 2), digits[2:]
    elif ":" in digits or (digits.startswith("0") and len(digits) > 1):
        return text  # sexagesimal and octal forms: keep the author's text
    if len(digits.lstrip("0")) > _MAX_DIGITS[base]:
        return None
    value = sign * int(digits, base)
    return value if -MAX_INT - 1 <= value <= MAX_INT else None


def load_text(text: bytes, file: str) -> Document:
    """Parse YAML bytes into a Document, or raise ContentInvalid with every error."""
    if len(text) > MAX_FILE_BYTES:
        raise ContentInvalid([_too_large(file)])
    text = text.removeprefix(codecs.BOM_UTF8)
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = text[: exc.start].count(b"\n") + 1
        # Columns count characters, as the parser's do; the bytes before the bad one decode.
        start = text.rfind(b"\n", 0, exc.start) + 1
        column = len(text[start : exc.start].decode("utf-8")) + 1
        raise ContentInvalid(
            [ContentError(file, line, column, "", "file is not valid UTF-8")]
        ) from None
    builder = _Builder(file)
    root = _parse(decoded, builder)
    if builder.errors:
        raise ContentInvalid(builder.errors)
    return Document(file, root, decoded)


def _parse(text: str, builder: _Builder) -> object:
    """Run the parser over ``text`` into ``builder``; syntax errors join its errors."""
    try:
        parser = _ParsingLoader(text)
        try:
            return builder.build(parser.get_event)
        finally:
            parser.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        builder.errors.append(ContentError(builder.file, line, column, "", _yaml_message(exc)))
    except yaml.YAMLError as exc:
        builder.errors.append(ContentError(builder.file, 1, 1, "", f"not valid YAML: {exc}"))
    except _Abort:
        pass
    return None


def _too_large(file: str) -> ContentError:
    limit = MAX_FILE_BYTES // (1024 * 1024)
    return ContentError(file, 1, 1, "", f"file is larger than the {limit} MiB limit")


def _yaml_message(exc: yaml.MarkedYAMLError) -> str:
    context = exc.context
    mark, problem_mark = exc.context_mark, exc.problem_mark
    if context and mark and problem_mark and (mark.line, mark.column) != (
        problem_mark.line, problem_mark.column
    ):
        # The fix is often where the construct began (an unclosed bracket), not where it broke.
        context += f" (from line {mark.line + 1}, column {mark.column + 1})"
    parts = [part for part in (context, exc.problem) if part]
    return "not valid YAML: " + ", ".join(parts)


def load_file(path: Path | str, display: str | None = None) -> Document:
    """Read and parse one YAML file; ``display`` is the name used in errors."""
    path = Path(path)
    name = display or str(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ContentInvalid([_too_large(name)])
        data = path.read_bytes()
    except OSError as exc:
        raise ContentInvalid([ContentError(name, 1, 1, "", f"cannot read: {exc.strerror}")]) from None
    return load_text(data, name)
