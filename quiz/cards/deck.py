"""The deck: which flashcards the synced content makes, kept in step by ``quiz content sync``.

Every live glossary concept gives a term-to-definition card and its reverse;
every live question of a type that makes cards (cloze and short answer) gives one. A card whose source
is gone is retired, never deleted, so nobody's reviews of it are lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Executable, bindparam, insert, select, true, update
from sqlalchemy.orm import Session

from quiz.models import Bank, Card, Concept, Question
from quiz.questions import QUESTION_TYPES, card_types
from quiz.questions.cloze import BLANK


@dataclass(frozen=True)
class CardSource:
    """What one card should say, computed from the content."""

    key: str
    kind: str
    front: str
    back: str
    concept_id: str | None = None
    question_id: int | None = None


def concept_cards(concept: Concept) -> list[CardSource]:
    """The two cards of a concept: term to definition, and definition to term."""
    names = [concept.term, *concept.data.get("aliases", [])]
    return [
        CardSource(f"concept:{concept.id}:forward", "forward", concept.term, concept.definition,
                   concept_id=concept.id),
        CardSource(f"concept:{concept.id}:reverse", "reverse", _mask(concept.definition, names),
                   concept.term, concept_id=concept.id),
    ]


def _mask(text: str, names: list[str]) -> str:
    """The text with the term and its aliases blanked out, so the front does not give it away."""
    for name in sorted(names, key=len, reverse=True):
        text = re.sub(rf"\b{re.escape(name)}\b", BLANK, text, flags=re.IGNORECASE)
    return text


def question_card(question: Question) -> CardSource:
    """The card of a question whose type makes one: as its type words the front and the back."""
    card = QUESTION_TYPES[question.type].card(question.data)
    assert card is not None, f"a {question.type} question makes no card"  # callers pass card types only
    front, back = card
    return CardSource(f"question:{question.id}", question.type, front, back,
                      question_id=question.id)


def sources(session: Session) -> list[CardSource]:
    """Every card the live content in the database makes, in the order new cards are introduced."""
    concepts = session.scalars(
        select(Concept).where(Concept.retired.is_(False)).order_by(Concept.position)).all()
    questions = session.scalars(
        select(Question).join(Bank, Bank.id == Question.bank_id)
        .where(Question.retired.is_(False), Bank.retired.is_(False),
               Question.type.in_(card_types()))
        .order_by(Question.bank_id, Question.position)).all()
    return card_sources(concepts, questions)


def plan_deck(_content, *, session: Session, concepts, questions, add) -> None:
    """Plan the deck a content sync makes, in its transaction (the receiver of ``sync_planned``)."""
    writes = plan_cards(session.execute(select(Card.__table__)), card_sources(concepts, questions))
    for statement, rows in card_statements(writes):
        add(statement, rows)


def card_sources(concepts, questions) -> list[CardSource]:
    """The cards of these concepts and card-type questions, in the order new cards are introduced.

    All the forward cards first, in the order given, then all the reverses, so a
    card and its reverse are not met in a row; then the questions, as given.
    Rows or any objects with the same attributes will do (the sync passes plain values).
    """
    pairs = [concept_cards(c) for c in concepts]
    return ([forward for forward, _ in pairs] + [reverse for _, reverse in pairs]
            + [question_card(q) for q in questions])


_CARD_FIELDS = ("kind", "front", "back", "concept_id", "question_id", "position", "retired")


@dataclass
class CardWrites:
    """The rows that make the cards table hold a wanted deck: new cards, changed ones, ones to retire."""

    inserts: list[dict]
    updates: list[dict]
    retire: list[dict]


def sync_cards(session: Session) -> int:
    """Make the cards table match the synced content; returns how many cards are live."""
    session.flush()
    wanted = sources(session)
    apply_cards(session, plan_cards(session.execute(select(Card.__table__)), wanted))
    return len(wanted)


def plan_cards(known_rows, wanted: list[CardSource]) -> CardWrites:
    """What to write so that the cards, given as rows, become ``wanted`` in that order; the rest retire."""
    known = {row.key: row for row in known_rows}
    writes = CardWrites([], [], [])
    for position, source in enumerate(wanted):
        values = {"kind": source.kind, "front": source.front, "back": source.back,
                  "concept_id": source.concept_id, "question_id": source.question_id,
                  "position": position, "retired": False}
        row = known.pop(source.key, None)
        if row is None:
            writes.inserts.append({"key": source.key, **values})
        elif any(getattr(row, name) != values[name] for name in _CARD_FIELDS):
            writes.updates.append({"card_id": row.id, **values})
    writes.retire = [{"card_id": row.id} for row in known.values() if not row.retired]
    return writes


def card_statements(writes: CardWrites) -> list[tuple[Executable, list[dict]]]:
    """The planned card writes as bulk statements, each with its rows."""
    table = Card.__table__
    by_id = update(table).where(table.c.id == bindparam("card_id"))
    return [(insert(table), writes.inserts), (by_id, writes.updates),
            (by_id.values(retired=true()), writes.retire)]


def apply_cards(session: Session, writes: CardWrites, chunk: int = 2000) -> None:
    """Run the planned card writes; the session's Card objects then read their rows anew."""
    for statement, rows in card_statements(writes):
        for start in range(0, len(rows), chunk):
            session.execute(statement, rows[start:start + chunk])
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Card):
            session.expire(obj)
