"""Validate content files like code: every error, each at its file:line:col."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import fastjsonschema
from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError

from quiz.content.errors import ContentError, ContentInvalid
from quiz.content.errors import Path as NodePath
from quiz.content.fidelity import check_explanation, check_glossary, read_source
from quiz.content.lint import lint
from quiz.content.loader import Document, load_file, load_text
from quiz.content.model import GENERATED_HEADER, Bank, Concept, Content, Contrast, Fact, Glossary, Question
from quiz.content.model import Sequence as OrderSequence
from quiz.content.schema import bank_schema, glossary_schema, question_schema
from quiz.content.types import QUESTION_TYPES, QuestionType, type_specific_keys


class _Checker:
    """A schema checked fast by compiled code; explained by jsonschema when it fails.

    Valid content is the common case, and compiled checks are many times
    faster; jsonschema collects every error, with paths, for the rare failure.
    """

    def __init__(self, schema: dict[str, Any]):
        self.fast = fastjsonschema.compile(schema)
        self.full = Draft7Validator(schema)

    def errors(self, doc: Document, value: object, prefix: NodePath = ()) -> list[Problem]:
        """Every error as (path of the node at fault, the error to report)."""
        try:
            self.fast(value)
            return []
        except fastjsonschema.JsonSchemaException:
            found: list[Problem] = []
            for error in self.full.iter_errors(value):
                error.path.extendleft(reversed(prefix))
                where = tuple(error.path)
                found += [(where, found_error) for found_error in _schema_errors(doc, error)]
            return found


Problem = tuple[NodePath, ContentError]  # the path of the node at fault, and the error to report
ReadGlossary = tuple[Glossary, Document]
ReadBank = tuple[Bank | None, Document]  # None: the bank's questions have errors
T = TypeVar("T")

_GLOSSARY = _Checker(glossary_schema())
_BANK_TOP = _Checker(bank_schema(questions=False))
_TYPE_NAMES = {str: "text", int: "a whole number", bool: "true or false", float: "a number",
               list: "a list", dict: "a mapping", type(None): "nothing"}
_JSON_TYPES = {"string": "text", "integer": "a whole number", "boolean": "true or false",
               "number": "a number", "array": "a list", "object": "a mapping"}


@lru_cache(maxsize=2)
def _question_checkers(registered: tuple[QuestionType, ...]) -> tuple[dict[str, _Checker], _Checker]:
    """A checker per registered type and one for a question of any type, built once per registry."""
    return ({qtype.name: _Checker(question_schema(qtype.name)) for qtype in registered},
            _Checker(bank_schema()["properties"]["questions"]["items"]))


def display_name(path: Path) -> str:
    """The path as an author would type it: relative to the working folder if inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def content_files(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """Split the given files and content roots into (glossary files, bank files).

    A bank needs the glossaries of its content root to resolve its concepts,
    so naming a bank file also reads the glossaries beside its folder.
    """
    glossaries: list[Path] = []
    banks: list[Path] = []
    for path in paths:
        if path.is_dir():
            roots = [path] if (path / "banks").is_dir() or (path / "definitions").is_dir() else []
            if roots:
                glossaries += sorted((path / "definitions").glob("*.yaml"))
                banks += sorted((path / "banks").glob("*.yaml"))
            elif path.name == "definitions":
                glossaries += sorted(path.glob("*.yaml"))
            else:
                banks += sorted(path.glob("*.yaml"))
                glossaries += sorted((path.parent / "definitions").glob("*.yaml"))
        elif path.parent.name == "definitions":
            glossaries.append(path)
        else:
            banks.append(path)
            glossaries += sorted((path.parent.parent / "definitions").glob("*.yaml"))
    return _unique(glossaries), _unique(banks)


def _unique(paths: list[Path]) -> list[Path]:
    seen: dict[Path, Path] = {}
    for path in paths:
        seen.setdefault(path.resolve(), path)
    return list(seen.values())


@dataclass(frozen=True)
class Checked:
    """What checking content found: the valid content, its errors and its lint warnings."""

    content: Content
    errors: list[ContentError]
    warnings: list[ContentError]


def check_paths(paths: list[Path], *, with_lint: bool = True) -> Checked:
    """Read, validate and (unless told not to) lint the content at ``paths``."""
    glossary_files, bank_files = content_files(paths)
    errors: list[ContentError] = []
    glossaries = [g for g in (_read(p, errors, _read_glossary) for p in glossary_files) if g]
    concepts = _check_glossaries(glossaries, errors)
    banks = [b for b in (_read(p, errors, _read_bank) for p in bank_files) if b]
    _check_banks([doc for _, doc in banks], concepts, errors)
    content = Content(tuple(g for g, _ in glossaries), tuple(b for b, _ in banks if b))
    # Lint reads only banks without errors: it trusts what validation has checked.
    broken = {error.file for error in errors}
    clean = [doc for bank, doc in banks if bank and doc.file not in broken]
    warnings = lint(clean) if with_lint else []
    return Checked(content, sorted(set(errors)), sorted(set(warnings)))


def validate_paths(paths: list[Path]) -> tuple[Content, list[ContentError]]:
    """Read and check the content at ``paths``; return what is valid and every error."""
    checked = check_paths(paths, with_lint=False)
    return checked.content, checked.errors


def load_content(root: Path | str) -> Content:
    """Load a content root, raising ContentInvalid with every error if it has any."""
    content, errors = validate_paths([Path(root)])
    if errors:
        raise ContentInvalid(errors)
    return content


def validate_bank_text(text: str, file: str, concepts: dict[str, Concept]) -> Bank:
    """Check a bank given as YAML text (an import, before it is written); ContentInvalid if bad.

    ``file`` names it in errors and, by its stem, fixes the bank id it must have.
    """
    errors: list[ContentError] = []
    try:
        doc = load_text(text.encode("utf-8"), file)
    except ContentInvalid as exc:
        raise ContentInvalid(exc.errors) from None
    read = _read_bank(doc, Path(file), errors)
    if read is not None:
        _check_banks([doc], concepts, errors)
    if errors or read is None or read[0] is None:
        raise ContentInvalid(errors or [doc.error((), "expected a bank")])
    return read[0]


def _read(path: Path, errors: list[ContentError],
          reader: Callable[[Document, Path, list[ContentError]], T | None]) -> T | None:
    try:
        doc = load_file(path, display_name(path))
    except ContentInvalid as exc:
        errors.extend(exc.errors)
        return None
    return reader(doc, path, errors)


def _schema_errors(doc: Document, error: ValidationError) -> list[ContentError]:
    """Turn a JSON Schema error into sentences an author can act on, one per key at fault."""
    path = tuple(error.path)
    schema = error.schema
    instance: Any = error.instance  # the node at fault, as YAML gave it
    if error.validator == "additionalProperties" and isinstance(schema, Mapping):
        allowed = set(schema.get("properties", {}))
        return [doc.error((*path, key), f"unknown key '{key}'", key=True)
                for key in instance if key not in allowed]
    if error.schema is False:
        # jsonschema leaves the key out of a false schema's error path. The only false
        # schemas are the keys of other question types: name each of them on the question
        # (one error per such key comes here; the repeats collapse when errors are gathered).
        question = doc.data
        for part in path:
            question = question[part]
        fields = QUESTION_TYPES[question["type"]].fields
        return [doc.error((*path, key), f"key '{key}' is not used by type '{question['type']}'",
                          key=True)
                for key in type_specific_keys() if key in question and key not in fields]
    return [_schema_error(doc, error)]


def _schema_error(doc: Document, error: ValidationError) -> ContentError:
    """Turn a JSON Schema error into a sentence an author can act on."""
    path = tuple(error.path)
    kind = error.validator
    value: Any = error.instance  # the node at fault, as YAML gave it
    wanted: Any = error.validator_value  # the schema's value for the keyword that failed
    if kind == "required":
        missing = error.message.split("'")[1]
        return doc.error(path, f"missing required key '{missing}'")
    if kind == "type":
        got = _TYPE_NAMES.get(type(value), type(value).__name__)
        return doc.error(path, f"expected {_JSON_TYPES.get(str(wanted), str(wanted))}, got {got}")
    if kind == "enum" and path and path[-1] == "type":
        return doc.error(path, f"'{value}' is not a question type ({', '.join(QUESTION_TYPES)})")
    if kind == "enum":
        options = ", ".join(str(v) for v in wanted)
        return doc.error(path, f"{value!r} is not one of: {options}")
    if kind == "uniqueItems":
        # Equal as jsonschema sees it (1 == 1.0), so the search always finds the repeat.
        index = next(i for i, item in enumerate(value) if item in value[:i])
        return doc.error((*path, index), f"duplicate item {value[index]!r}")
    if kind == "pattern":
        return doc.error(path, f"'{value}' must be lowercase letters and digits, "
                               "joined by single hyphens")
    if kind in ("minItems", "minProperties"):
        return doc.error(path, f"needs at least {wanted} item(s)")
    if kind in ("maxItems", "maxProperties"):
        return doc.error(path, f"has more than {wanted} items")
    if kind == "minLength":
        return doc.error(path, "must not be empty")
    if kind == "maxLength":
        return doc.error(path, f"is longer than {wanted} characters")
    return doc.error(path, error.message)


def _read_glossary(doc: Document, path: Path, errors: list[ContentError]) -> ReadGlossary | None:
    problems = _GLOSSARY.errors(doc, doc.data)
    errors.extend(error for _, error in problems)
    if problems:
        return None
    data = doc.data
    _check_file_name(doc, path, data["id"], errors)
    # The chapter lives under the content folder, the one that holds definitions/.
    found = read_source(path.parent.parent, data["source_file"])
    if isinstance(found, str):
        errors.append(doc.error(("source_file",), found))
    source = None if isinstance(found, str) else found
    concepts = tuple(
        Concept(
            id=c["id"], term=c["term"], definition=c["definition"], quote=c["quote"],
            section=c["section"],
            facts=tuple(Fact(f["id"], f["fact"], f["quote"]) for f in c["facts"]),
            aliases=tuple(c.get("aliases", ())), related=tuple(c.get("related", ())),
            glossary=data["id"], chapter=source,
        )
        for c in data["concepts"]
    )
    sequences = tuple(
        OrderSequence(s["id"], s["prompt"], tuple(s["items"]), tuple(s["concepts"]), s["quote"])
        for s in data.get("sequences", ())
    )
    contrasts = tuple(
        Contrast(c["id"], c["fact"], c["true_of"], c["quote"], c["false_of"], c["against"])
        for c in data.get("contrasts", ())
    )
    glossary = Glossary(data["id"], data["title"], data["source"], concepts, sequences, doc.file,
                        contrasts, source)
    return glossary, doc


def _read_bank(doc: Document, path: Path, errors: list[ContentError]) -> ReadBank | None:
    problems = _BANK_TOP.errors(doc, doc.data)
    data = doc.data
    if isinstance(data, dict) and isinstance(data.get("questions"), list):
        for index, item in enumerate(data["questions"]):
            qtype = item.get("type") if isinstance(item, dict) else None
            per_type, any_question = _question_checkers(tuple(QUESTION_TYPES.values()))
            checker = per_type.get(qtype) if isinstance(qtype, str) else None
            problems += (checker or any_question).errors(doc, item, ("questions", index))
    errors.extend(error for _, error in problems)
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
        return None
    broken = {where[1] for where, _ in problems if len(where) > 1 and where[0] == "questions"}
    questions = []
    for index, item in enumerate(data["questions"]):
        if index in broken:
            continue
        qtype = QUESTION_TYPES[item["type"]]
        for sub_path, message in qtype.check(item):
            errors.append(doc.error(("questions", index, *sub_path), message))
        if type(item.get("difficulty", 1)) is not int:
            # JSON Schema's enum takes 2.0 (and jsonschema's "integer" too) for 2.
            errors.append(doc.error(("questions", index, "difficulty"),
                                    "expected a whole number, got a number"))
            continue
        questions.append((index, Question.from_dict(item)))
    if problems:
        return None, doc
    _check_file_name(doc, path, data["id"], errors)
    generated = any(line.startswith(GENERATED_HEADER) for line in doc.text.splitlines()[:5])
    bank = Bank(data["id"], data["title"], tuple(q for _, q in questions), doc.file, generated)
    return bank, doc


def _check_file_name(doc: Document, path: Path, file_id: str, errors: list[ContentError]) -> None:
    if path.stem != file_id:
        errors.append(doc.error(("id",), f"'{file_id}' must match the file name '{path.name}'"))


def _check_glossaries(glossaries: list[ReadGlossary], errors: list[ContentError]) -> dict[str, Concept]:
    concepts: dict[str, Concept] = {}
    seen_files: dict[str, FirstUse] = {}
    for glossary, doc in glossaries:
        _check_unique_id(glossary.id, doc, ("id",), seen_files, "glossary", errors)
        for index, concept in enumerate(glossary.concepts):
            if concept.id in concepts:
                errors.append(doc.error(("concepts", index, "id"),
                                        f"duplicate concept id '{concept.id}' "
                                        f"(also in {concepts[concept.id].glossary})"))
            else:
                concepts[concept.id] = concept
        seen_sequences: dict[str, FirstUse] = {}
        for index, sequence in enumerate(glossary.sequences):
            _check_unique_id(sequence.id, doc, ("sequences", index, "id"), seen_sequences,
                             "sequence", errors)
    for glossary, doc in glossaries:
        for index, concept in enumerate(glossary.concepts):
            for r, related in enumerate(concept.related):
                where = ("concepts", index, "related", r)
                if related == concept.id:
                    errors.append(doc.error(where, "a concept cannot be related to itself"))
                elif related not in concepts:
                    errors.append(doc.error(where, f"no glossary defines concept '{related}'"))
        for index, sequence in enumerate(glossary.sequences):
            _check_concept_refs(sequence.concepts, concepts, doc, ("sequences", index), errors)
        _check_question_ids(glossary, doc, errors)
        check_glossary(glossary, doc, concepts, errors)
    return concepts


def _check_question_ids(glossary: Glossary, doc: Document, errors: list[ContentError]) -> None:
    """Facts and contrasts name the questions they make: no two may name the same one."""
    seen: dict[str, FirstUse] = {}
    for index, concept in enumerate(glossary.concepts):
        for number, fact in enumerate(concept.facts):
            _check_unique_id(fact.id, doc, ("concepts", index, "facts", number, "id"), seen,
                             "question", errors)
    for index, contrast in enumerate(glossary.contrasts):
        _check_unique_id(contrast.id, doc, ("contrasts", index, "id"), seen, "question", errors)


FirstUse = tuple[Document, NodePath]  # where an id was first seen


def _check_unique_id(item_id: str, doc: Document, path: NodePath, seen: dict[str, FirstUse], what: str,
                     errors: list[ContentError]) -> None:
    """Report a second use of an id, saying where the first one is."""
    if item_id not in seen:
        seen[item_id] = (doc, path)
        return
    first_doc, first_path = seen[item_id]
    line, _ = first_doc.position(first_path)
    errors.append(doc.error(path, f"duplicate {what} id '{item_id}' (first at {first_doc.file}:{line})"))


def _check_concept_refs(ids: Iterable[str], concepts: Mapping[str, Concept], doc: Document, path: NodePath,
                        errors: list[ContentError]) -> None:
    for c, concept_id in enumerate(ids):
        if concept_id not in concepts:
            errors.append(doc.error((*path, "concepts", c),
                                    f"no glossary defines concept '{concept_id}'"))


def _check_banks(docs: list[Document], concepts: dict[str, Concept], errors: list[ContentError]) -> None:
    """Checks across questions and files; tolerant of nodes the schema already rejected."""
    seen_banks: dict[str, FirstUse] = {}
    for doc in docs:
        if isinstance(doc.data.get("id"), str):
            _check_unique_id(doc.data["id"], doc, ("id",), seen_banks, "bank", errors)
        seen_questions: dict[str, FirstUse] = {}
        for index, item in enumerate(doc.data["questions"]):
            if not isinstance(item, dict):
                continue
            if isinstance(item.get("id"), str):
                _check_unique_id(item["id"], doc, ("questions", index, "id"), seen_questions,
                                 "question", errors)
            refs = item.get("concepts")
            if isinstance(refs, list):
                refs = [r for r in refs if isinstance(r, str)]
                _check_concept_refs(refs, concepts, doc, ("questions", index), errors)
            check_explanation(doc, index, item, concepts, errors)
