"""Content lint: questions that are valid yet give their answer away or repeat another.

Each finding is a ContentError like any other, ``file:line:col: path: message
[rule]``; `quiz content validate` prints them as warnings, and ``--strict``
(which `make test` uses) makes them errors. Each question type gives the
warnings about one question of its own (``QuestionType.lint``, built on
``quiz.content.giveaways``) and what the rules across a bank compare. The rules:

- ``duplicate``, ``near-duplicate``: two questions of one type about the same
  concept whose prompt and answer are the same, or nearly (by their stems)
- ``short-ordering``: an ordering question with fewer than three items
- ``article-before-blank``: "a" or "an" just before a cloze blank, or ending a
  choice question's prompt, telling the answer's first sound
- ``answer-in-prompt``: a short or cloze answer whose words the prompt shows
- ``redundant-alternative``: an alternative the grader already accepts as another
- ``keyed-position``: the keyed choice at one position in more than half of a
  bank's single-choice questions
- ``long-key``: a key half as long again as its longest distractor (and 20
  characters longer)
- ``true-false-balance``: more than two thirds of a concept's true/false
  statements keyed the same way
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from quiz.content.errors import ContentError
from quiz.content.errors import Path as NodePath
from quiz.content.loader import Document
from quiz.content.types import QUESTION_TYPES
from quiz.content.words import fold, stems

# Words that say where a statement comes from, not what it says.
_ATTRIBUTION = frozenset(stems("according chapter says states question select apply following"))
NEAR_JACCARD = 0.6
NEAR_CONTAINMENT = 0.85
MIN_KEYED = 3
MIN_STATEMENTS = 3


@dataclass(frozen=True)
class _Item:
    """One question of one bank, with what the rules compare it by."""

    doc: Document
    index: int
    data: dict[str, Any]

    @property
    def where(self) -> NodePath:
        return ("questions", self.index)

    def warn(self, key: str | NodePath, message: str, rule: str) -> ContentError:
        path = (*self.where, *((key,) if isinstance(key, str) else key))
        return self.doc.error(path, f"{message} [{rule}]")

    def line(self) -> int:
        return self.doc.position(self.where)[0]


def lint(docs: list[Document]) -> list[ContentError]:
    """Every finding of every rule over the banks ``docs`` (already valid)."""
    items = [_Item(doc, index, data) for doc in docs
             for index, data in enumerate(doc.data["questions"])]
    found: list[ContentError] = []
    for item in items:
        found += _per_question(item)
    for doc in docs:
        found += _keyed_position(doc, [i for i in items if i.doc is doc])
    found += _true_false_balance(items)
    found += _duplicates(items)
    return found


# ---------------------------------------------------------------- one question at a time


def _per_question(item: _Item) -> Iterator[ContentError]:
    for path, message, rule in QUESTION_TYPES[item.data["type"]].lint(item.data):
        yield item.warn(path, message, rule)


# ---------------------------------------------------------------- across a bank or every bank


def _keyed_position(doc: Document, items: list[_Item]) -> Iterator[ContentError]:
    keyed = (QUESTION_TYPES[i.data["type"]].keyed_position(i.data) for i in items)
    positions = [position for position in keyed if position is not None]
    if len(positions) < MIN_KEYED:
        return
    position, count = Counter(positions).most_common(1)[0]
    if count * 2 > len(positions):
        yield doc.error(("questions",), (
            f"the keyed choice is choice {position + 1} in {count} of {len(positions)} "
            "single-choice questions; vary the order [keyed-position]"))


def _true_false_balance(items: list[_Item]) -> Iterator[ContentError]:
    statements: dict[str, list[_Item]] = defaultdict(list)
    for item in items:
        if QUESTION_TYPES[item.data["type"]].keyed_truth(item.data) is not None:
            statements[item.data["concepts"][0]].append(item)
    for concept, group in statements.items():
        keyed = Counter(QUESTION_TYPES[item.data["type"]].keyed_truth(item.data) for item in group)
        answer, count = keyed.most_common(1)[0]
        if len(group) >= MIN_STATEMENTS and count * 3 > len(group) * 2:
            first = group[0]
            yield first.warn("answer", (
                f"{count} of the {len(group)} true/false statements about '{concept}' are keyed "
                f"{'true' if answer else 'false'}; at most two thirds should be"),
                "true-false-balance")


def _answer_text(data: dict[str, Any]) -> str:
    return QUESTION_TYPES[data["type"]].answer_words(data)


def _signature(data: dict[str, Any]) -> frozenset[str]:
    return frozenset(stems(f"{data['prompt']} {_answer_text(data)}")) - _ATTRIBUTION


def _steps(data: dict[str, Any]) -> list[str] | None:
    return QUESTION_TYPES[data["type"]].steps(data)


def _same_path(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Two orderings of as many steps, each step sharing a key term with the other's."""
    steps_a, steps_b = _steps(a) or [], _steps(b) or []
    return len(steps_a) == len(steps_b) and all(
        set(stems(x)) & set(stems(y)) for x, y in zip(steps_a, steps_b, strict=True))


def _duplicates(items: list[_Item]) -> Iterator[ContentError]:
    """Questions of one type about one concept (their first), compared pairwise by stems.

    Identical signatures are grouped first, so a bank of many copies costs no more than
    its distinct questions; the rest are paired through an index of each signature's
    rarest stems (prefix filtering), so only candidates that can reach the threshold
    are compared.
    """
    exact: dict[tuple[str, ...], _Item] = {}
    groups: dict[tuple[str, ...], list[tuple[_Item, frozenset[str]]]] = defaultdict(list)
    for item in items:
        data = item.data
        block = (data["type"], data["concepts"][0])
        text = (fold(data["prompt"]), fold(_answer_text(data)))
        first = exact.setdefault((*block, *text), item)
        if first is not item:
            yield item.warn("prompt", _twin("duplicate", first), "duplicate")
            continue
        groups[block].append((item, _signature(data)))
    for members in groups.values():
        # Orderings of one path in other words share few stems, so every pair is compared by steps.
        yield from _near(members, _steps(members[0][0].data) is not None)


def _near(members: list[tuple[_Item, frozenset[str]]], ordering: bool) -> Iterator[ContentError]:
    frequency = Counter(token for _, sig in members for token in sig)
    index: dict[str, list[int]] = defaultdict(list)
    for number, (item, sig) in enumerate(members):
        rare_first = sorted(sig, key=lambda token: (frequency[token], token))
        prefix = rare_first[: len(rare_first) - math.ceil(NEAR_JACCARD * len(rare_first)) + 1]
        candidates = sorted({other for token in prefix for other in index[token]})
        if ordering:
            candidates = list(range(number))
        for other in candidates:
            earlier, other_sig = members[other]
            shared = len(sig & other_sig)
            similar = (sig and other_sig and shared / len(sig | other_sig) >= NEAR_JACCARD
                       and shared / min(len(sig), len(other_sig)) >= NEAR_CONTAINMENT)
            if similar or (ordering and _same_path(earlier.data, item.data)):
                yield item.warn("prompt", _twin("near-duplicate", earlier), "near-duplicate")
                break  # one twin named is enough
        for token in prefix:
            index[token].append(number)


def _twin(what: str, first: _Item) -> str:
    return f"{what} of '{first.data['id']}' (first at {first.doc.file}:{first.line()})"
