"""The bank generator: each question kind, determinism, and `quiz content generate [--check]`."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from quiz.content.build import generated_files
from quiz.content.generate import generate_bank, swap_subject
from quiz.content.model import Concept, Contrast, Fact, Glossary, Sequence
from quiz.content.validate import load_content, validate_paths
from quiz.content.writer import bank_text

PROJECT = Path(__file__).resolve().parent.parent


def concept(cid: str, term: str, **extra) -> Concept:
    """A concept whose texts all name its term, so each can be recognised in a question."""
    values = {
        "definition": f"The definition of {term.lower()}.",
        "quote": f"{term} is what the chapter calls it.",
        "section": "1.1",
        "facts": (Fact(f"{cid}-fact-1", f"{term} does {cid} things.", f"{term} does {cid} things."),),
    }
    values.update(extra)
    return Concept(id=cid, term=term, **values)


@pytest.fixture
def glossary() -> Glossary:
    """Five concepts; the first is confusable with the last and the second; one contrast."""
    return Glossary(
        id="demo",
        title="Chapter 9. Demo Things",
        source="a test",
        concepts=(
            concept("alpha", "Alpha", related=("epsilon", "beta"), aliases=("first letter",),
                    facts=(Fact("alpha-comes-first", "Alpha comes first.", "Alpha comes first"),
                           Fact("alpha-is-a-letter", "Alpha is a letter.", "Alpha is a letter"))),
            concept("beta", "Beta"),
            concept("gamma", "Gamma"),
            concept("delta", "Delta"),
            concept("epsilon", "Epsilon", related=("alpha",),
                    facts=(Fact("epsilon-is-small", "Epsilon is small.", "Epsilon is small"),)),
        ),
        sequences=(
            Sequence("steps", "Order the steps.", ("one", "two", "three"), ("alpha", "beta"),
                     "one, then two, then three"),
        ),
        contrasts=(
            Contrast("alpha-not-epsilon", "Epsilon is small.", "epsilon", "Epsilon is small",
                     "alpha", "Alpha is large"),
        ),
    )


def by_id(glossary: Glossary) -> dict:
    """The generated questions of a glossary by id."""
    return {q.id: q for q in generate_bank(glossary).questions}


def test_definition_distractors_are_the_related_concepts_only(glossary):
    question = by_id(glossary)["alpha-definition"]
    assert question.type == "single"
    assert question.fields["answer"] == "The definition of alpha."
    assert "Alpha" in question.prompt
    # Only the confusable ones: an unrelated definition would be ruled out at a glance.
    assert set(question.fields["choices"]) == {"The definition of alpha.", "The definition of epsilon.",
                                               "The definition of beta."}


def test_a_concept_with_fewer_than_two_related_gets_others_in_glossary_order(glossary):
    assert set(by_id(glossary)["epsilon-definition"].fields["choices"]) == {
        "The definition of epsilon.", "The definition of alpha.", "The definition of beta.",
        "The definition of gamma."}
    assert set(by_id(glossary)["delta-definition"].fields["choices"]) == {
        "The definition of delta.", "The definition of alpha.", "The definition of beta.",
        "The definition of gamma."}


def test_the_key_moves_from_one_concept_to_the_next(glossary):
    questions = by_id(glossary)
    positions = [questions[f"{c.id}-definition"].fields["choices"].index(c.definition)
                 for c in glossary.concepts]
    assert positions == [0, 1, 2, 3, 0]


def test_true_false_states_each_fact_as_true_under_its_own_id(glossary):
    questions = by_id(glossary)
    assert questions["alpha-comes-first"].prompt == "Alpha comes first."
    assert questions["alpha-is-a-letter"].prompt == "Alpha is a letter."
    assert all(questions[qid].fields == {"answer": True}
               for qid in ("alpha-comes-first", "alpha-is-a-letter"))
    assert questions["alpha-comes-first"].explanation == "True. The chapter says: “Alpha comes first”"


def test_false_statements_come_only_from_contrasts(glossary):
    false = [q for q in generate_bank(glossary).questions if q.fields.get("answer") is False]
    assert [(q.id, q.prompt, q.concepts) for q in false] == [
        ("alpha-not-epsilon", "Alpha is small.", ("alpha", "epsilon"))]
    assert "“Alpha is large”" in false[0].explanation
    assert "“Epsilon is small”" in false[0].explanation


def test_related_alone_makes_no_false_statement(glossary):
    """Alpha and epsilon are related both ways; without the contrast nothing is keyed false."""
    bare = dataclasses.replace(glossary, contrasts=())
    assert not [q for q in generate_bank(bare).questions if q.fields.get("answer") is False]


@pytest.mark.parametrize(("fact", "source", "target", "expected"), [
    ("A host is usually physical.", "Host", "Emulator", "An emulator is usually physical."),
    ("An emulator is slow.", "Emulator", "Host", "A host is slow."),
    ("The host is a machine.", "Host", "Guest", "The guest is a machine."),
    ("In paravirtualization, the guest waits.", "Paravirtualization", "Full virtualization",
     "In full virtualization, the guest waits."),
    ("Under emulation, calls are translated.", "Emulation", "Host", "Under host, calls are translated."),
    ("Hosts run guests.", "Host", "Guest", None),  # a plural subject is not the term
    ("The host runs a guest.", "Host", "Guest", None),  # the target is already named
    ("In the host, a guest runs.", "Host", "Guest", None),
    ("Everything needs a host.", "Host", "Guest", None),  # the source is not the subject
])
def test_swap_subject_keeps_the_grammar(fact, source, target, expected):
    swapped = swap_subject(fact, concept("s", source), concept("t", target))
    assert swapped == expected


def test_short_answer_names_the_term_or_an_alias(glossary):
    question = by_id(glossary)["alpha-name"]
    assert question.type == "short"
    assert question.fields["answer"] == ["Alpha", "first letter"]
    assert "The definition of alpha." in question.prompt


def test_each_definition_is_asked_twice(glossary):
    """Picked among its confusables, and named from it: no cloze, matching or reverse twin."""
    for c in glossary.concepts:
        asking = [q.id for q in generate_bank(glossary).questions
                  if c.definition in q.prompt or c.definition == q.fields.get("answer")]
        assert asking == [f"{c.id}-definition", f"{c.id}-name"]
    assert not {q.type for q in generate_bank(glossary).questions} & {"cloze", "matching"}


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
        kinds = {suffix: questions[f"{c.id}-{suffix}"].type for suffix in ("definition", "name")}
        assert kinds == {"definition": "single", "name": "short"}, c.id
        assert all(questions[fact.id].type == "true_false" for fact in c.facts), c.id
        assert all(c.id in questions[f"{c.id}-{suffix}"].concepts for suffix in kinds)
    assert all(q.concepts for q in questions.values())


def test_generated_bank_passes_validation(tmp_path, glossary):
    """The generator's output is a bank the validator accepts, marked as generated."""
    (tmp_path / "definitions").mkdir()
    (tmp_path / "banks").mkdir()
    facts = [f for c in glossary.concepts for f in c.facts]
    (tmp_path / "chapter.md").write_text(
        " ".join(f"{c.quote} {c.definition}" for c in glossary.concepts)
        + " ".join(f.quote for f in facts) + " Alpha is large. one, then two, then three")
    glossary_data = {
        "id": glossary.id, "title": glossary.title, "source": glossary.source,
        "source_file": "chapter.md",
        "concepts": [{"id": c.id, "term": c.term, "definition": c.definition, "quote": c.quote,
                      "section": c.section, "aliases": list(c.aliases), "related": list(c.related),
                      "facts": [{"id": f.id, "fact": f.text, "quote": f.quote} for f in c.facts]}
                     for c in glossary.concepts],
        "sequences": [{"id": s.id, "prompt": s.prompt, "items": list(s.items),
                       "concepts": list(s.concepts), "quote": s.quote} for s in glossary.sequences],
        "contrasts": [dataclasses.asdict(c) for c in glossary.contrasts],
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
    text = glossary.read_text(encoding="utf-8")
    glossary.write_text(text.replace("related: [paravirtualization, software-virtualization]",
                                     "related: [nowhere]", 1))
    result = runner.invoke(args=["content", "generate", "--check"])
    assert result.exit_code == 1
    assert "no glossary defines concept 'nowhere'" in result.output


def test_generate_refuses_a_glossary_that_misquotes_the_chapter(runner, content_dir):
    glossary = content_dir / "definitions" / "ch01.yaml"
    text = glossary.read_text(encoding="utf-8")
    glossary.write_text(text.replace("this method is slower than virtualization.", "this method is slow.", 1))
    result = runner.invoke(args=["content", "generate", "--check"])
    assert result.exit_code == 1
    assert "is not verbatim in source/chapter-1.md" in result.output
