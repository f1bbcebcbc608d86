"""Load validated content into the database: add, update in place, retire; never delete."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from quiz.cards.deck import sync_cards
from quiz.content.model import Content
from quiz.models import Bank, Concept, Question, QuestionConcept, utcnow


@dataclass
class SyncReport:
    """What a sync changed, counted by kind of change."""

    added: int = 0
    updated: int = 0
    retired: int = 0
    unchanged: int = 0
    banks: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (f"synced {len(self.banks)} bank(s): {self.added} added, {self.updated} updated, "
                f"{self.retired} retired, {self.unchanged} unchanged")


def sync_content(session: Session, content: Content) -> SyncReport:
    """Make the database match ``content``; flushes, the caller commits (or rolls back)."""
    _sync_concepts(session, content)
    report = SyncReport()
    known = {bank.id: bank for bank in session.scalars(select(Bank))}
    for bank in content.banks:
        row = known.pop(bank.id, None)
        if row is None:
            row = Bank(id=bank.id, title=bank.title)
            session.add(row)
        row.title, row.generated, row.retired, row.synced_at = (
            bank.title, bank.generated, False, utcnow())
        _sync_questions(session, row, bank, report)
        report.banks.append(bank.id)
    for row in known.values():  # banks whose file is gone: retire them with their questions
        row.retired = True
        for question in row.questions:
            if not question.retired:
                question.retired = True
                report.retired += 1
    session.flush()
    sync_cards(session)
    return report


def _sync_concepts(session: Session, content: Content) -> None:
    known = {c.id: c for c in session.scalars(select(Concept))}
    position = 0
    for glossary in content.glossaries:
        for concept in glossary.concepts:
            row = known.pop(concept.id, None) or Concept(id=concept.id)
            session.add(row)
            row.glossary_id, row.term, row.definition = glossary.id, concept.term, concept.definition
            row.quote, row.section, row.position, row.retired = (
                concept.quote, concept.section, position, False)
            row.data = {"aliases": list(concept.aliases), "facts": [fact.text for fact in concept.facts],
                        "related": list(concept.related)}
            position += 1
    for row in known.values():
        row.retired = True
    session.flush()


def _sync_questions(session: Session, row: Bank, bank, report: SyncReport) -> None:
    existing = {q.key: q for q in row.questions}
    for position, question in enumerate(bank.questions):
        data = question.to_dict()
        current = existing.pop(question.id, None)
        if current is None:
            current = Question(bank=row, key=question.id)
            session.add(current)
            report.added += 1
        elif current.data == data and not current.retired and current.position == position:
            report.unchanged += 1
            continue
        else:
            report.updated += 1
        current.type, current.prompt, current.data = question.type, question.prompt, data
        current.difficulty, current.position, current.retired = (
            question.difficulty, position, False)
        current.updated_at = utcnow()
        session.flush()
        _link_concepts(session, current, question.concepts)
    for current in existing.values():
        if not current.retired:
            current.retired = True
            report.retired += 1


def _link_concepts(session: Session, question: Question, concept_ids) -> None:
    session.execute(delete(QuestionConcept).where(QuestionConcept.question_id == question.id))
    session.add_all(QuestionConcept(question_id=question.id, concept_id=c) for c in concept_ids)
