"""Fidelity to the chapter: what counts as verbatim, what a fact's key terms are."""

from __future__ import annotations

from pathlib import Path

import pytest

from quiz.content.errors import ContentInvalid
from quiz.content.fidelity import is_verbatim, missing_key_terms, quoted_passages, searchable
from quiz.content.model import Concept, Source
from quiz.content.validate import load_content, validate_bank_text
from quiz.content.writer import dump_yaml

PROJECT = Path(__file__).resolve().parent.parent
CHAPTER = Source("chapter.md", searchable((PROJECT / "content" / "source" / "chapter-1.md").read_text()))
CONCEPTS = load_content(PROJECT / "content").concepts


@pytest.mark.parametrize("passage", [
    "Full virtualization uses an unmodified version of the guest operating system.",
    "full virtualization uses an unmodified\n   version of the guest operating system",  # case, spacing
    "this is the fastest virtualization method,",  # closing punctuation adapted
    "Software virtualization (or emulation)",  # a heading, its Markdown marks aside
    "This is a software layer ... on a single (usually physical) machine.",
    "Virtualization is accomplished … This machine with its operating system is called a host.",
])
def test_verbatim_passages(passage):
    assert is_verbatim(passage, CHAPTER)


@pytest.mark.parametrize("passage", [
    "Full virtualization uses a modified version of the guest operating system.",  # one word
    "The host is usually a physical machine.",  # the chapter's words, not its sentence
    "is slow",
    "on a single (usually physical) machine ... This is a software layer",  # parts out of order
    "FULL virtualization uses an unmodified version",  # only the first letter's case is free
])
def test_passages_that_are_not_the_chapters(passage):
    assert not is_verbatim(passage, CHAPTER)


def test_quoted_passages_straight_and_curly():
    text = 'It says "a software layer" and “controls hardware”, and 12" is no quote.'
    assert quoted_passages(text) == ["a software layer", "controls hardware"]


def test_key_terms_compare_by_stem_and_skip_the_concepts_own_names():
    software = Concept("software-virtualization", "Software virtualization", "d", "q", "1.1", (),
                       aliases=("emulation",))
    quote = "Because all calls are translated, this method is slower than virtualization."
    assert missing_key_terms("Emulation is slower because every call is translated.", quote,
                             software) == ["every"]
    assert missing_key_terms("Software virtualization is slow because all calls are translated.",
                             quote, software) == ["slow"]


def bank_explaining(explanation: str) -> str:
    question = {"id": "q", "type": "true_false", "prompt": "The host is usually a physical machine.",
                "answer": True, "explanation": explanation, "concepts": ["host"]}
    return dump_yaml({"id": "imported", "title": "Imported", "questions": [question]})


def test_an_old_restated_fact_explanation_is_refused():
    """The generated *-not-* items quoted a glossary fact as if the chapter said it."""
    text = bank_explaining("False. The chapter says this of host, not of hypervisor: "
                           "“The host is usually a physical machine.”")
    with pytest.raises(ContentInvalid) as caught:
        validate_bank_text(text, "imported.yaml", CONCEPTS)
    assert [e.message for e in caught.value.errors] == [
        "quotes “The host is usually a physical machine.”, which is not in source/chapter-1.md"]


def test_an_explanation_quoting_the_chapter_passes():
    text = bank_explaining("“This machine with its operating system is called a host.”")
    assert validate_bank_text(text, "imported.yaml", CONCEPTS)
