"""Content lint: questions that are valid yet give their answer away or repeat another.

Each finding is a ContentError like any other, ``file:line:col: path: message
[rule]``; `quiz content validate` prints them as warnings, and ``--strict``
(which `make test` uses) makes them errors. The rules:

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
from quiz.content.types import QUESTION_TYPES, cloze_blanks, cloze_segments
from quiz.content.words import ARTICLES, answer_forms, fold, singular, stems

# Words that say where a statement comes from, not what it says.
_ATTRIBUTION = frozenset(stems("according chapter says states question select apply following"))
NEAR_JACCARD = 0.6
NEAR_CONTAINMENT = 0.85
MIN_KEYED = 3
MIN_STATEMENTS = 3
LONG_KEY = 1.5
LONG_KEY_CHARACTERS = 20


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
    data, qtype = item.data, item.data["type"]
    if qtype == "ordering" and len(data["items"]) < 3:
        yield item.warn("items", f"an ordering of {len(data['items'])} items is a coin flip; "
                                 "order three or more, or ask another way", "short-ordering")
    if qtype == "cloze":
        yield from _cloze(item)
    if qtype == "short":
        yield from _short(item)
    if qtype == "single":
        yield from _single(item)


def _content_words(text: str) -> set[str]:
    return {singular(word) for word in fold(text).split() if word not in ARTICLES}


def _visible(alternative: str, shown: set[str]) -> bool:
    needed = _content_words(alternative)
    return bool(needed) and needed <= shown


def _redundant(item: _Item, keys: list[str | NodePath], alternatives: list[str]) -> Iterator[ContentError]:
    """``keys[i]`` is where alternative i is written (a cloze's are all in its prompt)."""
    seen: list[tuple[str, frozenset[str]]] = []
    for key, alternative in zip(keys, alternatives, strict=True):
        forms = answer_forms(alternative)
        twin = next((earlier for earlier, known in seen if forms & known), None)
        if twin is not None:
            yield item.warn(key, f"'{alternative}' is accepted anyway as '{twin}' (articles, "
                                 "plurals and hyphens are forgiven): drop it", "redundant-alternative")
        seen.append((alternative, forms))


def _cloze(item: _Item) -> Iterator[ContentError]:
    prompt = item.data["prompt"]
    segments, blanks = cloze_segments(prompt), cloze_blanks(prompt)
    shown = _content_words(" ".join(segments))
    for number, alternatives in enumerate(blanks, start=1):
        before = fold(segments[number - 1]).split()[-1:]
        if before and before[0] in ("a", "an"):
            yield item.warn("prompt", f"the article '{before[0]}' before blank {number} tells the "
                                      "answer's first sound; put it inside the blank",
                            "article-before-blank")
        for alternative in alternatives:
            if _visible(alternative, shown):
                yield item.warn("prompt", f"blank {number}'s answer '{alternative}' is visible in "
                                          "the prompt", "answer-in-prompt")
        yield from _redundant(item, ["prompt"] * len(alternatives), alternatives)


def _short(item: _Item) -> Iterator[ContentError]:
    shown = _content_words(item.data["prompt"])
    for number, alternative in enumerate(item.data["answer"]):
        if _visible(alternative, shown):
            yield item.warn(("answer", number), f"the answer '{alternative}' is visible in the "
                                                "prompt", "answer-in-prompt")
    answers = item.data["answer"]
    yield from _redundant(item, [("answer", n) for n in range(len(answers))], answers)


def _vowel_sound(text: str) -> bool:
    words = fold(text).split()
    return bool(words) and words[0][0] in "aeiou"


def _single(item: _Item) -> Iterator[ContentError]:
    data = item.data
    key, wrong = data["answer"], [c for c in data["choices"] if c != data["answer"]]
    last = fold(data["prompt"]).split()[-1:]
    if last and last[0] in ("a", "an"):
        agrees = (last[0] == "an") == _vowel_sound(key)
        if agrees and any((last[0] == "an") != _vowel_sound(choice) for choice in wrong):
            yield item.warn("prompt", f"the prompt ends in '{last[0]}', which only some choices "
                                      "follow, the key among them", "article-before-blank")
    longest = max(len(choice) for choice in wrong)
    if len(key) > LONG_KEY * longest and len(key) - longest >= LONG_KEY_CHARACTERS:
        yield item.warn("answer", f"the key is {len(key)} characters, its longest distractor "
                                  f"{longest}: the longest choice gives it away", "long-key")


# ---------------------------------------------------------------- across a bank or every bank


def _keyed_position(doc: Document, items: list[_Item]) -> Iterator[ContentError]:
    positions = [i.data["choices"].index(i.data["answer"]) for i in items if i.data["type"] == "single"]
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
        if item.data["type"] == "true_false":
            statements[item.data["concepts"][0]].append(item)
    for concept, group in statements.items():
        keyed = Counter(item.data["answer"] for item in group)
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


def _same_path(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Two orderings of as many steps, each step sharing a key term with the other's."""
    steps_a, steps_b = a["items"], b["items"]
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
    for (qtype, _), members in groups.items():
        yield from _near(members, qtype == "ordering")


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
