"""Every format exports whatever text a bank holds: control characters once let in by imports included.

Before, a question with U+0000 or U+0001 (accepted by the CSV and JSON imports)
made the Moodle XML and QTI exports fail for everyone.
"""

from __future__ import annotations

import pytest
from lxml import etree

from quiz.content.model import Bank, Question
from quiz.exchange.registry import FORMATS
from quiz.exchange.selection import ExportSet
from quiz.exchange.xml_text import REPLACEMENT, xml_text
from tests.helpers.qti import CP_XSD, QTI_XSD, invalid_files, load_schema, unzip

BAD = "\x00\x01\x08\x0b\x0c\x1f\ufffe\uffff"


def hostile(content) -> ExportSet:
    """One question of every type with XML-forbidden characters in every text it has."""
    def q(qid, qtype, **fields):
        return Question(qid, qtype, f"Which{BAD} one?", f"Because{BAD}.", ("hypervisor",), fields)

    questions = (
        q("single", "single", choices=[f"a{BAD}", "b"], answer=f"a{BAD}"),
        q("multiple", "multiple", choices=[f"a{BAD}", "b", "c"], answer=[f"a{BAD}", "c"]),
        q("truth", "true_false", answer=True),
        q("typed", "short", answer=[f"host{BAD}", "hosts"]),
        Question("blanks", "cloze", f"A {{{{guest{BAD}|vm}}}} runs{BAD}.", "", ("hypervisor",), {}),
        q("pairs", "matching", pairs={f"Host{BAD}": f"runs{BAD} guests", "Guest": "runs on a host"}),
        q("steps", "ordering", items=[f"first{BAD}", "second", "third"]),
    )
    return ExportSet(f"Hostile{BAD}", (Bank("hostile", f"Hostile{BAD} bank", questions),), content.glossaries)


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_exports_text_with_control_characters(content, name):
    data = FORMATS[name].export(hostile(content))
    assert data


def test_moodle_xml_replaces_what_xml_cannot_hold(content):
    data = FORMATS["moodle-xml"].export(hostile(content))
    root = etree.fromstring(data)
    texts = " ".join(root.itertext())
    assert REPLACEMENT * len(BAD) in texts and "\x01" not in texts


def test_the_qti_package_stays_schema_valid(content):
    files = unzip(FORMATS["qti"].export(hostile(content)))
    assert invalid_files(files, load_schema(QTI_XSD), load_schema(CP_XSD)) == []


def test_only_forbidden_characters_change():
    kept = "tab\tnewline\ncarriage\r é ✓ \U0001d465"
    assert xml_text(kept) == kept
    assert xml_text("a\x00b\ud800c") == f"a{REPLACEMENT}b{REPLACEMENT}c"
