"""The question types as content sees them: the registry of ``quiz.questions``, and text helpers.

Each type is a class in ``quiz/questions/<name>.py``; this module keeps the
names content, validation and the exchange formats import.
"""

from __future__ import annotations

from quiz.content.words import fold
from quiz.questions import (
    CHOICES,
    QUESTION_TYPES,
    TEXT,
    Problem,
    QuestionType,
    cloze_blanks,
    cloze_segments,
    type_specific_keys,
)

__all__ = [
    "CHOICES", "QUESTION_TYPES", "TEXT", "Problem", "QuestionType", "cloze_blanks", "cloze_segments",
    "normalize_text", "type_specific_keys",
]


def normalize_text(text: str) -> str:
    """Fold text for comparison: case, accents, spacing and punctuation."""
    return fold(text)
