"""Build question banks from a glossary, deterministically.

Same glossary in, byte-identical bank out: nothing here reads the clock or a
random source. Distractors are ordered by a hash of the question id and the
right answer moves one position on from concept to concept, so it is not
always first, yet stays where it was between runs.
Question ids come from the glossary (a fact's or a contrast's ``id``) or from
concept and sequence ids, so rewording a fact keeps its question's history.

Per concept: its definition to pick among the confusable concepts' (``related``),
its term to name from its definition, and each fact as a true statement.
False statements come only from the glossary's ``contrasts``: a fact of one
concept restated about another that the chapter says otherwise of. Across
concepts: one ordering question per sequence the chapter states.
"""

from __future__ import annotations

import hashlib
import re

from quiz.content.model import GENERATED_HEADER, Bank, Concept, Contrast, Glossary, Question

MAX_DISTRACTORS = 3
MIN_DISTRACTORS = 2
_ARTICLE = r"(?:(?:the|a|an)\s+)?"


def generated_bank_id(glossary: Glossary) -> str:
    """The id (and file name stem) of the bank generated from a glossary."""
    return f"{glossary.id}-definitions"


def header(glossary: Glossary) -> str:
    """The comment that marks a bank file as generated, and from what."""
    return (
        f"{GENERATED_HEADER} from content/definitions/{glossary.id}.yaml.\n"
        "# Do not edit: change the glossary and run `quiz content generate`."
    )


def generate_bank(glossary: Glossary) -> Bank:
    """Every question the glossary supports, concept by concept, then across concepts."""
    concepts = {c.id: c for c in glossary.concepts}
    questions: list[Question] = []
    for number, concept in enumerate(glossary.concepts):
        questions += [
            _term_to_definition(concept, glossary, number),
            _name_the_term(concept),
            *_true_facts(concept),
            *(_false_statement(contrast, concepts) for contrast in glossary.contrasts
              if contrast.false_of == concept.id),
        ]
    questions += [
        Question(
            id=f"order-{sequence.id}",
            type="ordering",
            prompt=sequence.prompt,
            explanation=f"The chapter says: “{sequence.quote}”",
            concepts=sequence.concepts,
            fields={"items": list(sequence.items)},
            tags=("generated", "order"),
            difficulty=2,
        )
        for sequence in glossary.sequences
    ]
    title = f"{glossary.title.split('. ', 1)[-1]}: definitions drill"
    return Bank(generated_bank_id(glossary), title, tuple(questions), generated=True)


def _stable_order(question_id: str, items: list[str]) -> list[str]:
    return sorted(items, key=lambda item: hashlib.sha256(f"{question_id}\0{item}".encode()).digest())


def _choices(question_id: str, key: str, wrong: list[str], number: int) -> list[str]:
    """The distractors in a fixed shuffled order, the key at a position that moves on
    from one concept to the next, so no position holds most keys of the bank."""
    choices = _stable_order(question_id, wrong)
    choices.insert(number % (len(wrong) + 1), key)
    return choices


def distractors(concept: Concept, glossary: Glossary) -> list[Concept]:
    """The concepts whose definitions a learner could take for this one's: the ``related``
    ones; only when fewer than two are related do the others fill in, in glossary order."""
    by_id = {c.id: c for c in glossary.concepts}
    chosen = [by_id[r] for r in concept.related if r in by_id][:MAX_DISTRACTORS]
    if len(chosen) < MIN_DISTRACTORS:
        chosen += [c for c in glossary.concepts if c.id != concept.id and c not in chosen]
    return chosen[:MAX_DISTRACTORS]


def _explain(concept: Concept) -> str:
    return f"{concept.term}: {concept.definition} The chapter says: “{concept.quote}”"


def _term_to_definition(concept: Concept, glossary: Glossary, number: int) -> Question:
    qid = f"{concept.id}-definition"
    wrong = [c.definition for c in distractors(concept, glossary)]
    return Question(
        id=qid,
        type="single",
        prompt=f"Which statement defines “{concept.term}”?",
        explanation=_explain(concept),
        concepts=(concept.id,),
        fields={"choices": _choices(qid, concept.definition, wrong, number),
                "answer": concept.definition},
        tags=("generated", "definition"),
        difficulty=1,
    )


def _true_facts(concept: Concept) -> list[Question]:
    return [
        Question(
            id=fact.id,
            type="true_false",
            prompt=fact.text,
            explanation=f"True. The chapter says: “{fact.quote}”",
            concepts=(concept.id,),
            fields={"answer": True},
            tags=("generated", "fact"),
            difficulty=1,
        )
        for fact in concept.facts
    ]


def swap_subject(fact: str, source: Concept, target: Concept) -> str | None:
    """``fact`` (about ``source``) restated about ``target``, or None when it cannot be.

    Only facts whose subject is the source's term ("Paravirtualization uses...",
    "In paravirtualization, the guest...") are swapped, and only when the target
    is not already named in them: "Paravirtualization is slower than full
    virtualization" cannot become a statement about full virtualization.
    """
    if re.search(rf"\b{re.escape(target.term)}\b", fact, re.IGNORECASE):
        return None
    setting = re.match(rf"^(In|Under) {re.escape(source.term)},", fact, re.IGNORECASE)
    if setting:
        return f"{setting.group(1)} {target.term.lower()},{fact[setting.end():]}"
    match = re.match(rf"^({_ARTICLE})({re.escape(source.term)})\b", fact, re.IGNORECASE)
    if not match:
        return None
    article, rest = match.group(1).strip(), fact[match.end():]
    if not article:
        return f"{target.term}{rest}"
    if article.lower() in ("a", "an"):
        article = article[0] + ("n" if target.term[0].lower() in "aeiou" else "")
    return f"{article} {target.term.lower()}{rest}"


def _false_statement(contrast: Contrast, concepts: dict[str, Concept]) -> Question:
    """A contrast's fact restated about the concept the chapter says otherwise of."""
    true_of, false_of = concepts[contrast.true_of], concepts[contrast.false_of]
    return Question(
        id=contrast.id,
        type="true_false",
        prompt=swap_subject(contrast.fact, true_of, false_of) or contrast.fact,
        explanation=(f"False. Of {false_of.term.lower()}, the chapter says: “{contrast.against}” "
                     f"What the statement says holds for {true_of.term.lower()}: "
                     f"“{contrast.quote}”"),
        concepts=(false_of.id, true_of.id),
        fields={"answer": False},
        tags=("generated", "fact", "contrast"),
        difficulty=2,
    )


def _name_the_term(concept: Concept) -> Question:
    return Question(
        id=f"{concept.id}-name",
        type="short",
        prompt=f"Name the term: {concept.definition}",
        explanation=_explain(concept),
        concepts=(concept.id,),
        fields={"answer": [concept.term, *concept.aliases]},
        tags=("generated", "term"),
        difficulty=2,
    )
