"""The QTI 2.1 package: valid against the official schemas, complete, repeatable, escaped, right answers."""

from __future__ import annotations

import io
import itertools
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from quiz.content.model import Bank, Question
from quiz.content.types import QUESTION_TYPES, cloze_blanks, cloze_segments
from quiz.exchange.formats import FULL
from quiz.exchange.qti import FORMAT, MANIFEST, TEST_FILE, package_items
from quiz.exchange.qti_items import QTI_NS, accepted_keys, one_line
from quiz.exchange.selection import ExportSet
from quiz.grading import grade
from tests.helpers.qti import CP_XSD, QTI_XSD, SCHEMAS, invalid_files, load_schema, offline_parser, unzip

CP_NS = "http://www.imsglobal.org/xsd/imscp_v1p1"
Q = {"q": QTI_NS}
CP = {"cp": CP_NS}


@pytest.fixture(scope="module")
def qti_schema() -> etree.XMLSchema:
    return load_schema(QTI_XSD)


@pytest.fixture(scope="module")
def cp_schema() -> etree.XMLSchema:
    return load_schema(CP_XSD)


@pytest.fixture(scope="module")
def package(everything: ExportSet) -> bytes:
    return FORMAT.export(everything)


@pytest.fixture(scope="module")
def files(package: bytes) -> dict[str, bytes]:
    return unzip(package)


def test_every_question_type_has_an_entry() -> None:
    assert set(FORMAT.support) == set(QUESTION_TYPES)
    assert not FORMAT.skipped_types()
    assert all(s.note for s in FORMAT.support.values() if s.kind != FULL)


def test_every_item_the_test_and_the_manifest_are_schema_valid(files, qti_schema, cp_schema) -> None:
    assert invalid_files(files, qti_schema, cp_schema) == []


def test_schema_imports_of_remote_urls_resolve_offline(tmp_path: Path) -> None:
    if not (SCHEMAS / "w3" / "xml.xsd").is_file():
        pytest.skip(f"QTI schemas not found: {SCHEMAS / 'w3' / 'xml.xsd'}")
    xsd = tmp_path / "remote-import.xsd"
    xsd.write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:t"'
        ' elementFormDefault="qualified">'
        '<xs:import namespace="http://www.w3.org/XML/1998/namespace"'
        ' schemaLocation="http://www.w3.org/2001/xml.xsd"/>'
        '<xs:element name="a"><xs:complexType><xs:attribute ref="xml:lang"/></xs:complexType></xs:element>'
        "</xs:schema>"
    )
    schema = etree.XMLSchema(etree.parse(str(xsd), offline_parser(SCHEMAS)))
    assert schema.validate(etree.fromstring(b'<a xmlns="urn:t" xml:lang="en"/>'))
    xsd.write_text(xsd.read_text().replace("www.w3.org/2001/xml.xsd", "example.invalid/xml.xsd"))
    with pytest.raises(etree.XMLSchemaParseError):
        etree.XMLSchema(etree.parse(str(xsd), offline_parser(SCHEMAS)))


def items_by_id(files: dict[str, bytes]) -> dict[str, etree._Element]:
    roots = (etree.fromstring(data) for name, data in files.items() if name.startswith("items/"))
    return {root.get("identifier"): root for root in roots}


def test_every_question_appears_as_an_item(everything: ExportSet, files) -> None:
    items = items_by_id(files)
    expected = {f"{bank.id}-{q.id}": q for bank, q in everything.questions()}
    assert set(items) == set(expected)
    assert len(items) == everything.count()
    for identifier, root in items.items():
        assert files[f"items/{identifier}.xml"]  # the file is named by the identifier
        assert root.get("adaptive") == "false" and root.get("timeDependent") == "false"
        assert root.get("title")
    test = etree.fromstring(files[TEST_FILE])
    sections = test.findall("q:testPart/q:assessmentSection", Q)
    assert [s.get("identifier") for s in sections] == [bank.id for bank in everything.banks]
    refs = [ref.get("identifier") for ref in test.iterfind(".//q:assessmentItemRef", Q)]
    assert refs == [f"{bank.id}-{q.id}" for bank, q in everything.questions()]
    assert {ref.get("href") for ref in test.iterfind(".//q:assessmentItemRef", Q)} <= set(files)


def test_the_manifest_lists_every_file_and_nothing_else(files) -> None:
    manifest = etree.fromstring(files[MANIFEST])
    resources = manifest.findall("cp:resources/cp:resource", CP)
    listed = [f.get("href") for r in resources for f in r.findall("cp:file", CP)]
    assert sorted(listed) == sorted(set(files) - {MANIFEST})
    ids = {r.get("identifier") for r in resources}
    for resource in resources:
        assert resource.get("href") in [f.get("href") for f in resource.findall("cp:file", CP)]
        assert {d.get("identifierref") for d in resource.findall("cp:dependency", CP)} <= ids
    kinds = sorted(r.get("type") for r in resources)
    assert kinds == ["imsqti_item_xmlv2p1"] * (len(files) - 2) + ["imsqti_test_xmlv2p1"]
    test = next(r for r in resources if r.get("type") == "imsqti_test_xmlv2p1")
    assert len(test.findall("cp:dependency", CP)) == len(files) - 2


def test_the_zip_is_byte_identical_across_exports(everything: ExportSet, package: bytes) -> None:
    assert FORMAT.export(everything) == package
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        names = archive.namelist()
        assert names == sorted(names)
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


HOSTILE = '<script>alert("x")</script> & <b>bold</b>'


def hostile_bank() -> Bank:
    """One question of each type with markup and ampersands in every text it has."""
    def question(qid: str, qtype: str, prompt: str = HOSTILE, **fields) -> Question:
        return Question(id=qid, type=qtype, prompt=prompt, explanation=f"Because {HOSTILE}",
                        concepts=("hypervisor",), fields=fields, tags=("x",))
    return Bank(id="hostile", title=f"Bank {HOSTILE}", questions=(
        question("single", "single", choices=[HOSTILE, "B & C"], answer=HOSTILE),
        question("multiple", "multiple", choices=[HOSTILE, "B & C", "D"], answer=[HOSTILE, "D"]),
        question("true-false", "true_false", answer=True),
        question("short", "short", answer=["A & B", "<tag>"]),
        question("cloze", "cloze", prompt=f"{HOSTILE} {{{{R&D|<x>}}}} then & <i>"),
        question("matching", "matching", pairs={HOSTILE: "a & b", "<c>": "d"}),
        question("ordering", "ordering", items=[HOSTILE, "x & y"]),
    ))


def hostile_files() -> tuple[Bank, dict[str, bytes]]:
    bank = hostile_bank()
    return bank, unzip(FORMAT.export(ExportSet(bank.title, (bank,))))


def test_markup_and_ampersands_in_text_are_escaped() -> None:
    bank, files = hostile_files()
    for name, data in files.items():
        assert b"<script>" not in data and b"<b>" not in data, name
    single = files["items/hostile-single.xml"]
    assert b"&lt;script&gt;" in single and b"&amp;" in single
    item = etree.fromstring(single)
    assert item.findtext(".//q:prompt", namespaces=Q) == HOSTILE
    assert item.findtext(".//q:modalFeedback/q:p", namespaces=Q) == f"Because {HOSTILE}"
    assert etree.fromstring(files[TEST_FILE]).find(".//q:assessmentSection", Q).get("title") == bank.title
    check_answers(items_by_id(files), [(bank, q) for q in bank.questions])


def correct(item: etree._Element, identifier: str = "RESPONSE") -> list[str]:
    declaration = item.find(f"q:responseDeclaration[@identifier='{identifier}']", Q)
    return [v.text for v in declaration.iterfind("q:correctResponse/q:value", Q)]


def mapping(item: etree._Element, identifier: str = "RESPONSE") -> tuple[etree._Element, dict[str, float]]:
    node = item.find(f"q:responseDeclaration[@identifier='{identifier}']/q:mapping", Q)
    return node, {e.get("mapKey"): float(e.get("mappedValue")) for e in node.iterfind("q:mapEntry", Q)}


def texts(item: etree._Element, tag: str = "simpleChoice") -> dict[str, str]:
    return {c.get("identifier"): c.text for c in item.iter(f"{{{QTI_NS}}}{tag}")}


def interaction(item: etree._Element) -> etree._Element:
    return next(e for e in item.find("q:itemBody", Q).iter() if str(e.tag).endswith("Interaction"))


def template(item: etree._Element) -> str:
    return item.find("q:responseProcessing", Q).get("template", "").rsplit("/", 1)[-1]


def mapped_score(item: etree._Element, response: list[str]) -> float:
    """What ``map_response`` gives a multiple response: the sum of its entries, within the bounds."""
    node, values = mapping(item)
    total = sum(values.get(key, float(node.get("defaultValue", 0))) for key in set(response))
    return min(max(total, float(node.get("lowerBound", "-inf"))), float(node.get("upperBound", "inf")))


def _single(item, q):
    assert interaction(item).get("maxChoices") == "1" and template(item) == "match_correct"
    assert [texts(item)[v] for v in correct(item)] == [q.fields["answer"]]
    assert list(texts(item).values()) == q.fields["choices"]


def _multiple(item, q):
    assert interaction(item).get("maxChoices") == "0" and template(item) == "map_response"
    choices = texts(item)
    assert {choices[v] for v in correct(item)} == set(q.fields["answer"])
    # Every possible set of picks scores in QTI what it scores in the app.
    ids = {text: identifier for identifier, text in choices.items()}
    for size in range(len(ids) + 1):
        for picks in itertools.combinations(q.fields["choices"], size):
            expected = grade(q.to_dict(), list(picks)).score
            assert mapped_score(item, [ids[p] for p in picks]) == pytest.approx(expected), picks


def _true_false(item, q):
    assert texts(item) == {"TRUE": "True", "FALSE": "False"} and template(item) == "match_correct"
    assert correct(item) == ["TRUE" if q.fields["answer"] else "FALSE"]


def _accepts(item, identifier, alternatives):
    node, values = mapping(item, identifier)
    assert set(values) >= {one_line(a) for a in alternatives}
    assert list(values) == accepted_keys(alternatives) and set(values.values()) == {1.0}
    assert {e.get("caseSensitive") for e in node} == {"false"}
    assert correct(item, identifier) == [one_line(alternatives[0])]


def _short(item, q):
    assert interaction(item).tag == f"{{{QTI_NS}}}textEntryInteraction" and template(item) == "map_response"
    _accepts(item, "RESPONSE", q.fields["answer"])


def _cloze(item, q):
    paragraph = item.find("q:itemBody/q:p", Q)
    boxes = paragraph.findall("q:textEntryInteraction", Q)
    assert [paragraph.text or "", *(box.tail or "" for box in boxes)] == cloze_segments(q.prompt)
    for box, alternatives in zip(boxes, cloze_blanks(q.prompt), strict=True):
        _accepts(item, box.get("responseIdentifier"), alternatives)
    assert item.find("q:responseProcessing", Q).get("template") is None  # explicit rules
    assert item.find("q:responseProcessing/q:responseCondition", Q) is not None


def _matching(item, q):
    choices = texts(item, "simpleAssociableChoice")
    pairs = dict(tuple(choices[side] for side in value.split()) for value in correct(item))
    assert pairs == q.fields["pairs"] and template(item) == "map_response"
    ids = {text: identifier for identifier, text in choices.items()}
    lefts, rights = list(q.fields["pairs"]), list(q.fields["pairs"].values())
    for order in itertools.islice(itertools.permutations(rights), 120):
        response = dict(zip(lefts, order, strict=True))
        qti = [f"{ids[left]} {ids[right]}" for left, right in response.items()]
        assert mapped_score(item, qti) == pytest.approx(grade(q.to_dict(), response).score)


def _ordering(item, q):
    assert interaction(item).get("shuffle") == "true" and template(item) == "match_correct"
    assert item.find("q:responseDeclaration", Q).get("cardinality") == "ordered"
    assert [texts(item)[v] for v in correct(item)] == q.fields["items"]


READERS: dict[str, Callable[[etree._Element, Question], None]] = {
    "single": _single, "multiple": _multiple, "true_false": _true_false, "short": _short,
    "cloze": _cloze, "matching": _matching, "ordering": _ordering,
}


def check_answers(items: dict[str, etree._Element], questions: list[tuple[Bank, Question]]) -> None:
    for bank, q in questions:
        item = items[f"{bank.id}-{q.id}"]
        READERS[q.type](item, q)
        feedback = item.findtext("q:modalFeedback/q:p", namespaces=Q)
        assert feedback == (q.explanation or None)


def test_correct_responses_match_our_answers(everything: ExportSet, files) -> None:
    assert set(READERS) == set(QUESTION_TYPES)
    assert {q.type for _, q in everything.questions()} == set(QUESTION_TYPES)  # every reader runs
    check_answers(items_by_id(files), everything.questions())


def test_hostile_text_and_an_empty_selection_make_valid_packages(qti_schema, cp_schema) -> None:
    assert invalid_files(hostile_files()[1], qti_schema, cp_schema) == []
    files = unzip(FORMAT.export(ExportSet("Nothing", ())))
    assert sorted(files) == [TEST_FILE, MANIFEST]
    assert invalid_files(files, qti_schema, cp_schema) == []


def test_identifiers_that_join_alike_stay_distinct() -> None:
    def bank(bank_id: str, question_id: str) -> Bank:
        question = Question(question_id, "true_false", "P?", "", ("host",), {"answer": True})
        return Bank(bank_id, bank_id, (question,))
    items = package_items(ExportSet("t", (bank("a-b", "c"), bank("a", "b-c"), bank("9a", "x"))))
    assert [i.identifier for i in items] == ["a-b-c", "a-b-c-2", "_9a-x"]
