"""Self-study attempts through the service, on a database session: users, questions, answering slots."""

from __future__ import annotations

import random

from quiz.attempts.selection import Selection
from quiz.content.types import cloze_blanks
from quiz.extensions import db
from quiz.models import Attempt, Question, User
from quiz.study import service
from tests.helpers.sessions import login_key


def make_user(session, name: str) -> int:
    """A user row (no password check needed here); its id."""
    user = User(name=name, password_hash="unused")
    session.add(user)
    session.flush()
    return user.id


def ids_of(session, qtype: str | None = None, bank: str | None = None) -> list[int]:
    """Ids of live questions, in bank and file order, optionally of one type or bank."""
    query = db.select(Question.id).where(Question.retired.is_(False))
    if qtype:
        query = query.where(Question.type == qtype)
    if bank:
        query = query.where(Question.bank_id == bank)
    return list(session.scalars(query.order_by(Question.bank_id, Question.position)))


def question(session, key: str) -> Question:
    """The question with this key in the ch01-concepts bank."""
    return session.scalars(db.select(Question).where(
        Question.bank_id == "ch01-concepts", Question.key == key)).one()


def right_answer(data: dict) -> object:
    """The fully right response to a question, in the grading module's shape."""
    qtype = data["type"]
    if qtype == "short":
        return data["answer"][0]
    if qtype == "cloze":
        return [alternatives[0] for alternatives in cloze_blanks(data["prompt"])]
    if qtype == "matching":
        return dict(data["pairs"])
    if qtype == "ordering":
        return list(data["items"])
    return data["answer"]


def start(session, ids: list[int], user_id: int | None = None, seed: int = 7) -> Attempt:
    """An attempt on exactly these questions, kept in bank and file order."""
    selection = Selection(question_ids=tuple(ids), count=len(ids), shuffle=False)
    return service.start_attempt(session, user_id, selection, random.Random(seed))


def slot_at(session, attempt: Attempt, position: int) -> service.Slot:
    """The question at a position of an attempt, as an answer to it is recorded (by its owner)."""
    key = login_key(session, attempt.user_id) if attempt.user_id else None
    return service.answer_slot(session, attempt.id, position, key, [attempt.id])


def slot_of(session, attempt: Attempt, question_id: int) -> service.Slot:
    """The slot of an attempt that holds this question."""
    return slot_at(session, attempt, attempt.question_ids.index(question_id) + 1)

