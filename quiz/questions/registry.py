"""The registry of question types: every feature asks it, never a type's name.

``register`` adds a type class (as a decorator on its module's class); the
table keeps the order types were registered in, which is the order forms and
schemas list them. A feature that needs something of a type asks the type's
object; one that cannot carry a type says so in words.
"""

from __future__ import annotations

from quiz.questions.base import QuestionType

QUESTION_TYPES: dict[str, QuestionType] = {}


def register(cls: type[QuestionType]) -> type[QuestionType]:
    """Add a type to the registry (its abstract methods must all be written: it is built here)."""
    if cls.name in QUESTION_TYPES:
        raise RuntimeError(f"question type {cls.name!r} is registered twice")
    QUESTION_TYPES[cls.name] = cls()
    return cls


def question_type(name: object) -> QuestionType:
    """The type called ``name``; ValueError if there is none (broken content, not a learner's fault)."""
    qtype = QUESTION_TYPES.get(name) if isinstance(name, str) else None
    if qtype is None:
        raise ValueError(f"unknown question type {name!r}")
    return qtype


def live_types() -> tuple[str, ...]:
    """The types live play can ask."""
    return tuple(name for name, qtype in QUESTION_TYPES.items() if qtype.live_refusal is None)


def card_types() -> tuple[str, ...]:
    """The types whose questions make a flashcard."""
    return tuple(name for name, qtype in QUESTION_TYPES.items() if qtype.card_label is not None)


def type_specific_keys() -> list[str]:
    """Every key some type adds, in the order a bank file writes them: choices before the answer."""
    return list(dict.fromkeys(key for qtype in QUESTION_TYPES.values() for key in qtype.fields))
