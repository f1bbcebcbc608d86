"""Read-only questions about the synced banks, each one documented query."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from quiz.models import Bank, Concept, Question, QuestionConcept


@dataclass(frozen=True)
class BankSummary:
    """A bank as the home page lists it."""

    id: str
    title: str
    generated: bool
    questions: int
    per_concept: list[tuple[Concept, int]]


def bank_summaries(session: Session) -> list[BankSummary]:
    """Every live bank with its count of live questions, in total and per concept.

    One grouped query counts (bank, concept) pairs over live questions.
    """
    banks = session.scalars(select(Bank).where(Bank.retired.is_(False)).order_by(Bank.id)).all()
    concepts = {c.id: c for c in session.scalars(select(Concept).order_by(Concept.position))}
    live = Question.retired.is_(False)
    totals = dict(session.execute(
        select(Question.bank_id, func.count()).where(live).group_by(Question.bank_id)).all())
    pairs = session.execute(
        select(Question.bank_id, QuestionConcept.concept_id, func.count())
        .join(QuestionConcept, QuestionConcept.question_id == Question.id)
        .where(live)
        .group_by(Question.bank_id, QuestionConcept.concept_id)
    ).all()
    per_bank: dict[str, dict[str, int]] = {}
    for bank_id, concept_id, count in pairs:
        per_bank.setdefault(bank_id, {})[concept_id] = count
    return [
        BankSummary(
            id=bank.id,
            title=bank.title,
            generated=bank.generated,
            questions=totals.get(bank.id, 0),
            per_concept=[(concepts[c], n) for c, n in sorted(
                per_bank.get(bank.id, {}).items(), key=lambda item: concepts[item[0]].position)],
        )
        for bank in banks
    ]


def live_bank(session: Session, bank_id: str) -> Bank | None:
    """A bank that is not retired, or None."""
    bank = session.get(Bank, bank_id)
    return bank if bank is not None and not bank.retired else None


def live_questions(session: Session, bank_id: str) -> list[Question]:
    """A bank's questions that are not retired, in file order, with their concepts."""
    return list(session.scalars(
        select(Question)
        .where(Question.bank_id == bank_id, Question.retired.is_(False))
        .options(selectinload(Question.concepts))
        .order_by(Question.position)
    ))
