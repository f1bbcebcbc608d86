"""Load validated content into the database: add, update in place, retire; never delete.

A sync is planned before it writes. It reads what the database holds and
works out every change in Python while holding no lock; only then does it
open one write transaction (on SQLite ``BEGIN IMMEDIATE``, which takes the
write lock at once) and make the changes in bulk statements, a few thousand
rows each. So other writers wait only for those statements, and readers see
the old content until the one commit shows all of the new.

Nothing else writes these tables, and syncs take turns (``quiz.catalog.content_lock``),
so what was read still holds when the writes run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Executable, Row, bindparam, insert, select, text, true, update
from sqlalchemy.orm import Session

from quiz.catalog.signals import sync_planned
from quiz.content.model import Content
from quiz.database import BulkWrite, reserve_ids
from quiz.models import Bank, Card, Concept, Question, QuestionConcept
from quiz.questions import card_types

Progress = Callable[[int], None]
CHUNK = 2000  # rows per executemany, so that progress moves during the writes
TICK = 250  # questions planned between two reports of progress

_BANKS, _CONCEPTS = Bank.__table__, Concept.__table__
_QUESTIONS, _LINKS = Question.__table__, QuestionConcept.__table__


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


@dataclass
class _Plan:
    """Every statement a sync runs, with its rows, worked out before the write transaction opens."""

    session: Session
    steps: list[tuple[BulkWrite, bool]] = field(default_factory=list)  # and whether its rows are questions

    def add(self, statement: Executable, rows: list[dict], *, counted: bool = False) -> None:
        """Run ``statement`` for each of ``rows``; ``counted``: the rows are questions, for progress."""
        if rows:
            self.steps.append((BulkWrite.of(self.session, statement, rows), counted))


@dataclass
class _CardQuestion:
    """What the deck needs of a question to make its card (see ``quiz.catalog.signals``)."""

    id: int
    type: str
    data: dict


@dataclass(frozen=True)
class _CardConcept:
    """What the deck needs of a concept to make its two cards."""

    id: str
    term: str
    definition: str
    data: dict


def question_count(content: Content) -> int:
    """How many questions a sync of ``content`` goes through: the length of its progress."""
    return sum(len(bank.questions) for bank in content.banks)


def sync_content(session: Session, content: Content, progress: Progress | None = None, *,
                 now: datetime) -> SyncReport:
    """Make the database match ``content``: read and plan, then one short write transaction, committed.

    Call it with no work of the caller's pending on the session: it commits.
    On an error the write transaction is rolled back and the database keeps what it had.
    ``progress(n)`` hears of every ``n`` questions planned and written (twice the count in all);
    ``now`` is the time the banks are marked synced at.
    """
    tick = progress or (lambda _n: None)
    report = SyncReport()
    plan = _plan(session, content, report, tick, now)
    session.commit()  # ends the reading; the writes start on a fresh transaction
    try:
        if session.get_bind().dialect.name == "sqlite":
            session.execute(text("BEGIN IMMEDIATE"))
        for write, counted in plan.steps:
            write.run(session, CHUNK, tick if counted else None)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    expire_content(session)
    tick(question_count(content) - sum(len(write.rows) for write, counted in plan.steps if counted))
    return report


def expire_content(session: Session) -> None:
    """Make the session's content objects read their rows again: bulk statements leave them stale."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Bank | Concept | Question | Card):
            session.expire(obj)


def _by(table, key: str):
    """An UPDATE of ``table``'s row whose id is the parameter ``key``."""
    return update(table).where(table.c.id == bindparam(key))


def _plan(session: Session, content: Content, report: SyncReport, tick: Progress, now: datetime) -> _Plan:
    plan = _Plan(session)
    _plan_concepts(session, content, plan)
    known_banks = {row.id: row for row in session.execute(select(_BANKS))}
    current: dict[str, dict[str, Row[*tuple[Any, ...]]]] = {}
    for row in session.execute(select(_QUESTIONS.c.id, _QUESTIONS.c.bank_id, _QUESTIONS.c.key,
                                      _QUESTIONS.c.data, _QUESTIONS.c.position, _QUESTIONS.c.retired)):
        current.setdefault(row.bank_id, {})[row.key] = row
    new_banks, changed_banks = [], []
    new, changed, retired, relinked, links = [], [], [], [], []
    cards: dict[str, list[_CardQuestion]] = {}
    pending: list[tuple[dict, list[dict], _CardQuestion | None]] = []  # new rows awaiting their id
    carded = card_types()
    for bank in content.banks:
        values = {"title": bank.title, "generated": bank.generated, "retired": False, "synced_at": now}
        if known_banks.pop(bank.id, None) is None:
            new_banks.append({"id": bank.id, **values})
        else:
            changed_banks.append({"bank_id": bank.id, **values})
        existing = current.pop(bank.id, {})
        bank_cards = cards.setdefault(bank.id, [])
        for position, question in enumerate(bank.questions):
            if position % TICK == TICK - 1:
                tick(TICK)
            data = question.to_dict()
            values = {"type": question.type, "prompt": question.prompt, "data": data,
                      "difficulty": question.difficulty, "position": position, "retired": False,
                      "updated_at": now}
            stored = existing.pop(question.id, None)
            card = _CardQuestion(stored.id if stored else 0, question.type, data) \
                if question.type in carded else None
            if card is not None:
                bank_cards.append(card)
            if stored is None:
                pending.append(({"bank_id": bank.id, "key": question.id, **values},
                                [{"concept_id": c} for c in question.concepts], card))
                report.added += 1
            elif stored.data == data and not stored.retired and stored.position == position:
                report.unchanged += 1
            else:
                changed.append({"question_id": stored.id, **values})
                relinked.append({"question_id": stored.id})
                links += [{"question_id": stored.id, "concept_id": c} for c in question.concepts]
                report.updated += 1
        retired += [{"question_id": row.id} for row in existing.values() if not row.retired]
        report.banks.append(bank.id)
        tick(len(bank.questions) % TICK)  # the rest, after the last full TICK
    for bank_id, row in known_banks.items():  # banks whose file is gone: retire them with their questions
        if not row.retired:
            changed_banks.append({"bank_id": bank_id, "title": row.title, "generated": row.generated,
                                  "retired": True, "synced_at": row.synced_at})
        retired += [{"question_id": q.id} for q in current.pop(bank_id, {}).values() if not q.retired]
    report.retired = len(retired)
    ids = reserve_ids(session, _QUESTIONS, len(pending))
    for question_id, (values_of, concept_links, card) in zip(ids, pending, strict=True):
        new.append({"id": question_id, **values_of})
        links += [{"question_id": question_id, **link} for link in concept_links]
        if card is not None:
            card.id = question_id
    plan.add(insert(_BANKS), new_banks)
    plan.add(_by(_BANKS, "bank_id"), changed_banks)
    plan.add(insert(_QUESTIONS), new, counted=True)
    plan.add(_by(_QUESTIONS, "question_id"), changed, counted=True)
    plan.add(_by(_QUESTIONS, "question_id").values(retired=true()), retired)
    plan.add(_LINKS.delete().where(_LINKS.c.question_id == bindparam("question_id")), relinked)
    plan.add(insert(_LINKS), links)
    _tell_planned(session, content, cards, plan)
    return plan


def _plan_concepts(session: Session, content: Content, plan: _Plan) -> None:
    known = {row.id: row for row in session.execute(select(_CONCEPTS))}
    new, changed = [], []
    position = 0
    for glossary in content.glossaries:
        for concept in glossary.concepts:
            values = {"glossary_id": glossary.id, "term": concept.term, "definition": concept.definition,
                      "quote": concept.quote, "section": concept.section, "position": position,
                      "retired": False, "data": {"aliases": list(concept.aliases),
                                                 "facts": [fact.text for fact in concept.facts],
                                                 "related": list(concept.related)}}
            row = known.pop(concept.id, None)
            if row is None:
                new.append({"id": concept.id, **values})
            elif any(getattr(row, name) != value for name, value in values.items()):
                changed.append({"concept_id": concept.id, **values})
            position += 1
    plan.add(insert(_CONCEPTS), new)
    plan.add(_by(_CONCEPTS, "concept_id"), changed)
    plan.add(_by(_CONCEPTS, "concept_id").values(retired=true()),
             [{"concept_id": row.id} for row in known.values() if not row.retired])


def _tell_planned(session: Session, content: Content, cards: dict[str, list[_CardQuestion]],
                  plan: _Plan) -> None:
    """Let the features whose rows follow the content (the deck) add their writes to the plan."""
    concepts = [_CardConcept(c.id, c.term, c.definition, {"aliases": list(c.aliases)})
                for glossary in content.glossaries for c in glossary.concepts]
    questions = [card for bank_id in sorted(cards) for card in cards[bank_id]]
    sync_planned.send(content, session=session, concepts=concepts, questions=questions, add=plan.add)
