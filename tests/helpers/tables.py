"""Every row of the catalog's and learners' tables, to compare a database before and after."""

from __future__ import annotations

from quiz.extensions import db
from quiz.models import Answer, Attempt, Bank, Card, Concept, Question, QuestionConcept, User

TABLES = (User, Concept, Bank, Question, QuestionConcept, Card, Attempt, Answer)


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    result = {}
    for model in TABLES:
        table = model.__table__
        rows = db.session.execute(db.select(table).order_by(*table.primary_key.columns)).all()
        result[table.name] = [tuple(row) for row in rows]
    return result

