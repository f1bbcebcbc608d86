"""Anki package (.apkg) export: glossary cards, cloze notes and basic notes, a deck per bank.

The notes are built as plain values (``NoteSpec``) so that ``anki_text`` writes
the very same fields, tags and GUIDs: importing either file into Anki, or both,
updates one set of notes instead of duplicating them.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import sqlite3
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import genanki

from quiz.content.model import Bank, Concept, Question
from quiz.content.types import QUESTION_TYPES, cloze_segments
from quiz.exchange.formats import LOSSY, Format, Support
from quiz.exchange.selection import ExportSet
from quiz.progress import advance

DECK_ROOT = "Virtualization"
GLOSSARY_DECK = f"{DECK_ROOT}::Glossary"
BASIC, REVERSED, CLOZE = "Basic", "Basic (and reversed card)", "Cloze"
# Anki's standard field names, so notes map onto the stock note types too.
FIELD_NAMES = {BASIC: ("Front", "Back"), REVERSED: ("Front", "Back"), CLOZE: ("Text", "Back Extra")}
_BLANK = re.compile(r"\{\{(.*?)\}\}")


@dataclass(frozen=True)
class NoteSpec:
    """One Anki note: its note type (Anki's standard name), deck, two fields, tags and GUID."""

    guid: str
    notetype: str
    deck: str
    fields: tuple[str, str]
    tags: tuple[str, ...]


def stable_id(label: str) -> int:
    """A model or deck id from a fixed string, in the range genanki recommends (not random)."""
    digest = int(hashlib.sha256(f"virt-quiz {label}".encode()).hexdigest()[:12], 16)
    return (1 << 30) + digest % (1 << 30)


def text(value: str) -> str:
    """Our plain text as field HTML: escaped, newlines as <br>, tabs as entities."""
    return html.escape(value).replace("\r\n", "\n").replace("\n", "<br>").replace("\t", "&#9;")


def tag(value: str) -> str:
    """An Anki tag: Anki splits tags on whitespace, so runs of it become underscores."""
    return re.sub(r"\s+", "_", value.strip())


def deck_name(bank: Bank) -> str:
    """The bank's deck; '::' inside a title would make Anki nest a subdeck."""
    title = " ".join(bank.title.replace("::", ":").split())
    return f"{DECK_ROOT}::{title or bank.id}"


def _list(items, css: str) -> str:
    return f"<ul class={css}>" + "".join(f"<li>{text(str(i))}</li>" for i in items) + "</ul>"


def _shuffled(items, seed: str) -> list:
    """A fixed shuffle (hash order) so exports are reproducible and never the answer order."""
    items = list(items)
    mixed = sorted(items, key=lambda i: hashlib.sha256(f"{seed}:{i}".encode()).hexdigest())
    return mixed[1:] + mixed[:1] if mixed == items else mixed


def _prompt(q: Question) -> str:
    return f"<div class=prompt>{text(q.prompt)}</div>"


# What the front shows beside the prompt, keyed by question type like every format.
FRONTS = {
    "single": lambda q: _prompt(q) + _list(q.fields["choices"], "choices"),
    "multiple": lambda q: _prompt(q) + "<div class=hint>Select all that apply.</div>"
    + _list(q.fields["choices"], "choices"),
    "true_false": lambda q: _prompt(q) + "<div class=hint>True or false?</div>",
    "short": lambda q: text(q.prompt),
    "cloze": lambda q: cloze_text(q.prompt),
    "matching": lambda q: _prompt(q) + _list(q.fields["pairs"], "left")
    + _list(_shuffled(q.fields["pairs"].values(), q.id), "right"),
    "ordering": lambda q: _prompt(q) + _list(_shuffled(q.fields["items"], q.id), "items"),
}


def cloze_text(prompt: str) -> str:
    """A cloze prompt in Anki's syntax: blank N becomes {{cN::first alternative}}."""
    segments = cloze_segments(prompt)
    out = [text(segments[0])]
    for number, (raw, after) in enumerate(zip(_BLANK.findall(prompt), segments[1:], strict=True), 1):
        # '::' would end Anki's answer and start a hint, so its second colon becomes an entity.
        answer = text(raw.split("|")[0]).replace("::", ":&#58;")
        out.append(f"{{{{c{number}::{answer}}}}}{text(after)}")
    return "".join(out)


def cloze_alternatives(prompt: str) -> str:
    """The blanks that accept more than one answer, for the back; data-raw keeps the exact blank."""
    lines = []
    for number, raw in enumerate(_BLANK.findall(prompt), 1):
        alternatives = [alt.strip() for alt in raw.split("|")]
        if len(alternatives) > 1:
            shown = text(" or ".join(alternatives))
            lines.append(f"<li data-blank={number} data-raw='{text(raw)}'>Blank {number}: {shown}</li>")
    return f"<ul class=accepted>{''.join(lines)}</ul>" if lines else ""


def source_quote(concept: Concept, source: str) -> str:
    """The verbatim quote a concept is defined by, with its term, section and source."""
    where = text(f"{concept.term}, section {concept.section}" + (f", {source}" if source else ""))
    return f"<blockquote class=source>{text(concept.quote)}<br><small>— {where}</small></blockquote>"


def _quotes(q: Question, concepts: dict[str, Concept], sources: dict[str, str]) -> str:
    return "".join(source_quote(concepts[c], sources.get(c, "")) for c in q.concepts if c in concepts)


def back(q: Question, concepts: dict[str, Concept], sources: dict[str, str]) -> str:
    """The back of a basic note: the answer, other accepted answers, explanation, quotes.

    A question Anki shows only as a flashcard (not a short answer) keeps its type and fields in
    a ``data-question`` attribute, which Anki leaves alone and shows nothing of, so that our
    import of an Anki text export gives the same question back.
    """
    qtype = QUESTION_TYPES[q.type]
    answer = qtype.answer_text({"prompt": q.prompt, **q.fields})
    # A typed answer is what a Basic note is; any other type needs its fields to come back.
    kept = "" if qtype.typed_answers else f" data-question='{text(json.dumps({'type': q.type, **q.fields}))}'"
    parts = [f"<div class=answer{kept}>{text(answer)}</div>"]
    if qtype.typed_answers and len(q.fields["answer"]) > 1:
        parts.append(_list(q.fields["answer"][1:], "accepted"))
    if q.explanation:
        parts.append(f"<div class=explanation>{text(q.explanation)}</div>")
    return "".join(parts) + _quotes(q, concepts, sources)


def back_extra(q: Question, concepts: dict[str, Concept], sources: dict[str, str]) -> str:
    """The Back Extra of a cloze note: accepted alternatives, explanation, quotes."""
    parts = [cloze_alternatives(q.prompt)]
    if q.explanation:
        parts.append(f"<div class=explanation>{text(q.explanation)}</div>")
    return "".join(parts) + _quotes(q, concepts, sources)


def question_tags(q: Question) -> tuple[str, ...]:
    """The question's own tags, its concepts and its difficulty, as Anki tags."""
    return (*(tag(t) for t in q.tags), *(f"concept::{tag(c)}" for c in q.concepts),
            f"difficulty::{q.difficulty}")


def notes(selection: ExportSet) -> list[NoteSpec]:
    """Every note of the selection: its questions bank by bank, then the concepts they test."""
    concepts = selection.concepts
    sources = {c.id: g.source for g in selection.glossaries for c in g.concepts}
    out = []
    for bank, q in selection.questions():
        advance()
        is_cloze = QUESTION_TYPES[q.type].blanks_in_prompt
        fields = (FRONTS[q.type](q), (back_extra if is_cloze else back)(q, concepts, sources))
        out.append(NoteSpec(genanki.guid_for(bank.id, q.id), CLOZE if is_cloze else BASIC,
                            deck_name(bank), fields, question_tags(q)))
    tested = {c for _, q in selection.questions() for c in q.concepts}
    for concept in concepts.values():
        if concept.id in tested:
            definition = f"<div class=definition>{text(concept.definition)}</div>"
            out.append(NoteSpec(
                genanki.guid_for("concept", concept.id), REVERSED, GLOSSARY_DECK,
                (text(concept.term), definition + source_quote(concept, sources.get(concept.id, ""))),
                ("glossary", f"concept::{tag(concept.id)}")))
    return out


CSS = """.card { font-family: sans-serif; font-size: 20px; text-align: left; color: black;
  background-color: white; }
.hint, small { color: #555; font-size: 0.8em; }
.answer { font-weight: bold; }
blockquote.source { border-left: 3px solid #999; margin: 0.8em 0; padding-left: 0.8em; }
.cloze { font-weight: bold; color: blue; }
"""
_BACK = "{{FrontSide}}\n\n<hr id=answer>\n\n{{Back}}"


def _model(notetype: str) -> genanki.Model:
    """Our copy of a stock note type: its own name and a fixed id, so Anki never renames it."""
    fields = [{"name": name} for name in FIELD_NAMES[notetype]]
    templates = {
        BASIC: [{"name": "Card 1", "qfmt": "{{Front}}", "afmt": _BACK}],
        REVERSED: [{"name": "Card 1", "qfmt": "{{Front}}", "afmt": _BACK},
                   {"name": "Card 2", "qfmt": "{{Back}}", "afmt": _BACK.replace("{{Back}}", "{{Front}}")}],
        CLOZE: [{"name": "Cloze", "qfmt": "{{cloze:Text}}", "afmt": "{{cloze:Text}}<br>\n{{Back Extra}}"}],
    }[notetype]
    return genanki.Model(stable_id(f"model {notetype}"), f"{notetype} (virtualization quiz)",
                         fields=fields, templates=templates, css=CSS,
                         model_type=genanki.Model.CLOZE if notetype == CLOZE else genanki.Model.FRONT_BACK)


def build_apkg(selection: ExportSet, timestamp: float) -> bytes:
    """The selection as an Anki package whose notes and cards carry ``timestamp``; same input, same bytes."""
    models = {name: _model(name) for name in FIELD_NAMES}
    decks: dict[str, genanki.Deck] = {}
    for spec in notes(selection):
        deck = decks.setdefault(spec.deck, genanki.Deck(stable_id(f"deck {spec.deck}"), spec.deck))
        deck.add_note(genanki.Note(models[spec.notetype], list(spec.fields), tags=list(spec.tags),
                                   guid=spec.guid))
    package = genanki.Package(list(decks.values()))
    with tempfile.TemporaryDirectory() as tmp:
        # Package.write_to_file leaves its database in the system temp folder and stamps the
        # zip entries with the clock; writing the database here and zipping it ourselves avoids both.
        db_path = Path(tmp) / "collection.anki2"
        conn = sqlite3.connect(db_path)
        try:
            ids = iter(range(int(timestamp * 1000), 1 << 62))
            package.write_to_db(conn.cursor(), timestamp, ids)
            conn.commit()
        finally:
            conn.close()
        out = Path(tmp) / "deck.apkg"
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(zipfile.ZipInfo("collection.anki2", (1980, 1, 1, 0, 0, 0)), db_path.read_bytes(),
                        zipfile.ZIP_DEFLATED)
            zf.writestr(zipfile.ZipInfo("media", (1980, 1, 1, 0, 0, 0)), "{}")
        return out.read_bytes()


def export_apkg(selection: ExportSet) -> bytes:
    """The selection as an Anki package, stamped now (or at SOURCE_DATE_EPOCH when set)."""
    # Anki updates an existing note only from a newer one, so each export must be stamped later
    # than the last; SOURCE_DATE_EPOCH pins the stamp for reproducible builds.
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return build_apkg(selection, float(epoch) if epoch else time.time())


_FULL_NOTE = "a basic note: the choices on the front, the answer, explanation and quotes on the back"
FORMAT = Format(
    name="anki",
    label="Anki package",
    extension=".apkg",
    mimetype="application/octet-stream",
    export=export_apkg,
    support={
        "single": Support(note=_FULL_NOTE),
        "multiple": Support(note=_FULL_NOTE),
        "true_false": Support(note="a basic note: the statement on the front, True or False on the back"),
        "short": Support(note="a basic note; Anki shows the answers, it does not grade typing"),
        "cloze": Support(note="a cloze note, one card per blank; alternatives are listed on the back"),
        "matching": Support(LOSSY, "a flashcard listing both sides (the right one shuffled), the pairs on "
                                   "the back: Anki has no matching exercise"),
        "ordering": Support(LOSSY, "a flashcard listing the items shuffled, the order on the back: "
                                   "Anki has no ordering exercise"),
    },
)
