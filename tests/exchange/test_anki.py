"""Anki exports, checked by Anki's own importer: .apkg packages and the text import format."""

from __future__ import annotations

import html
import io
import itertools
import zipfile
from collections import Counter
from dataclasses import replace
from pathlib import Path

import genanki
import pytest

from quiz.content.errors import ContentInvalid
from quiz.content.model import Bank, Content, Question
from quiz.content.types import QUESTION_TYPES, cloze_blanks
from quiz.exchange import anki, anki_text
from quiz.exchange.anki import (
    CLOZE,
    FRONTS,
    build_apkg,
    cloze_alternatives,
    cloze_text,
    export_apkg,
    notes,
    question_tags,
    tag,
    text,
)
from quiz.exchange.anki_text import cloze_prompt, export_text, parse_text
from quiz.exchange.importing import import_bank
from quiz.exchange.selection import ExportSet, select

try:
    from anki.collection import (
        Collection,
        ImportAnkiPackageOptions,
        ImportAnkiPackageRequest,
        ImportCsvRequest,
    )
except ImportError as exc:  # reported by the fixture below as a failure, never a skip
    Collection = None
    ANKI_PROBLEM = (f"the official 'anki' package (Anki's own importer) cannot be imported: {exc!r}. "
                    "Install the test extra: pip install -e '.[test]'")

STAMP = 1_700_000_000.0
HEADER_LINES = len(anki_text.HEADER)
# A question id whose note GUID starts with '#', which Anki would read as a comment line if unquoted.
HASH_ID = next(f"hash-{n}" for n in itertools.count()
               if genanki.guid_for("edge", f"hash-{n}").startswith("#"))


def _q(qid: str, qtype: str, prompt: str, **fields) -> Question:
    explanation = fields.pop("explanation", "Because the chapter says so.")
    tags = fields.pop("tags", ())
    difficulty = fields.pop("difficulty", 1)
    return Question(qid, qtype, prompt, explanation, ("hypervisor",), fields, tags, difficulty)


@pytest.fixture(scope="module")
def edge(content: Content) -> ExportSet:
    """One question of every type, with text that HTML, tabs, newlines and Anki syntax could break."""
    questions = (
        _q("escaped", "short", 'Type <b>bold</b> & "quotes" \'here\'\nsecond line\twith a tab',
           answer=["<b>", "a & b", "x|y"], explanation="Line 1\n\nLine 3 <i>", tags=("edge", "escaping"),
           difficulty=3),
        _q("blanks", "cloze", "A {{ guest | virtual machine }} runs C++ {{std::vector}} on a {{host}}."),
        _q(HASH_ID, "single", "Which <one>?", choices=["<a>", "b & c"], answer="<a>"),
        _q("several", "multiple", "Which?", choices=["a", "b", "c"], answer=["a", "c"]),
        _q("statement", "true_false", "The hypervisor controls hardware.", answer=True),
        _q("pairs", "matching", "Match.", pairs={"Host": "runs guests", "Guest": "runs on a host"}),
        _q("steps", "ordering", "Order.", items=["first", "second", "third"]),
    )
    return ExportSet("Edge", (Bank("edge", "Edge :: cases", questions),), content.glossaries)


@pytest.fixture
def collection(tmp_path: Path):
    """An empty Anki collection, opened by the official library."""
    if Collection is None:
        pytest.fail(ANKI_PROBLEM)
    col = Collection(str(tmp_path / "collection.anki2"))
    yield col
    col.close()


def import_apkg(col, data: bytes, path: Path):
    """Import a package the way Anki's File > Import does, with its default options; the log."""
    path.write_bytes(data)
    request = ImportAnkiPackageRequest(package_path=str(path), options=ImportAnkiPackageOptions())
    return col.import_anki_package(request).log


def import_text(col, data: bytes, path: Path):
    """Import a text file with the settings Anki reads from its headers; the log."""
    path.write_bytes(data)
    metadata = col.get_csv_metadata(str(path), None)
    return col.import_csv(ImportCsvRequest(path=str(path), metadata=metadata)).log


def note_by_guid(col, guid: str):
    """The note with this GUID (GUIDs hold characters Anki's search syntax would read)."""
    return next(note for note in map(col.get_note, col.find_notes("")) if note.guid == guid)


def assert_every_note_has_cards(col) -> None:
    """Anki accepts notes that make no card (a cloze without deletions), so count cards per note."""
    cardless = [nid for nid in col.find_notes("") if not col.card_ids_of_note(nid)]
    assert cardless == []


def expected_notetypes(selection: ExportSet) -> Counter:
    return Counter(spec.notetype for spec in notes(selection))


# ---------------------------------------------------------------- declarations


@pytest.mark.parametrize("fmt", [anki.FORMAT, anki_text.FORMAT], ids=lambda f: f.name)
def test_every_type_is_declared(fmt):
    assert set(fmt.support) == set(QUESTION_TYPES)
    assert set(FRONTS) == set(QUESTION_TYPES)


def test_format_names():
    assert (anki.FORMAT.name, anki.FORMAT.extension) == ("anki", ".apkg")
    assert (anki_text.FORMAT.name, anki_text.FORMAT.extension) == ("anki-text", ".txt")
    assert anki_text.FORMAT.parse is parse_text


# ---------------------------------------------------------------- rendering


def test_text_is_escaped_for_fields():
    assert text('<b>&"\'\nx\ty') == "&lt;b&gt;&amp;&quot;&#x27;<br>x&#9;y"
    assert text("a\r\nb") == "a<br>b"


def test_fronts_escape_prompts_and_list_choices(edge):
    single = edge.banks[0].questions[2]
    front = FRONTS["single"](single)
    assert front == ("<div class=prompt>Which &lt;one&gt;?</div>"
                     "<ul class=choices><li>&lt;a&gt;</li><li>b &amp; c</li></ul>")


def test_shuffled_items_are_fixed_and_never_the_answer_order(edge):
    ordering = edge.banks[0].questions[6]
    front = FRONTS["ordering"](ordering)
    assert front == FRONTS["ordering"](ordering)
    assert "<li>first</li><li>second</li><li>third</li>" not in front


def test_tags_have_no_spaces_and_carry_concepts_and_difficulty(edge):
    assert tag(" two  words ") == "two_words"
    assert question_tags(edge.banks[0].questions[0]) == ("edge", "escaping", "concept::hypervisor",
                                                        "difficulty::3")


def test_cloze_blanks_become_numbered_deletions():
    prompt = "A {{ guest | virtual machine }} runs C++ {{std::vector}} on a {{host}} & <more>."
    converted = cloze_text(prompt)
    assert converted == ("A {{c1:: guest }} runs C++ {{c2::std:&#58;vector}} on a {{c3::host}} "
                         "&amp; &lt;more&gt;.")
    assert cloze_alternatives(prompt) == ("<ul class=accepted><li data-blank=1 data-raw=' guest | virtual "
                                          "machine '>Blank 1: guest or virtual machine</li></ul>")
    assert cloze_alternatives("no {{alternatives}}") == ""


def test_cloze_deletions_convert_back():
    prompt = "A {{ guest | virtual machine }} runs C++ {{std::vector}} on a {{host}} & <more>."
    assert cloze_prompt(cloze_text(prompt), cloze_alternatives(prompt)) == prompt
    # Someone else's cloze: hints dropped, one blank per deletion, repeated numbers kept as blanks.
    assert cloze_prompt("{{c1::Xen::a hypervisor}} and {{c2::KVM}} or {{c1::QEMU}}") == \
        "{{Xen}} and {{KVM}} or {{QEMU}}"


def test_notes_are_questions_plus_the_concepts_they_test(content):
    selection = select(content, concepts=["host"])
    specs = notes(selection)
    tested = {c for _, q in selection.questions() for c in q.concepts}
    assert len(specs) == selection.count() + len(tested)
    for (bank, question), spec in zip(selection.questions(), specs, strict=False):
        assert spec.guid == genanki.guid_for(bank.id, question.id)
        assert spec.deck == f"Virtualization::{bank.title}"
    glossary = [s for s in specs if s.deck == anki.GLOSSARY_DECK]
    assert {s.tags[1] for s in glossary} == {f"concept::{c}" for c in tested}
    host = content.concepts["host"]
    assert any(text(host.quote) in s.fields[1] and f"section {host.section}" in s.fields[1] for s in glossary)


def test_deck_names_cannot_nest(edge):
    assert {spec.deck for spec in notes(edge)} == {"Virtualization::Edge : cases", anki.GLOSSARY_DECK}


# ---------------------------------------------------------------- .apkg


def test_apkg_is_repeatable(everything, monkeypatch):
    data = build_apkg(everything, STAMP)
    assert data == build_apkg(everything, STAMP)
    assert zipfile.ZipFile(io.BytesIO(data)).namelist() == ["collection.anki2", "media"]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(STAMP)))
    assert export_apkg(everything) == data


def test_apkg_imports_into_anki(everything, collection, tmp_path):
    log = import_apkg(collection, build_apkg(everything, STAMP), tmp_path / "all.apkg")
    specs = notes(everything)
    assert len(log.new) == len(specs) == collection.note_count()
    assert_every_note_has_cards(collection)
    for bank in everything.banks:
        assert collection.decks.id_for_name(f"Virtualization::{bank.title}")
    for _, question in everything.questions():
        if question.type == "cloze":
            nid = collection.find_notes(f'"tag:concept::{question.concepts[0]}" "note:Cloze*"')
            assert nid
    clozes = [spec for spec in specs if spec.notetype == CLOZE]
    cloze_cards = sum(len(collection.card_ids_of_note(nid)) for nid in collection.find_notes('"note:Cloze*"'))
    assert cloze_cards == sum(spec.fields[0].count("{{c") for spec in clozes)
    guids = {collection.get_note(nid).guid for nid in collection.find_notes("")}
    assert guids == {spec.guid for spec in specs}


def test_apkg_reimport_updates_instead_of_duplicating(everything, collection, tmp_path):
    import_apkg(collection, build_apkg(everything, STAMP), tmp_path / "first.apkg")
    again = import_apkg(collection, build_apkg(everything, STAMP), tmp_path / "again.apkg")
    assert len(again.new) == 0
    bank = everything.banks[0]
    edited = replace(bank.questions[0], prompt=bank.questions[0].prompt + " (edited)")
    newer = replace(everything, banks=(replace(bank, questions=(edited, *bank.questions[1:])),
                                       *everything.banks[1:]))
    log = import_apkg(collection, build_apkg(newer, STAMP + 60), tmp_path / "newer.apkg")
    assert len(log.new) == 0
    assert collection.note_count() == len(notes(everything))
    assert "(edited)" in note_by_guid(collection, genanki.guid_for(bank.id, edited.id)).fields[0]


def test_apkg_edge_cases_render_in_anki(edge, collection, tmp_path):
    import_apkg(collection, build_apkg(edge, STAMP), tmp_path / "edge.apkg")
    assert collection.note_count() == len(notes(edge))
    assert_every_note_has_cards(collection)
    short = note_by_guid(collection, genanki.guid_for("edge", "escaped"))
    question_html = short.cards()[0].question()
    assert "Type &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quotes&quot;" in question_html
    assert sorted(short.tags) == ["concept::hypervisor", "difficulty::3", "edge", "escaping"]
    cloze = note_by_guid(collection, genanki.guid_for("edge", "blanks"))
    cards = sorted(cloze.cards(), key=lambda card: card.ord)
    assert len(cards) == 3
    assert "std::vector" in html.unescape(cards[1].answer())
    assert "[...]" in cards[1].question() and "std::vector" not in html.unescape(cards[1].question())
    assert "virtual machine" in html.unescape(cards[0].answer())


# ---------------------------------------------------------------- anki-text in Anki


def test_text_imports_into_anki(everything, collection, tmp_path):
    log = import_text(collection, export_text(everything), tmp_path / "all.txt")
    specs = notes(everything)
    assert len(log.new) == len(specs) == collection.note_count()
    found = Counter(collection.get_note(nid).note_type()["name"] for nid in collection.find_notes(""))
    assert found == expected_notetypes(everything)
    assert_every_note_has_cards(collection)
    guids = {collection.get_note(nid).guid for nid in collection.find_notes("")}
    assert guids == {spec.guid for spec in specs}
    again = import_text(collection, export_text(everything), tmp_path / "again.txt")
    assert len(again.new) == 0 and collection.note_count() == len(specs)


def test_text_edge_cases_import_into_anki(edge, collection, tmp_path):
    data = export_text(edge)
    assert f'"{genanki.guid_for("edge", HASH_ID)}"\t' in data.decode()
    log = import_text(collection, data, tmp_path / "edge.txt")
    assert len(log.new) == len(notes(edge)) == collection.note_count()
    assert_every_note_has_cards(collection)
    short = note_by_guid(collection, genanki.guid_for("edge", "escaped"))
    assert short.fields[0] == text(edge.banks[0].questions[0].prompt)
    cloze = note_by_guid(collection, genanki.guid_for("edge", "blanks"))
    assert len(cloze.cards()) == 3


def test_parser_reads_ankis_own_text_export(content, collection, tmp_path):
    selection = select(content)
    ours = export_text(selection)
    import_text(collection, ours, tmp_path / "ours.txt")
    exported = tmp_path / "from-anki.txt"
    collection.export_note_csv(out_path=str(exported), limit=None, with_html=True, with_tags=True,
                               with_deck=True, with_notetype=True, with_guid=True)
    from_anki = parse_text(exported.read_bytes(), "from-anki.txt", content.concepts)
    direct = parse_text(ours, "ours.txt", content.concepts)
    assert len(direct.questions) == selection.count()
    assert canonical(from_anki.questions) == canonical(direct.questions)


def canonical(questions) -> list[str]:
    """Questions comparable across Anki: it sorts a note's tags, so concept and tag order is not kept."""
    return sorted(repr({**item.data, "concepts": sorted(item.data["concepts"]),
                        "tags": sorted(item.data.get("tags", []))}) for item in questions)


# ---------------------------------------------------------------- anki-text parser


def test_round_trip_gives_back_every_question_but_its_id(edge, everything, content):
    for selection in (edge, everything):
        imported = parse_text(export_text(selection), "back.txt", content.concepts)
        originals = [q for _, q in selection.questions()]
        assert len(imported.questions) == len(originals)
        for original, item in zip(originals, imported.questions, strict=True):
            data, expected = dict(item.data), original.to_dict()
            data.pop("id"), expected.pop("id")
            assert data == expected


def test_round_trip_through_import_bank(edge, content):
    bank, yaml_text = import_bank(anki_text.FORMAT, export_text(edge), "edge.txt", "edge-back",
                                  content.concepts)
    assert bank.title == "Edge : cases"
    assert [q.type for q in bank.questions] == [q.type for _, q in edge.questions()]
    cloze = bank.questions[1]
    assert cloze_blanks(cloze.prompt) == [["guest", "virtual machine"], ["std::vector"], ["host"]]
    assert bank.questions[5].fields["pairs"] == {"Host": "runs guests", "Guest": "runs on a host"}
    assert "Imported from edge.txt" in yaml_text


def test_another_tools_basic_note_becomes_a_short_question_and_a_long_answer_is_refused(content):
    body = HEAD + "\n".join([
        "g1\tBasic\tD\tWhat runs guests?\t<div class=answer>A host</div>\tconcept::host",
        "g2\tBasic\tD\tWhat is a hypervisor?\t<div class=answer>" + "software " * 30 + "</div>\t",
    ]) + "\n"
    with pytest.raises(ContentInvalid) as caught:
        parse_text(body.encode(), "theirs.txt", content.concepts)
    refused = [(e.line, "longer than 200" in e.message) for e in caught.value.errors]
    assert refused == [(HEADER_LINES + 2, True)]
    first = parse_text(body.split("\ng2")[0].encode() + b"\n", "theirs.txt", content.concepts).questions[0]
    assert (first.data["type"], first.data["answer"]) == ("short", ["A host"])


def test_a_kept_question_that_is_not_json_is_refused_on_its_line(content):
    body = (HEAD + "g1\tBasic\tD\t<div class=prompt>Which?</div>\t"
            "<div class=answer data-question='{x'>a</div>\t\n")
    with pytest.raises(ContentInvalid) as caught:
        parse_text(body.encode(), "bad.txt", content.concepts)
    assert [(e.line, e.message) for e in caught.value.errors] == [
        (HEADER_LINES + 1, "the answer's data-question attribute is not valid JSON")]


def _parse_errors(body: str | bytes) -> list[tuple[int, str]]:
    data = body if isinstance(body, bytes) else body.encode()
    with pytest.raises(ContentInvalid) as caught:
        parse_text(data, "bad.txt", {})
    return [(error.line, error.message) for error in caught.value.errors]


HEAD = "\n".join(anki_text.HEADER) + "\n"


def test_parser_refuses_malformed_lines_with_their_numbers():
    body = HEAD + "\n".join([
        "g1\tBasic\tD\tfront\tback\t",            # line 7: fine
        "g2\tBasic\tD\tfront\tback\textra\t",     # line 8: 7 columns
        "g3\tBasic\tD\tonly front",               # line 9: 4 columns
        "g4\tVocabulary\tD\tfront\tback\t",       # line 10: unknown note type
        "g5\tCloze\tD\tno deletion here\t\t",     # line 11: a cloze that makes no card
        "# a comment line is skipped",            # line 12
        "g6\tCloze\tD\t{{c1::fine}}\t\t",         # line 13: fine
    ]) + "\n"
    errors = _parse_errors(body)
    assert [line for line, _ in errors] == [8, 9, 10, 11]
    assert "expected 6 columns" in errors[0][1] and "found 7" in errors[0][1]
    assert "found 4" in errors[1][1]
    assert "unknown note type 'Vocabulary'" in errors[2][1]
    assert "{{c1::...}}" in errors[3][1]


def test_parser_refuses_long_lines_and_non_utf8():
    long_line = "g1\tBasic\tD\t" + "x" * 20_001 + "\tback\t"
    assert _parse_errors(HEAD + "g0\tBasic\tD\tf\tb\t\n" + long_line + "\n") == \
        [(8, "line longer than 20000 characters")]
    assert _parse_errors(HEAD.encode() + b"g0\tBasic\tD\tf\tb\t\ng1\tBasic\tD\t\xff\tb\t\n") == \
        [(8, "not UTF-8 text")]


def test_parser_refuses_bad_headers():
    assert [line for line, _ in _parse_errors("#separator:tab\n#colour:blue\nfront\tback\n")] == [1, 2]
    errors = _parse_errors("#separator:tab\n#notetype:Basic\n#guid column:4\nfront\tback\n")
    assert errors == [(3, "the column headers must name distinct columns and leave exactly two for the "
                          "note's fields")]


def test_parser_reads_plain_files_with_a_fixed_note_type(content):
    data = "#separator:tab\n#html:false\n#notetype:Basic\n#tags:imported\nWhat is a VM?\tA guest\nmore\n"
    with pytest.raises(ContentInvalid) as caught:  # the lone 'more' line has one column
        parse_text(data.encode(), "plain.txt", content.concepts)
    assert [(e.line, "found 1" in e.message) for e in caught.value.errors] == [(6, True)]
    data = ("#separator:tab\n#html:false\n#notetype:Basic\n#tags:imported\n"
            "What runs a <VM>?\t\"A hypervisor\nIt controls hardware.\"\n")
    imported = parse_text(data.encode(), "plain.txt", content.concepts)
    assert [q.data for q in imported.questions] == [{
        "id": "what-runs-a-vm", "type": "short", "prompt": "What runs a <VM>?", "answer": ["A hypervisor"],
        "explanation": "It controls hardware.", "concepts": [], "tags": ["imported"]}]
    assert imported.questions[0].line == 5


def test_glossary_cards_are_not_questions(content):
    selection = select(content, concepts=["host"])
    imported = parse_text(export_text(selection), "g.txt", content.concepts)
    assert len(imported.questions) == selection.count()


def test_a_stray_quote_mark_before_a_line_break_is_refused_on_its_line():
    # A '"' inside an unquoted field used to join the next line into it and crash the CSV reader.
    errors = _parse_errors(HEAD + 'g1\tBasic\tD\tfr"ont\tback\t\ng2\tBasic\tD\tf\tb\t\n')
    assert errors == [(7, "a line break inside a field that is not quoted (is a '\"' missing?)")]
