"""IMS QTI 2.1 content package (.zip): a manifest, one ``assessmentItem`` per question, one test.

The package holds ``imsmanifest.xml`` (IMS CP 1.1), ``items/<bank>-<question>.xml``
and ``assessment-test.xml``: one test part, one section per bank, a reference to
every item, tagged with its concepts and tags as item-ref categories. How each
question type becomes an item is in ``qti_items``. The bytes depend only on the
selection: entries are sorted and every zip field that could vary is fixed.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass

from lxml import etree

from quiz.content.model import Bank, Question
from quiz.exchange.formats import FULL, LOSSY, Format, Support
from quiz.exchange.qti_items import QTI_NS, QTI_XSD, TOOL_NAME, XSI_NS, build_item, el, ncname, one_line
from quiz.exchange.selection import ExportSet
from quiz.exchange.xml_text import xml_safe
from quiz.progress import advance

CP_NS = "http://www.imsglobal.org/xsd/imscp_v1p1"
CP_XSD = "http://www.imsglobal.org/xsd/imscp_v1p1.xsd"
MANIFEST = "imsmanifest.xml"
TEST_FILE = "assessment-test.xml"
ITEM_TYPE, TEST_TYPE = "imsqti_item_xmlv2p1", "imsqti_test_xmlv2p1"
# 1980-01-01 is the earliest time a zip entry can hold; any fixed time makes the bytes repeatable.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)

_TYPED = "typed answers match ignoring case only (the app also ignores spacing and punctuation); " \
         "each accepted answer is listed again without punctuation"
SUPPORT: dict[str, Support] = {
    "single": Support(FULL),
    "multiple": Support(FULL),
    "true_false": Support(FULL),
    "short": Support(LOSSY, _TYPED),
    "cloze": Support(LOSSY, _TYPED),
    "matching": Support(FULL),
    "ordering": Support(LOSSY, "scored all or nothing (the app gives credit for each right position)"),
}


@dataclass(frozen=True)
class PackagedItem:
    """One question's place in the package: its identifier, file and categories."""

    identifier: str
    href: str
    bank: Bank
    question: Question

    @property
    def resource(self) -> str:
        """The manifest resource id of the item."""
        return f"RES-{self.identifier}"

    @property
    def categories(self) -> list[str]:
        """Concepts and tags as QTI categories, so a test author can pick items by them."""
        return [ncname(f"concept-{c}") for c in self.question.concepts] + [
            ncname(f"tag-{t}") for t in self.question.tags
        ]


def package_items(selection: ExportSet) -> list[PackagedItem]:
    """Every selected question with a unique identifier and file name, in bank and file order."""
    items: list[PackagedItem] = []
    taken: set[str] = set()
    for bank, question in selection.questions():
        base = ncname(f"{bank.id}-{question.id}")
        identifier, number = base, 1
        # "a-b" + "c" and "a" + "b-c" join alike; a number keeps both.
        while identifier in taken:
            number += 1
            identifier = f"{base}-{number}"
        taken.add(identifier)
        items.append(PackagedItem(identifier, f"items/{identifier}.xml", bank, question))
    return items


def _xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _sum_of_scores(parent: etree._Element) -> None:
    el(el(parent, "setOutcomeValue", identifier="SCORE"), "sum").append(
        el(None, "testVariables", variableIdentifier="SCORE")
    )


def build_test(selection: ExportSet, items: list[PackagedItem]) -> etree._Element:
    """The ``assessmentTest``: one part, a section per bank, a reference to every item."""
    test = etree.Element(f"{{{QTI_NS}}}assessmentTest", nsmap={None: QTI_NS, "xsi": XSI_NS})
    test.set(f"{{{XSI_NS}}}schemaLocation", f"{QTI_NS} {QTI_XSD}")
    test.set("identifier", ncname(one_line(selection.title) or "test"))
    test.set("title", one_line(selection.title))
    test.set("toolName", TOOL_NAME)
    total = el(test, "outcomeDeclaration", identifier="SCORE", cardinality="single", baseType="float")
    el(el(total, "defaultValue"), "value", "0")
    # Nonlinear and individual: a learner moves freely and sees each explanation at once.
    part = el(test, "testPart", identifier="part-1", navigationMode="nonlinear",
              submissionMode="individual")
    el(part, "itemSessionControl", showFeedback="true", allowReview="true")
    sections: dict[str, etree._Element] = {}
    for item in items:
        if item.bank.id not in sections:
            sections[item.bank.id] = el(part, "assessmentSection", identifier=ncname(item.bank.id),
                                        title=one_line(item.bank.title), visible="true")
        ref = el(sections[item.bank.id], "assessmentItemRef", identifier=item.identifier, href=item.href)
        if item.categories:
            ref.set("category", " ".join(item.categories))
    if not sections:
        # A test part needs a section; an empty selection still makes a valid package.
        el(part, "assessmentSection", identifier="empty", title=one_line(selection.title), visible="true")
    _sum_of_scores(el(test, "outcomeProcessing"))
    return test


def _cp(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    node = etree.SubElement(parent, f"{{{CP_NS}}}{tag}", attrs)
    if text is not None:
        node.text = text
    return node


def _manifest_id(selection: ExportSet, items: list[PackagedItem]) -> str:
    # Derived from what the package holds: the same selection gives the same id, another a new one.
    digest = hashlib.sha256("\n".join([selection.title, *(i.identifier for i in items)]).encode())
    return f"MANIFEST-{digest.hexdigest()[:16]}"


def build_manifest(selection: ExportSet, items: list[PackagedItem]) -> etree._Element:
    """The IMS CP 1.1 manifest: a resource per item and one for the test, which depends on them."""
    manifest = etree.Element(f"{{{CP_NS}}}manifest", nsmap={None: CP_NS, "xsi": XSI_NS})
    manifest.set("identifier", _manifest_id(selection, items))
    manifest.set(f"{{{XSI_NS}}}schemaLocation", f"{CP_NS} {CP_XSD}")
    metadata = _cp(manifest, "metadata")
    _cp(metadata, "schema", "QTIv2.1 Package")
    _cp(metadata, "schemaversion", "1.0.0")
    _cp(manifest, "organizations")
    resources = _cp(manifest, "resources")
    test = _cp(resources, "resource", identifier="RES-TEST", type=TEST_TYPE, href=TEST_FILE)
    _cp(test, "file", href=TEST_FILE)
    for item in items:
        _cp(test, "dependency", identifierref=item.resource)
    for item in items:
        resource = _cp(resources, "resource", identifier=item.resource, type=ITEM_TYPE, href=item.href)
        _cp(resource, "file", href=item.href)
    return manifest


def package_files(selection: ExportSet) -> dict[str, bytes]:
    """Every file of the package by its path in the zip."""
    selection = xml_safe(selection)
    items = package_items(selection)
    files = {}
    for item in items:
        files[item.href] = _xml(build_item(item.identifier, item.question))
        advance()
    files[TEST_FILE] = _xml(build_test(selection, items))
    files[MANIFEST] = _xml(build_manifest(selection, items))
    return files


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix; the default depends on the machine that writes
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return buffer.getvalue()


def export(selection: ExportSet) -> bytes:
    """The selection as a QTI 2.1 content package (.zip)."""
    return _zip(package_files(selection))


FORMAT = Format(
    name="qti",
    label="IMS QTI 2.1 content package",
    extension=".zip",
    mimetype="application/zip",
    export=export,
    support=SUPPORT,
    parse=None,
)
