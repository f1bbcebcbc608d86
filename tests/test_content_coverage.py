"""The committed content: enough questions, every type, every concept covered, quotes verbatim."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from quiz.content.model import Content
from quiz.content.types import QUESTION_TYPES
from quiz.content.validate import load_content

PROJECT = Path(__file__).resolve().parent.parent
SOURCE = PROJECT / "content" / "source" / "chapter-1.md"
SHARED_SOURCE = PROJECT.parent / "shared" / "source" / "chapter-1.md"
CHAPTER_CONCEPTS = {"virtualization", "hypervisor", "virtual-machine", "host",
                    "full-virtualization", "paravirtualization", "software-virtualization"}


@pytest.fixture(scope="module")
def content() -> Content:
    """The project's content, loaded (and so validated) once for this module."""
    return load_content(PROJECT / "content")


@pytest.fixture(scope="module")
def source_text() -> str:
    """The source chapter, as content/ carries it, with whitespace normalised."""
    return normalise(SOURCE.read_text(encoding="utf-8"))


def test_the_glossary_names_the_chapter_under_content(content):
    assert [g.chapter.file for g in content.glossaries] == ["source/chapter-1.md"]


def test_the_chapter_under_content_is_the_shared_source():
    if not SHARED_SOURCE.is_file():
        pytest.skip(f"the shared source is not beside the project: {SHARED_SOURCE} is missing")
    assert SOURCE.read_bytes() == SHARED_SOURCE.read_bytes()


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


# ---------------------------------------------------------------- the shape a teacher asked for


def test_at_most_thirty_percent_true_false(content):
    every = questions(content)
    true_false = [q for q in every if q.type == "true_false"]
    assert len(true_false) <= 0.30 * len(every), f"{len(true_false)} of {len(every)}"


def test_at_least_twelve_application_questions(content):
    application = [q.id for q in questions(content) if "application" in q.tags]
    assert len(application) >= 12, application


def test_at_least_ten_questions_at_difficulty_three(content):
    hard = [q.id for q in questions(content) if q.difficulty == 3]
    assert len(hard) >= 10, hard


def test_every_concept_is_asked_at_three_difficulties(content):
    levels: dict[str, set[int]] = defaultdict(set)
    for question in questions(content):
        for concept_id in question.concepts:
            levels[concept_id].add(question.difficulty)
    assert {c: levels[c] for c in content.concepts} == {c: {1, 2, 3} for c in content.concepts}


def asked(question) -> str:
    """What a learner reads or must give: the prompt and the type's keys, not the explanation."""
    fields = question.fields
    parts = [question.prompt, *fields.get("choices", ()), *fields.get("items", ()),
             *(f"{left} {right}" for left, right in fields.get("pairs", {}).items())]
    answer = fields.get("answer")
    parts += answer if isinstance(answer, list) else [answer] if isinstance(answer, str) else []
    return normalise(" ".join(parts)).lower()


@pytest.mark.parametrize("point", [
    "slower than virtualization",      # emulation's comparator, in the chapter's words
    "usually a physical machine",      # the host's qualifier
    "usually runs multiple operating systems",  # virtualization's qualifier
    "broad computing term",
    "both real and virtual",           # the interfaces paravirtualization passes calls to
])
def test_the_points_once_never_asked_are_asked(content, point):
    assert [q.id for q in questions(content) if point in asked(q)], point


def test_no_ordering_question_has_fewer_than_three_items(content):
    short = [q.id for q in questions(content) if q.type == "ordering" and len(q.fields["items"]) < 3]
    assert short == []


def test_the_banks_share_no_question_id(content):
    seen: dict[str, str] = {}
    for bank in content.banks:
        for question in bank.questions:
            assert question.id not in seen, f"{question.id} in {seen.get(question.id)} and {bank.id}"
            seen[question.id] = bank.id


def test_short_answers_list_no_variant_the_grader_already_forgives(content):
    from quiz.content.words import answer_forms

    for question in questions(content):
        if question.type == "short":
            forms = [answer_forms(alt) for alt in question.fields["answer"]]
            assert all(not (a & b) for i, a in enumerate(forms) for b in forms[i + 1:]), question.id
