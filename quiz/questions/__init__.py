"""Question types: one module per type, each a class registered in ``QUESTION_TYPES``.

Adding a type is one module here (named in ``BUILT_IN``) and one macro file,
``templates/questions/<name>.html``. Nothing here imports Flask or the
database, so validation and grading run in a plain process.
"""

from __future__ import annotations

from importlib import import_module

from quiz.questions.base import CHOICES, TEXT, ChoiceType, Problem, QuestionType
from quiz.questions.registry import (
    QUESTION_TYPES,
    card_types,
    live_types,
    question_type,
    register,
    type_specific_keys,
)

# Registered in this order, which is the order forms, schemas and exports list them.
BUILT_IN = ("single", "multiple", "true_false", "short", "cloze", "matching", "ordering")
for _module in BUILT_IN:
    import_module(f"quiz.questions.{_module}")

from quiz.questions.cloze import cloze_blanks, cloze_segments  # noqa: E402

__all__ = [
    "BUILT_IN", "CHOICES", "QUESTION_TYPES", "TEXT", "ChoiceType", "Problem", "QuestionType",
    "card_types", "cloze_blanks", "cloze_segments", "live_types", "question_type", "register",
    "type_specific_keys",
]
