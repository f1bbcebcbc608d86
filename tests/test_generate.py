"""The bank generator: each question kind, determinism, and `quiz content generate [--check]`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from quiz.content.build import generated_files
from quiz.content.generate import generate_bank, swap_subject
from quiz.content.model import Concept, Glossary, Sequence
from quiz.content.types import cloze_blanks
from quiz.content.validate import load_content, validate_paths
from quiz.content.writer import bank_text

PROJECT = Path(__file__).resolve().parent.parent


def concept(cid: str, term: str, **extra) -> Concept:
    """A concept whose texts all name its term, so each can be recognised in a question."""
    values = {
        "definition": f"The definition of {term.lower()}.",
        "quote": f"{term} is what the chapter calls it.",
        "section": "1.1",
        "facts": (f"{term} does {cid} things.",),
    }
    values.update(extra)
    return Concept(id=cid, term=term, **values)


@pytest.fixture
def glossary() -> Glossary:
    """Five concepts; the first is confusable with the last one only."""
    return Glossary(
        id="demo",
        title="Chapter 9. Demo Things",
        source="a test",
        concepts=(
            concept("alpha", "Alpha", related=("epsilon",), aliases=("first letter",),
                    facts=("Alpha comes first.", "Alpha is a letter.")),
            concept("beta", "Beta"),
            concept("gamma", "Gamma"),
            concept("delta", "Delta"),
            concept("epsilon", "Epsilon", facts=("Epsilon is small.", "Alpha and epsilon differ.")),
        ),
        sequences=(
            Sequence("steps", "Order the steps.", ("one", "two", "three"), ("alpha", "beta"),
                     "one, then two, then three"),
        ),
    )


def by_id(glossary: Glossary) -> dict:
    """The generated questions of a glossary by id."""
    return {q.id: q for q in generate_bank(glossary).questions}


def test_term_to_definition_takes_distractors_from_related_first(glossary):
    question = by_id(glossary)["alpha-definition"]
    choices = question.fields["choices"]
    assert question.type == "single"
    assert question.fields["answer"] == "The definition of alpha."
    assert "Alpha" in question.prompt
    # Epsilon, related but listed last, displaces delta from the three distractors.
    assert set(choices) == {"The definition of alpha.", "The definition of epsilon.",
                            "The definition of beta.", "The definition of gamma."}


def test_definition_to_term_takes_distractors_from_related_first(glossary):
    question = by_id(glossary)["alpha-term"]
    assert question.type == "single"
    assert question.fields["answer"] == "Alpha"
    assert "The definition of alpha." in question.prompt
    assert set(question.fields["choices"]) == {"Alpha", "Epsilon", "Beta", "Gamma"}


def test_unrelated_concept_draws_distractors_in_glossary_order(glossary):
    choices = by_id(glossary)["delta-term"].fields["choices"]
    assert set(choices) == {"Delta", "Alpha", "Beta", "Gamma"}


def test_true_false_states_each_fact_as_true(glossary):
    questions = by_id(glossary)
    assert questions["alpha-fact-1"].prompt == "Alpha comes first."
    assert questions["alpha-fact-2"].prompt == "Alpha is a letter."
    assert all(questions[f"alpha-fact-{n}"].fields == {"answer": True} for n in (1, 2))


def test_false_variants_swap_a_related_concepts_fact_in(glossary):
    questions = by_id(glossary)
    false = {q.prompt: q for q in questions.values() if q.fields.get("answer") is False}
    assert set(false) == {"Alpha is small."}  # "Alpha and epsilon differ." already names alpha
    swapped = false["Alpha is small."]
    assert swapped.type == "true_false"
    assert swapped.concepts == ("alpha", "epsilon")
    assert "Epsilon is small." in swapped.explanation


@pytest.mark.parametrize(("fact", "source", "target", "expected"), [
    ("A host is usually physical.", "Host", "Emulator", "An emulator is usually physical."),
    ("An emulator is slow.", "Emulator", "Host", "A host is slow."),
    ("The host is a machine.", "Host", "Guest", "The guest is a machine."),
    ("Hosts run guests.", "Host", "Guest", None),  # a plural subject is not the term
    ("The host runs a guest.", "Host", "Guest", None),  # the target is already named
    ("Everything needs a host.", "Host", "Guest", None),  # the source is not the subject
])
def test_swap_subject_keeps_the_grammar(fact, source, target, expected):
    swapped = swap_subject(fact, concept("s", source), concept("t", target))
    assert swapped == expected


def test_cloze_blanks_the_term_in_the_quote_with_aliases_accepted(glossary):
    question = by_id(glossary)["alpha-cloze"]
    assert question.type == "cloze"
    assert cloze_blanks(question.prompt) == [["Alpha", "first letter"]]
    assert question.prompt.endswith("is what the chapter calls it.")


def test_cloze_falls_back_to_the_definition_when_the_quote_lacks_the_term():
    lonely = concept("zeta", "Zeta", quote="Nothing here names it.", aliases=("z",))
    bank = generate_bank(Glossary("g", "T", "s", (lonely, concept("eta", "Eta"))))
    question = next(q for q in bank.questions if q.id == "zeta-cloze")
    assert question.prompt.startswith("The definition of zeta.")
    assert cloze_blanks(question.prompt) == [["Zeta", "z"]]


def test_short_answer_names_the_term_or_an_alias(glossary):
    question = by_id(glossary)["alpha-name"]
    assert question.type == "short"
    assert question.fields["answer"] == ["Alpha", "first letter"]
    assert "The definition of alpha." in question.prompt


def test_matching_pairs_terms_with_definitions_across_concepts(glossary):
    matching = [q for q in generate_bank(glossary).questions if q.type == "matching"]
    paired = {left: right for q in matching for left, right in q.fields["pairs"].items()}
    assert paired == {c.term: c.definition for c in glossary.concepts}
    assert all(len(q.concepts) >= 2 for q in matching)


def test_ordering_comes_only_from_orders_the_chapter_states(glossary):
    ordering = [q for q in generate_bank(glossary).questions if q.type == "ordering"]
    assert [(q.prompt, q.fields["items"], q.concepts) for q in ordering] == [
        ("Order the steps.", ["one", "two", "three"], ("alpha", "beta"))]
    without = Glossary("g", "T", "s", glossary.concepts)
    assert not [q for q in generate_bank(without).questions if q.type == "ordering"]


def test_every_generated_question_names_its_concepts(glossary):
    ids = {c.id for c in glossary.concepts}
    for question in generate_bank(glossary).questions:
        assert question.concepts, question.id
        assert set(question.concepts) <= ids, question.id


def test_every_chapter_concept_gets_each_kind_of_question():
    glossary = load_content(PROJECT / "content").glossaries[0]
    questions = by_id(glossary)
    for c in glossary.concepts:
        kinds = {suffix: questions[f"{c.id}-{suffix}"].type
                 for suffix in ("definition", "term", "fact-1", "cloze", "name")}
        assert kinds == {"definition": "single", "term": "single", "fact-1": "true_false",
                         "cloze": "cloze", "name": "short"}, c.id
        assert all(c.id in questions[f"{c.id}-{suffix}"].concepts for suffix in kinds)
    assert all(q.concepts for q in questions.values())


def test_generated_bank_passes_validation(tmp_path, glossary):
    """The generator's output is a bank the validator accepts, marked as generated."""
    (tmp_path / "definitions").mkdir()
    (tmp_path / "banks").mkdir()
    glossary_data = {
        "id": glossary.id, "title": glossary.title, "source": glossary.source,
        "concepts": [{"id": c.id, "term": c.term, "definition": c.definition, "quote": c.quote,
                      "section": c.section, "facts": list(c.facts), "aliases": list(c.aliases),
                      "related": list(c.related)} for c in glossary.concepts],
    }
    (tmp_path / "definitions" / "demo.yaml").write_text(json.dumps(glossary_data))
    files = generated_files(tmp_path)
    (tmp_path / "banks" / "demo-definitions.yaml").write_text(files["banks/demo-definitions.yaml"])
    content, errors = validate_paths([tmp_path])
    assert errors == []
    assert [(b.id, b.generated) for b in content.banks] == [("demo-definitions", True)]


def test_same_glossary_gives_byte_identical_text(glossary):
    assert bank_text(generate_bank(glossary)) == bank_text(generate_bank(glossary))


def test_output_does_not_depend_on_the_process(content_dir):
    """Another interpreter, with another hash seed, writes the very same files."""
    here = generated_files(content_dir)
    script = ("import json, sys; from pathlib import Path; from quiz.content.build import "
              "generated_files; print(json.dumps(generated_files(Path(sys.argv[1]))))")
    env = {**os.environ, "PYTHONHASHSEED": "4242"}
    out = subprocess.run([sys.executable, "-c", script, str(content_dir)], env=env,
                         capture_output=True, text=True, check=True, cwd=PROJECT).stdout
    assert json.loads(out) == here


def test_committed_generated_files_are_up_to_date(runner):
    result = runner.invoke(args=["content", "generate", "--check"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output


def test_check_fails_on_a_stale_file_and_writes_nothing(runner, content_dir):
    target = content_dir / "banks" / "ch01-definitions.yaml"
    stale = target.read_text(encoding="utf-8").replace("Hypervisor", "Supervisor", 1)
    target.write_text(stale, encoding="utf-8")
    result = runner.invoke(args=["content", "generate", "--check"])
    assert result.exit_code == 1
    assert "ch01-definitions.yaml: differs" in result.output
    assert target.read_text(encoding="utf-8") == stale


def test_check_fails_when_a_generated_file_is_missing(runner, content_dir):
    (content_dir / "schema" / "bank.schema.json").unlink()
    result = runner.invoke(args=["content", "generate", "--check"])
    assert result.exit_code == 1
    assert "bank.schema.json" in result.output


def test_generate_rewrites_what_was_committed_byte_for_byte(runner, content_dir):
    target = content_dir / "banks" / "ch01-definitions.yaml"
    target.unlink()
    result = runner.invoke(args=["content", "generate"])
    assert result.exit_code == 0, result.output
    assert "1 of 3 generated file(s) changed" in result.output
    committed = (PROJECT / "content" / "banks" / "ch01-definitions.yaml").read_bytes()
    assert target.read_bytes() == committed
    again = runner.invoke(args=["content", "generate"])
    assert "0 of 3 generated file(s) changed" in again.output


def test_generate_refuses_a_broken_glossary(runner, content_dir):
    glossary = content_dir / "definitions" / "ch01.yaml"
    glossary.write_text(glossary.read_text(encoding="utf-8").replace("related: [host]",
                                                                     "related: [nowhere]", 1))
    result = runner.invoke(args=["content", "generate", "--check"])
    assert result.exit_code == 1
    assert "no glossary defines concept 'nowhere'" in result.output
