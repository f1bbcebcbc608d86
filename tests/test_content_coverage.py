"""The committed content: enough questions, every type, every concept covered, quotes verbatim."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from quiz.content.model import Content
from quiz.content.types import QUESTION_TYPES
from quiz.content.validate import load_content

PROJECT = Path(__file__).resolve().parent.parent
SOURCE = PROJECT.parent / "shared" / "source" / "chapter-1.md"
CHAPTER_CONCEPTS = {"virtualization", "hypervisor", "virtual-machine", "host",
                    "full-virtualization", "paravirtualization", "software-virtualization"}


@pytest.fixture(scope="module")
def content() -> Content:
    """The project's content, loaded (and so validated) once for this module."""
    return load_content(PROJECT / "content")


@pytest.fixture(scope="module")
def source_text() -> str:
    """The source chapter with whitespace normalised; skipped when it is not checked out."""
    if not SOURCE.parent.parent.is_dir():
        pytest.skip(f"source chapter not available: {SOURCE.parent.parent} is missing")
    return normalise(SOURCE.read_text(encoding="utf-8"))


def normalise(text: str) -> str:
    """Collapse every run of whitespace (line breaks included) to one space."""
    return " ".join(text.split())


def questions(content: Content):
    """Every question of every bank."""
    return [q for bank in content.banks for q in bank.questions]


def test_at_least_seventy_questions(content):
    assert len(questions(content)) >= 70


def test_every_committed_question_has_an_explanation(content):
    # The format allows none (imports often lack one); our own banks always explain.
    missing = [f"{bank.id}:{q.id}" for bank in content.banks for q in bank.questions
               if not q.explanation.strip()]
    assert missing == []


def test_every_question_type_is_used(content):
    assert {q.type for q in questions(content)} == set(QUESTION_TYPES)


def test_the_glossary_defines_the_chapters_concepts(content):
    assert set(content.concepts) == CHAPTER_CONCEPTS


def test_every_concept_has_five_questions_of_four_types(content):
    tested: dict[str, list[str]] = defaultdict(list)
    for question in questions(content):
        for concept_id in question.concepts:
            tested[concept_id].append(question.type)
    for concept_id in content.concepts:
        types = tested[concept_id]
        assert len(types) >= 5, f"{concept_id}: only {len(types)} question(s)"
        assert len(set(types)) >= 4, f"{concept_id}: only types {sorted(set(types))}"


def test_glossary_quotes_are_verbatim(content, source_text):
    for glossary in content.glossaries:
        for concept in glossary.concepts:
            assert normalise(concept.quote) in source_text, f"{concept.id}: quote not in source"


def test_sequence_quotes_are_verbatim(content, source_text):
    """Ordering questions stand on an order the chapter states, quoted where it says so."""
    sequences = [s for g in content.glossaries for s in g.sequences]
    assert sequences
    for sequence in sequences:
        assert normalise(sequence.quote) in source_text, f"{sequence.id}: quote not in source"


def test_normalising_does_not_hide_a_changed_word(source_text):
    """The comparison is strict about words: one changed word is not found."""
    assert normalise("Full virtualization uses an unmodified version") in source_text
    assert normalise("Full virtualization uses a modified version") not in source_text
