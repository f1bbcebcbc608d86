"""Build question banks from a glossary, deterministically.

Same glossary in, byte-identical bank out: nothing here reads the clock or a
random source. Choice order comes from a hash of the question id, so the
right answer is not always first, yet stays where it was between runs.
Question ids are derived from concept ids and fact positions, so editing a
fact's wording keeps its question's id and history.
"""

from __future__ import annotations

import hashlib
import re

from quiz.content.model import GENERATED_HEADER, Bank, Concept, Glossary, Question

MAX_DISTRACTORS = 3
MATCHING_GROUP = 4
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
    for concept in glossary.concepts:
        questions += [
            _term_to_definition(concept, glossary),
            _definition_to_term(concept, glossary),
            *_true_facts(concept),
            *_false_facts(concept, concepts),
            _cloze(concept),
            _name_the_term(concept),
        ]
    questions += _matching(glossary)
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


def _others(concept: Concept, glossary: Glossary) -> list[Concept]:
    """Other concepts, the confusable (``related``) ones first."""
    by_id = {c.id: c for c in glossary.concepts}
    related = [by_id[r] for r in concept.related if r in by_id]
    rest = [c for c in glossary.concepts if c.id != concept.id and c not in related]
    return related + rest


def _explain(concept: Concept) -> str:
    return f"{concept.term}: {concept.definition}"


def _term_to_definition(concept: Concept, glossary: Glossary) -> Question:
    qid = f"{concept.id}-definition"
    wrong = [c.definition for c in _others(concept, glossary)[:MAX_DISTRACTORS]]
    return Question(
        id=qid,
        type="single",
        prompt=f"Which statement defines “{concept.term}”?",
        explanation=_explain(concept),
        concepts=(concept.id,),
        fields={"choices": _stable_order(qid, [concept.definition, *wrong]),
                "answer": concept.definition},
        tags=("generated", "definition"),
        difficulty=1,
    )


def _definition_to_term(concept: Concept, glossary: Glossary) -> Question:
    qid = f"{concept.id}-term"
    wrong = [c.term for c in _others(concept, glossary)[:MAX_DISTRACTORS]]
    return Question(
        id=qid,
        type="single",
        prompt=f"Which term does this define? “{concept.definition}”",
        explanation=_explain(concept),
        concepts=(concept.id,),
        fields={"choices": _stable_order(qid, [concept.term, *wrong]), "answer": concept.term},
        tags=("generated", "term"),
        difficulty=1,
    )


def _true_facts(concept: Concept) -> list[Question]:
    return [
        Question(
            id=f"{concept.id}-fact-{number}",
            type="true_false",
            prompt=fact,
            explanation=f"True. The chapter says: “{concept.quote}”",
            concepts=(concept.id,),
            fields={"answer": True},
            tags=("generated", "fact"),
            difficulty=1,
        )
        for number, fact in enumerate(concept.facts, start=1)
    ]


def swap_subject(fact: str, source: Concept, target: Concept) -> str | None:
    """``fact`` (about ``source``) restated about ``target``, or None when it cannot be.

    Only facts whose subject is the source's term are swapped, and only when
    the target is not already named in them: "Paravirtualization is slower
    than full virtualization" cannot become a statement about full
    virtualization. The glossary keeps facts false of every concept that
    relates to them; this function keeps the grammar right.
    """
    pattern = re.compile(rf"^({_ARTICLE})({re.escape(source.term)})\b", re.IGNORECASE)
    match = pattern.match(fact)
    if not match or re.search(rf"\b{re.escape(target.term)}\b", fact, re.IGNORECASE):
        return None
    article, rest = match.group(1).strip(), fact[match.end():]
    if not article:
        return f"{target.term}{rest}"
    if article.lower() in ("a", "an"):
        article = article[0] + ("n" if target.term[0].lower() in "aeiou" else "")
    return f"{article} {target.term.lower()}{rest}"


def _false_facts(concept: Concept, concepts: dict[str, Concept]) -> list[Question]:
    """Facts of confusable concepts, restated about this one: false by the glossary's rule."""
    own = {_fold(fact) for fact in concept.facts}
    questions = []
    for related_id in concept.related:
        source = concepts.get(related_id)
        if source is None:
            continue
        for number, fact in enumerate(source.facts, start=1):
            statement = swap_subject(fact, source, concept)
            if statement is None or _fold(statement) in own:
                continue
            questions.append(
                Question(
                    id=f"{concept.id}-not-{source.id}-{number}",
                    type="true_false",
                    prompt=statement,
                    explanation=(f"False. The chapter says this of {source.term.lower()}, "
                                 f"not of {concept.term.lower()}: “{fact}”"),
                    concepts=(concept.id, source.id),
                    fields={"answer": False},
                    tags=("generated", "fact", "confusable"),
                    difficulty=2,
                )
            )
    return questions


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _term_pattern(term: str) -> re.Pattern:
    return re.compile(rf"\b{re.escape(term)}(s?)\b", re.IGNORECASE)


def _cloze(concept: Concept) -> Question:
    """The verbatim quote with the term blanked out, when that gives nothing away;
    otherwise the definition followed by a blank for the term."""
    alternatives = [concept.term, *concept.aliases]
    pattern = _term_pattern(concept.term)

    def blank(match: re.Match) -> str:
        plural = match.group(1)
        accepted = [match.group(0)] + [f"{alt}{plural}" for alt in concept.aliases]
        return "{{" + "|".join(accepted) + "}}"

    prompt, count = pattern.subn(blank, concept.quote)
    visible = " ".join(re.split(r"\{\{.*?\}\}", prompt))
    if count == 0 or any(_term_pattern(alias).search(visible) for alias in concept.aliases):
        prompt = f"{concept.definition} The term for this is {{{{{'|'.join(alternatives)}}}}}."
    return Question(
        id=f"{concept.id}-cloze",
        type="cloze",
        prompt=prompt,
        explanation=_explain(concept),
        concepts=(concept.id,),
        tags=("generated", "cloze"),
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


def _matching(glossary: Glossary) -> list[Question]:
    """Terms to definitions, in groups small enough to read on a phone."""
    concepts = list(glossary.concepts)
    groups = max(1, -(-len(concepts) // MATCHING_GROUP))
    size = -(-len(concepts) // groups)
    questions = []
    for number, start in enumerate(range(0, len(concepts), size), start=1):
        group = concepts[start:start + size]
        if len(group) < 2:
            continue
        questions.append(
            Question(
                id=f"match-definitions-{number}",
                type="matching",
                prompt="Match each term to its definition.",
                explanation=" ".join(f"{c.term}: {c.definition}" for c in group),
                concepts=tuple(c.id for c in group),
                fields={"pairs": {c.term: c.definition for c in group}},
                tags=("generated", "definition"),
                difficulty=2,
            )
        )
    return questions
