"""The question-type registry: every type has its macro file and a schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jinja2 import TemplateNotFound

from quiz.content import types as types_module
from quiz.content.schema import bank_schema, question_schema, schema_files
from quiz.content.types import QUESTION_TYPES, QuestionType

PROJECT = Path(__file__).resolve().parent.parent


MACROS = ("input", "feedback", "readonly")


def missing_templates(app) -> list[str]:
    """The registered types that have no macro file, or one without the macros their type needs."""
    missing = []
    for name, qtype in QUESTION_TYPES.items():
        try:
            module = app.jinja_env.get_template(f"questions/{name}.html").module
        except TemplateNotFound:
            missing.append(name)
            continue
        needed = (*MACROS, *(() if qtype.live_refusal else ("live_input",)),
                  *(() if qtype.card_label is None else ("card_ask", "card_back")))
        if not all(callable(getattr(module, macro, None)) for macro in needed):
            missing.append(name)
    return missing


class Essay(QuestionType):
    """A type with no template: the registry's checks must name it."""

    name, label = "essay", "Essay"

    def answer_text(self, question):
        return ""

    def grade(self, question, response):
        return True, 1.0, ()

    def parse_form(self, question, form):
        return ""


def test_every_type_has_its_macro_file(app):
    assert missing_templates(app) == []


def test_a_new_type_without_a_template_is_caught(app, monkeypatch):
    """The check above iterates the registry, so a type added to it is checked too."""
    monkeypatch.setitem(types_module.QUESTION_TYPES, "essay", Essay())
    assert missing_templates(app) == ["essay"]


def test_no_template_is_left_without_a_type():
    folder = PROJECT / "templates" / "questions"
    assert {path.stem for path in folder.glob("*.html")} == set(QUESTION_TYPES)


@pytest.mark.parametrize("name", list(QUESTION_TYPES))
def test_every_type_has_a_schema(name):
    qtype = QUESTION_TYPES[name]
    schema = question_schema(name)
    assert set(qtype.required) <= set(schema["required"])
    for key, rule in qtype.fields.items():
        assert schema["properties"][key] == rule
    items = bank_schema()["properties"]["questions"]["items"]
    assert name in items["properties"]["type"]["enum"]
    branches = [b for b in items["allOf"] if b["if"]["properties"]["type"]["const"] == name]
    assert len(branches) == 1
    assert sorted(branches[0]["then"]["required"]) == sorted(qtype.required)


@pytest.mark.parametrize("name", list(QUESTION_TYPES))
def test_other_types_keys_are_refused_by_each_type(name):
    own = set(QUESTION_TYPES[name].fields)
    refused = {key for key, rule in question_schema(name)["properties"].items() if rule is False}
    others = {key for t in QUESTION_TYPES.values() for key in t.fields} - own
    assert refused == others


def test_committed_editor_schemas_match_the_registry():
    for name, text in schema_files().items():
        committed = (PROJECT / "content" / "schema" / name).read_text(encoding="utf-8")
        assert json.loads(committed) == json.loads(text), name
