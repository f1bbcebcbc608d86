"""JSON Schemas of the two content files, built from the type registry.

The same dicts drive the validator and are written to ``content/schema/`` for
editors (``quiz content generate`` keeps those files in step).
"""

from __future__ import annotations

import json
from typing import Any

from quiz.content.types import QUESTION_TYPES, TEXT, type_specific_keys

# Draft 7: what editors (yaml-language-server) and both validators support best.
SCHEMA_DIALECT = "http://json-schema.org/draft-07/schema#"
SLUG = {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": 80}
SLUG_LIST = {"type": "array", "items": SLUG, "uniqueItems": True}
TEXT_LIST = {"type": "array", "items": TEXT}


_COMMON = {
    "id": {**SLUG, "description": "Unique in the bank; never reused for another question."},
    "prompt": {**TEXT, "description": "The question; cloze blanks as {{answer|alternative}}."},
    "explanation": {**TEXT, "description": "Shown after answering; every bank we write has one."},
    "concepts": {**SLUG_LIST, "minItems": 1, "description": "Glossary ids this tests."},
    "tags": {**SLUG_LIST, "description": "Free labels for selecting questions."},
    "difficulty": {"enum": [1, 2, 3], "description": "1 easy .. 3 hard."},
}


def _common() -> dict[str, Any]:
    """The keys every question has; the type's enum read from the registry as it is now."""
    common = dict(_COMMON)
    rest = {key: common.pop(key) for key in list(common) if key != "id"}
    return {**common, "type": {"enum": list(QUESTION_TYPES), "description": "The question type."}, **rest}


# No explanation is required: questions imported from other tools often have none.
_REQUIRED = ["id", "type", "prompt", "concepts"]


def _type_rules(type_name: str) -> tuple[dict[str, Any], list[str]]:
    """The properties and required keys one type adds; other types' keys are refused."""
    qtype = QUESTION_TYPES[type_name]
    properties: dict[str, Any] = {key: False for key in type_specific_keys() if key not in qtype.fields}
    properties.update(qtype.fields)
    return properties, list(qtype.required)


def question_schema(type_name: str) -> dict[str, Any]:
    """The whole schema of one question of a known type (what the validator checks)."""
    properties, required = _type_rules(type_name)
    return {
        "$schema": SCHEMA_DIALECT,
        "type": "object",
        "properties": {**_common(), **properties},
        "required": _REQUIRED + required,
        "additionalProperties": False,
    }


def _question_schema() -> dict[str, Any]:
    """One schema for every type, as editors want it: each type's rules under if/then."""
    properties = _common()
    for key in type_specific_keys():
        properties[key] = {"description": f"Used by: {_users_of(key)}."}
    per_type = []
    for name in QUESTION_TYPES:
        then_properties, required = _type_rules(name)
        per_type.append(
            {
                "if": {"properties": {"type": {"const": name}}, "required": ["type"]},
                "then": {"properties": then_properties, "required": required},
            }
        )
    return {
        "type": "object",
        "properties": properties,
        "required": _REQUIRED,
        "additionalProperties": False,
        "allOf": per_type,
    }


def _users_of(key: str) -> str:
    return ", ".join(name for name, qtype in QUESTION_TYPES.items() if key in qtype.fields)


def bank_schema(*, questions: bool = True) -> dict[str, Any]:
    """The JSON Schema of ``content/banks/<id>.yaml`` (without ``questions``, the
    items of its question list are left unchecked, for checking one at a time)."""
    items = _question_schema() if questions else {}
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": "bank.schema.json",
        "title": "Question bank",
        "type": "object",
        "properties": {
            "id": {**SLUG, "description": "Unique across content/; the file is <id>.yaml."},
            "title": TEXT,
            "questions": {"type": "array", "items": items, "minItems": 1},
        },
        "required": ["id", "title", "questions"],
        "additionalProperties": False,
    }


def glossary_schema() -> dict[str, Any]:
    """The JSON Schema of ``content/definitions/<id>.yaml``."""
    quote = {**TEXT, "description": "Verbatim from the source (whitespace aside)."}
    fact = {
        "type": "object",
        "properties": {
            "id": {**SLUG, "description": "The id of the true/false question it makes."},
            "fact": {**TEXT, "description": "An atomic statement the source makes."},
            "quote": {**quote, "description": "The passage that says it, verbatim; it holds "
                                               "every key term of the fact."},
        },
        "required": ["id", "fact", "quote"],
        "additionalProperties": False,
    }
    concept = {
        "type": "object",
        "properties": {
            "id": {**SLUG, "description": "Unique across content/."},
            "term": TEXT,
            "aliases": {**TEXT_LIST, "uniqueItems": True},
            "definition": TEXT,
            "quote": quote,
            "section": {"type": "string", "minLength": 1, "maxLength": 20},
            "facts": {"type": "array", "items": fact, "minItems": 1},
            "related": {**SLUG_LIST, "description": "Confusable concepts: the distractors."},
        },
        "required": ["id", "term", "definition", "quote", "section", "facts"],
        "additionalProperties": False,
    }
    sequence = {
        "type": "object",
        "properties": {
            "id": SLUG,
            "prompt": TEXT,
            "items": {**TEXT_LIST, "minItems": 3, "uniqueItems": True},
            "concepts": {**SLUG_LIST, "minItems": 1},
            "quote": {**quote, "description": "Verbatim from the source: where it states the order."},
        },
        "required": ["id", "prompt", "items", "concepts", "quote"],
        "additionalProperties": False,
    }
    contrast = {
        "type": "object",
        "description": "A point the source sets two concepts apart on: the only source of "
                       "generated false statements.",
        "properties": {
            "id": {**SLUG, "description": "The id of the false statement it makes."},
            "fact": {**TEXT, "description": "True of true_of; it starts with that concept's "
                                            "term, or 'In <term>,'."},
            "true_of": SLUG,
            "quote": {**quote, "description": "The passage that says the fact of true_of."},
            "false_of": SLUG,
            "against": {**quote, "description": "The passage that says otherwise of false_of."},
        },
        "required": ["id", "fact", "true_of", "quote", "false_of", "against"],
        "additionalProperties": False,
    }
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": "glossary.schema.json",
        "title": "Glossary of one source chapter",
        "type": "object",
        "properties": {
            "id": SLUG,
            "title": TEXT,
            "source": {**TEXT, "description": "The citation of the source chapter."},
            "source_file": {"type": "string", "minLength": 1, "maxLength": 200,
                            "description": "The chapter's text, relative to the content folder."},
            "concepts": {"type": "array", "items": concept, "minItems": 1},
            "sequences": {
                "type": "array",
                "items": sequence,
                "description": "Orders the source states, for ordering questions.",
            },
            "contrasts": {"type": "array", "items": contrast},
        },
        "required": ["id", "title", "source", "source_file", "concepts"],
        "additionalProperties": False,
    }


SCHEMAS = {"bank.schema.json": bank_schema, "glossary.schema.json": glossary_schema}


def schema_files() -> dict[str, str]:
    """The editor schema files, by file name, as their committed text."""
    return {name: json.dumps(build(), indent=2) + "\n" for name, build in SCHEMAS.items()}
