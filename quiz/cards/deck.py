"""The deck: which flashcards the synced content makes, kept in step by ``quiz content sync``.

Every live glossary concept gives a term-to-definition card and its reverse;
every live cloze and short-answer question gives one card. A card whose source
is gone is retired, never deleted, so nobody's reviews of it are lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from quiz.content.types import cloze_blanks, cloze_segments
from quiz.models import Bank, Card, Concept, Question

CARD_QUESTION_TYPES = ("cloze", "short")
BLANK = "[…]"


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
    """The card of a cloze or short-answer question: the prompt, then the answer."""
    data = question.data
    if question.type == "cloze":
        blanks = cloze_blanks(data["prompt"])
        segments = cloze_segments(data["prompt"])
        front = BLANK.join(segments)
        back = "".join(segment + (blanks[i][0] if i < len(blanks) else "")
                       for i, segment in enumerate(segments))
    else:
        front, back = data["prompt"], data["answer"][0]
    return CardSource(f"question:{question.id}", question.type, front, back,
                      question_id=question.id)


def sources(session: Session) -> list[CardSource]:
    """Every card the live content makes, in the order new cards are introduced.

    All the forward cards first, in glossary order, then all the reverses, so a
    card and its reverse are not met in a row; then the questions, bank by bank.
    """
    concepts = session.scalars(
        select(Concept).where(Concept.retired.is_(False)).order_by(Concept.position)).all()
    pairs = [concept_cards(c) for c in concepts]
    questions = session.scalars(
        select(Question).join(Bank, Bank.id == Question.bank_id)
        .where(Question.retired.is_(False), Bank.retired.is_(False),
               Question.type.in_(CARD_QUESTION_TYPES))
        .order_by(Question.bank_id, Question.position)).all()
    return ([forward for forward, _ in pairs] + [reverse for _, reverse in pairs]
            + [question_card(q) for q in questions])


def sync_cards(session: Session) -> int:
    """Make the cards table match the synced content; returns how many cards are live. Flushes."""
    known = {card.key: card for card in session.scalars(select(Card))}
    wanted = sources(session)
    for position, source in enumerate(wanted):
        card = known.pop(source.key, None)
        if card is None:
            card = Card(key=source.key)
            session.add(card)
        card.kind, card.front, card.back = source.kind, source.front, source.back
        card.concept_id, card.question_id = source.concept_id, source.question_id
        card.position, card.retired = position, False
    for card in known.values():
        card.retired = True
    session.flush()
    return len(wanted)
