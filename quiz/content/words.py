"""Words of content text, folded for comparison: typed answers, key terms, near-duplicates.

Two foldings live here. ``answer_forms`` is what grading compares a typed
answer by: case, accents, spacing and punctuation, a leading article, simple
plurals and hyphens do not matter ("the para-virtualizations" is
"paravirtualization"). ``stems`` reduces text to the stems of its content
words (Snowball's English stemmer), so "runs" and "running" are one key term;
fidelity and lint compare by them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

ARTICLES = frozenset({"a", "an", "the"})
# Words that carry no content of their own: a key term is any other word.
STOPWORDS = ARTICLES | frozenset({
    "also", "and", "are", "as", "at", "be", "been", "being", "both", "but", "by", "can",
    "could", "do", "does", "each", "for", "from", "has", "have", "if", "in", "into", "is", "it",
    "its", "may", "not", "of", "on", "one", "or", "so", "such", "than", "that", "the", "their",
    "s", "them", "then", "there", "these", "they", "this", "those", "to", "under", "was", "were",
    "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would",
})
_HYPHENS = "-\u2010\u2011\u2012\u00ad"
_HYPHEN_MARK = "\x00"
_WORD = re.compile(r"[^\W_]+")
_ASCII_GAPS = re.compile(r"[^a-z0-9]+")
_STEMMER = snowballstemmer.stemmer("english")


def fold(text: str) -> str:
    """Lowercase, without accents; every run of non-letters and non-digits one space."""
    if text.isascii():  # most content: no accents to strip, so one regular expression
        return " ".join(_ASCII_GAPS.sub(" ", text.lower()).split())
    folded = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(c if c.isalnum() else " " for c in folded if not unicodedata.combining(c))
    return " ".join(kept.split())


def words(text: str) -> list[str]:
    """The folded words of ``text``, in order."""
    return fold(text).split()


def singular(word: str) -> str:
    """A folded word without a simple English plural ending: guests, VMs, interfaces, copies."""
    if len(word) < 3 or not word.endswith("s") or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    return word[:-1]


def _answer_form(text: str) -> str:
    parts = fold(text).split()
    if len(parts) > 1 and parts[0] in ARTICLES:
        parts = parts[1:]
    return " ".join(singular(part) for part in parts)


@lru_cache(maxsize=4096)
def answer_forms(text: str) -> frozenset[str]:
    """The forms a typed answer is compared by (empty when it has no letters or digits).

    A hyphen may be typed as nothing or as a space, so "para-virtualization"
    matches "paravirtualization" and "para virtualization"; a space alone is
    not optional ("hyper visor" is not "hypervisor").
    """
    marked = "".join(_HYPHEN_MARK if c in _HYPHENS else c for c in text)
    forms = {_answer_form(marked.replace(_HYPHEN_MARK, "")),
             _answer_form(marked.replace(_HYPHEN_MARK, " "))}
    forms.discard("")
    return frozenset(forms)


def same_answer(typed: str, alternatives: list[str]) -> bool:
    """Whether ``typed`` is one of ``alternatives`` under ``answer_forms``."""
    forms = answer_forms(typed)
    return bool(forms) and any(forms & answer_forms(alt) for alt in alternatives)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball (English) stem of one lowercase word."""
    stemmed: str = _STEMMER.stemWord(word)  # snowballstemmer ships no types
    return stemmed


def stems(text: str) -> list[str]:
    """The stems of the content words of ``text`` (stopwords left out), in order."""
    return [stem(word) for word in _WORD.findall(text.casefold()) if word not in STOPWORDS]
