"""An attempt's answers rows: their columns, the inserts that write them, and one answer recorded once.

The unique (attempt, question) constraint makes every write exactly once:
each insert is ``ON CONFLICT DO NOTHING``, so a repeat (a double submit, a
race, a retried batch) leaves the first answer standing. The statements are
built once per database and run with parameters on a connection: they run
on every answer, and building one takes longer than SQLite takes to run it.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any, TypedDict

from sqlalchemy import BindParameter, Executable, Insert, bindparam, select
from sqlalchemy.engine import Connection

from quiz.database import insert_for
from quiz.grading import Grade
from quiz.models import Answer, Attempt


class AnswerRow(TypedDict):
    """One answers row as the inserts take it."""

    attempt_id: int
    question_id: int
    response: dict[str, Any]  # {"value": what was answered}
    correct: bool
    score: float
    answered_at: datetime
    push_pending: bool  # the concept's flashcards come due when the learner's cards are next read


ANSWER_COLUMNS: tuple[str, ...] = tuple(AnswerRow.__annotations__)
_attempts, _answers = Attempt.__table__, Answer.__table__


def answer_row(attempt_id: int, question_id: int, response: object, marked: Grade, answered_at: datetime,
               *, has_cards: bool) -> AnswerRow:
    """The row of a graded response; ``has_cards``: the learner has flashcards (a visitor has none)."""
    return {"attempt_id": attempt_id, "question_id": question_id, "response": {"value": response},
            "correct": marked.correct, "score": marked.score, "answered_at": answered_at,
            "push_pending": not marked.correct and has_cards}


@cache
def answer_insert(dialect: str) -> Insert:
    """The plain insert of answers rows, skipped where the question has one: for one row or an executemany."""
    values: dict[str, BindParameter[Any]] = {name: bindparam(name) for name in ANSWER_COLUMNS}
    statement: Insert = (insert_for(dialect)(Answer).values(values)
                         .on_conflict_do_nothing(index_elements=["attempt_id", "question_id"]))
    return statement


@cache
def locking_answer_insert(dialect: str) -> Executable:
    """The insert of one answer that locks its attempt's row first and returns the new row's id.

    It selects from the attempt's row and locks it (PostgreSQL; SQLite's single
    writer needs no lock): two answers to one attempt take turns, so that the
    later one's finished stamp counts the earlier one. Under read committed,
    without it, the last two answers racing could each count only itself.
    """
    values = (select(*(bindparam(name, type_=_answers.c[name].type) for name in ANSWER_COLUMNS))
              .where(_attempts.c.id == bindparam("attempt_id")).with_for_update(key_share=True))
    statement: Executable = (insert_for(dialect)(_answers).from_select(ANSWER_COLUMNS, values)
                             .on_conflict_do_nothing(index_elements=["attempt_id", "question_id"])
                             .returning(_answers.c.id))
    return statement


def record_answer(connection: Connection, row: AnswerRow) -> int | None:
    """Record one answer in the connection's transaction: the new row's id, or None if one was there already.

    The attempt's row stays locked till the transaction ends (see
    ``locking_answer_insert``), so what the caller does next to the attempt
    (stamping it finished) sees every answer recorded before.
    """
    answer_id: int | None = connection.scalar(locking_answer_insert(connection.dialect.name), dict(row))
    return answer_id
