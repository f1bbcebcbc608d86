"""What an attempt asks: the questions a selection draws, and the order each one's parts are shown in.

Every function takes plain values and a database session and only reads.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from quiz.models import Question, QuestionConcept
from quiz.questions import QUESTION_TYPES


@dataclass(frozen=True)
class Selection:
    """Which questions a quiz draws from: empty filters mean "any"."""

    banks: tuple[str, ...] = ()
    concepts: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    question_ids: tuple[int, ...] = ()
    count: int = 10
    shuffle: bool = True


def matching_questions(session: Session, selection: Selection) -> list[Question]:
    """Live questions that pass every filter of the selection, in bank and file order."""
    query = select(Question).where(Question.retired.is_(False))
    if selection.banks:
        query = query.where(Question.bank_id.in_(selection.banks))
    if selection.types:
        query = query.where(Question.type.in_(selection.types))
    if selection.question_ids:
        query = query.where(Question.id.in_(selection.question_ids))
    if selection.concepts:
        tested = select(QuestionConcept.question_id).where(
            QuestionConcept.concept_id.in_(selection.concepts))
        query = query.where(Question.id.in_(tested))
    return list(session.scalars(query.order_by(Question.bank_id, Question.position)))


def draw_questions(session: Session, selection: Selection, rng: random.Random) -> list[Question]:
    """Up to ``selection.count`` matching questions, shuffled unless the selection keeps order."""
    pool = matching_questions(session, selection)
    if selection.shuffle:
        rng.shuffle(pool)
    return pool[: selection.count]


def layouts(questions: Iterable[Question], rng: random.Random,
            shuffle: bool = True) -> dict[str, dict[str, Any]]:
    """Each question's parts in the order they are shown, keyed by its id as text (a JSON object's keys).

    Fixed when an attempt or session opens, so that a page drawn again shows
    the same order. ``shuffle`` False keeps choices in file order; an order
    to be found is shuffled whatever it says (the type decides).
    """
    return {str(q.id): QUESTION_TYPES[q.type].layout(q.data, rng, shuffle) for q in questions}
