"""Fidelity to the source chapter: nothing in quote marks the chapter does not say.

A glossary names its chapter's text (``source_file``, under the content
folder). Every quote of the glossary, and every passage a question's
explanation puts in quote marks, must be in that text verbatim, whitespace
aside (and the case of its first letter, and its closing punctuation, which
quoting adapts; "..." stands for words left out). Each fact names the passage
that supports it, and that passage holds every key term of the fact. A
generated false statement comes only from a contrast the glossary states,
each side backed by a passage.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from quiz.content.errors import ContentError
from quiz.content.generate import swap_subject
from quiz.content.loader import MAX_FILE_BYTES, Document
from quiz.content.model import Concept, Contrast, Glossary, Source
from quiz.content.words import STOPWORDS, stem, stems

_MARKUP = re.compile(r"\*\*|__|`|^#+\s*", re.MULTILINE)
_QUOTED = re.compile(r"“([^”]*)”|\"([^\"]*)\"")
_ELLIPSIS = re.compile(r"\.\.\.|…")
_WORD = re.compile(r"[^\W_]+")
_SHOWN = 50


def searchable(text: str) -> str:
    """The chapter as quotes are looked up in it: Markdown marks dropped, whitespace collapsed."""
    return " ".join(_MARKUP.sub("", text).split())


def read_source(root: Path, name: str) -> Source | str:
    """The chapter ``name`` under the content folder ``root``, or why it cannot be read."""
    path = (root / name).resolve()
    if Path(name).is_absolute() or not path.is_relative_to(root.resolve()):
        return f"'{name}' must be a file under the content folder"
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return f"'{name}' is larger than the {MAX_FILE_BYTES // (1024 * 1024)} MiB limit"
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        return f"cannot read '{name}': {exc.strerror}"
    except UnicodeDecodeError:
        return f"'{name}' is not valid UTF-8"
    return Source(name, searchable(text))


def is_verbatim(passage: str, source: Source) -> bool:
    """Whether ``passage`` is in the source, each part between ellipses in order."""
    start = 0
    parts = [" ".join(part.split()).strip(" .,;:!?") for part in _ELLIPSIS.split(passage)]
    if not any(parts):
        return True
    for part in filter(None, parts):
        found = min((at for at in (_find_words(source.text, variant, start)
                                   for variant in (part, part[0].swapcase() + part[1:]))
                     if at >= 0), default=-1)
        if found < 0:
            return False
        start = found + len(part)
    return True


def _find_words(text: str, part: str, start: int) -> int:
    """Where ``part`` occurs in ``text`` from ``start`` as whole words ("is slow" is not in
    "is slower"), or -1."""
    found = text.find(part, start)
    while found >= 0:
        before = text[found - 1] if found else " "
        after = text[found + len(part)] if found + len(part) < len(text) else " "
        if not ((part[0].isalnum() and before.isalnum()) or (part[-1].isalnum() and after.isalnum())):
            return found
        found = text.find(part, found + 1)
    return -1


def quoted_passages(text: str) -> list[str]:
    """The passages ``text`` puts in double quote marks, straight or curly."""
    return [curly or straight for curly, straight in _QUOTED.findall(text)]


def missing_key_terms(statement: str, quote: str, own: Concept) -> list[str]:
    """The key terms of ``statement`` that ``quote`` lacks; the concept's own names count
    as present, since a quote may say "this method" for them."""
    present = set(stems(quote)) | set(stems(" ".join((own.term, *own.aliases))))
    missing: list[str] = []
    for word in _WORD.findall(statement.casefold()):
        if word not in STOPWORDS and stem(word) not in present and word not in missing:
            missing.append(word)
    return missing


def _shown(passage: str) -> str:
    passage = " ".join(passage.split())
    return passage if len(passage) <= _SHOWN else passage[: _SHOWN - 1] + "…"


def _not_verbatim(passage: str, source: Source) -> str:
    return f"“{_shown(passage)}” is not verbatim in {source.file}"


def _key_terms_message(missing: list[str]) -> str:
    names = ", ".join(f"'{word}'" for word in missing)
    verb = "is" if len(missing) == 1 else "are"
    return f"{names} {verb} not in its quote"


def check_glossary(glossary: Glossary, doc: Document, concepts: Mapping[str, Concept],
                   errors: list[ContentError]) -> None:
    """Every quote verbatim, every fact's key terms in its quote, every contrast well formed."""
    source = glossary.chapter
    if source is None:
        return
    for index, concept in enumerate(glossary.concepts):
        where = ("concepts", index)
        if not is_verbatim(concept.quote, source):
            errors.append(doc.error((*where, "quote"), _not_verbatim(concept.quote, source)))
        for number, fact in enumerate(concept.facts):
            at = (*where, "facts", number)
            if not is_verbatim(fact.quote, source):
                errors.append(doc.error((*at, "quote"), _not_verbatim(fact.quote, source)))
            elif missing := missing_key_terms(fact.text, fact.quote, concept):
                errors.append(doc.error((*at, "fact"), _key_terms_message(missing)))
    for index, sequence in enumerate(glossary.sequences):
        if not is_verbatim(sequence.quote, source):
            errors.append(doc.error(("sequences", index, "quote"),
                                    _not_verbatim(sequence.quote, source)))
    for index, contrast in enumerate(glossary.contrasts):
        _check_contrast(contrast, ("contrasts", index), source, doc, concepts, errors)


def _check_contrast(contrast: Contrast, where: tuple[str | int, ...], source: Source, doc: Document,
                    concepts: Mapping[str, Concept], errors: list[ContentError]) -> None:
    for key in ("quote", "against"):
        passage = getattr(contrast, key)
        if not is_verbatim(passage, source):
            errors.append(doc.error((*where, key), _not_verbatim(passage, source)))
    true_of, false_of = concepts.get(contrast.true_of), concepts.get(contrast.false_of)
    for key, concept in (("true_of", true_of), ("false_of", false_of)):
        if concept is None:
            errors.append(doc.error((*where, key),
                                    f"no glossary defines concept '{getattr(contrast, key)}'"))
    if true_of is None or false_of is None:
        return
    if true_of.id == false_of.id:
        errors.append(doc.error((*where, "false_of"), "a contrast needs two different concepts"))
        return
    if is_verbatim(contrast.quote, source) and (
            missing := missing_key_terms(contrast.fact, contrast.quote, true_of)):
        errors.append(doc.error((*where, "fact"), _key_terms_message(missing)))
    if swap_subject(contrast.fact, true_of, false_of) is None:
        errors.append(doc.error((*where, "fact"), (
            f"must start with '{true_of.term}' or 'In {true_of.term.lower()},' and not name "
            f"{false_of.term.lower()}, to be restated about it")))


def check_explanation(doc: Document, index: int, item: dict[str, Any], concepts: Mapping[str, Concept],
                      errors: list[ContentError]) -> None:
    """Every passage the question's explanation quotes is in the chapter of its concepts."""
    explanation, refs = item.get("explanation"), item.get("concepts")
    if not isinstance(explanation, str) or not isinstance(refs, list):
        return
    sources = {chapter for ref in refs
               if isinstance(ref, str) and ref in concepts and (chapter := concepts[ref].chapter) is not None}
    if not sources:
        return
    for passage in quoted_passages(explanation):
        if not any(is_verbatim(passage, source) for source in sources):
            file = " or ".join(sorted(source.file for source in sources))
            errors.append(doc.error(("questions", index, "explanation"),
                                    f"quotes “{_shown(passage)}”, which is not in {file}"))
