"""The columns the sync fills are as long as the validator lets content be, so a valid bank always syncs.

A bank title of 1,500 characters is valid content; with a 200-character column
PostgreSQL refused it, and every later sync failed on that file.
"""

from __future__ import annotations

import pytest
from sqlalchemy import String, Text

from quiz.cards.deck import concept_cards
from quiz.content.schema import bank_schema, glossary_schema, question_schema
from quiz.content.types import QUESTION_TYPES
from quiz.models import Bank, Card, Concept, Question

GLOSSARY = glossary_schema()["properties"]
CONCEPT = GLOSSARY["concepts"]["items"]["properties"]
BANK = bank_schema(questions=False)["properties"]

# Each column the sync writes from content, and the validator's longest value for it.
LIMITS = [
    (Bank.id, BANK["id"]["maxLength"]),
    (Bank.title, BANK["title"]["maxLength"]),
    (Concept.id, CONCEPT["id"]["maxLength"]),
    (Concept.glossary_id, GLOSSARY["id"]["maxLength"]),
    (Concept.term, CONCEPT["term"]["maxLength"]),
    (Concept.section, CONCEPT["section"]["maxLength"]),
    *((Question.key, question_schema(name)["properties"]["id"]["maxLength"]) for name in QUESTION_TYPES),
    (Question.type, max(len(name) for name in QUESTION_TYPES)),
]
UNBOUNDED = [Concept.definition, Concept.quote, Question.prompt, Card.front, Card.back]


@pytest.mark.parametrize(("column", "limit"), LIMITS, ids=lambda v: getattr(v, "key", str(v)))
def test_each_column_holds_the_longest_value_the_validator_allows(column, limit):
    kind = column.property.columns[0].type
    assert isinstance(kind, String) and not isinstance(kind, Text)
    if column is Question.type:
        assert kind.length >= limit  # an enum of names: room to spare is fine
    else:
        assert kind.length == limit, f"{column}: column {kind.length}, validator {limit}"


@pytest.mark.parametrize("column", UNBOUNDED, ids=lambda c: c.key)
def test_long_texts_have_no_length_limit(column):
    kind = column.property.columns[0].type
    assert isinstance(kind, Text) or kind.length is None


def test_a_card_key_fits_the_longest_concept_id():
    longest = "a" * CONCEPT["id"]["maxLength"]
    stand_in = type("C", (), {"id": longest, "term": "t", "definition": "d", "data": {}})()
    keys = [card.key for card in concept_cards(stand_in)]
    assert max(len(key) for key in keys) <= Card.key.property.columns[0].type.length


def test_the_migrations_give_postgresql_the_same_columns(postgres_url, tmp_path):
    """On PostgreSQL the migration alters the columns in place: `db check` finds nothing to change."""
    from sqlalchemy import text as sql

    from quiz import create_app
    from quiz.extensions import db

    app = create_app({"SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": postgres_url},
                     instance_path=tmp_path / "i")
    runner = app.test_cli_runner()
    with app.app_context():
        db.drop_all()
        db.session.execute(sql("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
    try:
        upgrade = runner.invoke(args=["db", "upgrade"])
        assert upgrade.exit_code == 0, upgrade.output
        check = runner.invoke(args=["db", "check"])
        assert check.exit_code == 0, check.output
        with app.app_context():
            length = db.session.execute(sql(
                "SELECT character_maximum_length FROM information_schema.columns "
                "WHERE table_name = 'banks' AND column_name = 'title'")).scalar()
        assert length == BANK["title"]["maxLength"]
    finally:
        with app.app_context():
            db.drop_all()
            db.session.execute(sql("DROP TABLE IF EXISTS alembic_version"))
            db.session.commit()
            db.engine.dispose()
