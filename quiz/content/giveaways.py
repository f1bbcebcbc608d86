"""What gives an answer away or adds nothing: the text tests behind the per-question lint rules.

Each question type's ``lint`` uses these on its own fields; ``quiz.content.lint``
turns what they find into warnings. A finding is (path, message, rule).
"""

from __future__ import annotations

from collections.abc import Iterator

from quiz.content.errors import Path
from quiz.content.words import ARTICLES, answer_forms, fold, singular

Finding = tuple[Path, str, str]

# A key this many times its longest distractor's length, and this many characters longer, stands out.
LONG_KEY = 1.5
LONG_KEY_CHARACTERS = 20


def content_words(text: str) -> set[str]:
    """The text's words, folded and singular, articles left out."""
    return {singular(word) for word in fold(text).split() if word not in ARTICLES}


def visible(alternative: str, shown: set[str]) -> bool:
    """Whether every content word of an answer is among the words a prompt shows."""
    needed = content_words(alternative)
    return bool(needed) and needed <= shown


def vowel_sound(text: str) -> bool:
    """Whether the text starts with a vowel letter, the sound 'an' goes before."""
    words = fold(text).split()
    return bool(words) and words[0][0] in "aeiou"


def last_article(text: str) -> str | None:
    """The article 'a' or 'an' that ends the text, or None."""
    last = fold(text).split()[-1:]
    return last[0] if last and last[0] in ("a", "an") else None


def shown_answers(prompt: str, paths: list[Path], alternatives: list[str]) -> Iterator[Finding]:
    """Typed answers (alternative i written at ``paths[i]``) whose words the prompt shows."""
    shown = content_words(prompt)
    for path, alternative in zip(paths, alternatives, strict=True):
        if visible(alternative, shown):
            yield path, f"the answer '{alternative}' is visible in the prompt", "answer-in-prompt"


def redundant(paths: list[Path], alternatives: list[str]) -> Iterator[Finding]:
    """Alternatives the grader accepts anyway as an earlier one; ``paths[i]`` is where i is written."""
    seen: list[tuple[str, frozenset[str]]] = []
    for path, alternative in zip(paths, alternatives, strict=True):
        forms = answer_forms(alternative)
        twin = next((earlier for earlier, known in seen if forms & known), None)
        if twin is not None:
            yield path, (f"'{alternative}' is accepted anyway as '{twin}' (articles, plurals and "
                         "hyphens are forgiven): drop it"), "redundant-alternative"
        seen.append((alternative, forms))
