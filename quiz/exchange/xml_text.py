"""Text that XML 1.0 can hold, so that an XML export never fails on the text it is given.

XML forbids most control characters (U+0000 to U+001F but tab, newline and
carriage return), U+FFFE, U+FFFF and lone surrogates; lxml refuses to write
them. Imports accepted such text before they refused it, and what the
database or a bank file holds must still export: each one becomes U+FFFD,
the replacement character, so the reader sees that something was there.
"""

from __future__ import annotations

import re
from dataclasses import replace

from quiz.content.model import Bank, Concept, Question
from quiz.exchange.selection import ExportSet

REPLACEMENT = "\ufffd"
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` with every character XML cannot hold replaced by U+FFFD."""
    return _FORBIDDEN.sub(REPLACEMENT, text)


def _clean(value):
    """Any plain value with its strings (keys too) made XML-safe."""
    if isinstance(value, str):
        return xml_text(value)
    if isinstance(value, list | tuple):
        return type(value)(_clean(item) for item in value)
    if isinstance(value, dict):
        return {_clean(key): _clean(item) for key, item in value.items()}
    return value


def _question(question: Question) -> Question:
    return replace(question, id=xml_text(question.id), prompt=xml_text(question.prompt),
                   explanation=xml_text(question.explanation), concepts=_clean(question.concepts),
                   fields=_clean(question.fields), tags=_clean(question.tags))


def _concept(concept: Concept) -> Concept:
    return replace(concept, term=xml_text(concept.term), definition=xml_text(concept.definition),
                   quote=xml_text(concept.quote), section=xml_text(concept.section),
                   facts=_clean(concept.facts), aliases=_clean(concept.aliases))


def xml_safe(selection: ExportSet) -> ExportSet:
    """The selection with every text an XML writer may use made safe for XML (unchanged if it was)."""
    banks = tuple(Bank(xml_text(b.id), xml_text(b.title), tuple(_question(q) for q in b.questions),
                       b.file, b.generated) for b in selection.banks)
    glossaries = tuple(replace(g, title=xml_text(g.title), source=xml_text(g.source),
                               concepts=tuple(_concept(c) for c in g.concepts))
                       for g in selection.glossaries)
    return ExportSet(xml_text(selection.title), banks, glossaries)

