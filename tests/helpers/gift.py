"""What a question looks like after a trip through GIFT, which keeps one blank of a cloze."""

from __future__ import annotations

from dataclasses import replace

from quiz.content.model import Question
from quiz.content.types import cloze_blanks, cloze_segments


def expected_after_gift(question: Question) -> Question:
    """What GIFT gives back: a cloze keeps its first blank, later blanks filled with their answer."""
    if question.type != "cloze" or len(cloze_blanks(question.prompt)) == 1:
        return question
    blanks, segments = cloze_blanks(question.prompt), cloze_segments(question.prompt)
    prompt = segments[0] + "{{" + "|".join(blanks[0]) + "}}" + segments[1]
    prompt += "".join(alts[0] + seg for alts, seg in zip(blanks[1:], segments[2:], strict=True))
    return replace(question, prompt=prompt)

