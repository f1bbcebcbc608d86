"""The QTI and Moodle XML exports shuffle a question's parts where study mode does."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from quiz.content.validate import load_content
from quiz.exchange.moodle_xml import export_moodle_xml
from quiz.exchange.qti_items import build_item
from quiz.exchange.selection import select

CONTENT = load_content(Path(__file__).resolve().parent.parent / "content")
# What study mode's layout shuffles (quiz/study/service.py): every part but a true/false's.
STUDY_SHUFFLES = {"single": True, "multiple": True, "true_false": False, "matching": True,
                  "ordering": True}


def first_of(qtype: str):
    return next(q for bank in CONTENT.banks for q in bank.questions if q.type == qtype)


@pytest.mark.parametrize(("qtype", "shuffled"), STUDY_SHUFFLES.items())
def test_qti_shuffles_where_study_mode_does(qtype, shuffled):
    item = build_item("item-1", first_of(qtype))
    interaction = next(e for e in item.iter() if str(e.tag).endswith("Interaction"))
    assert interaction.get("shuffle") == ("true" if shuffled else "false")


@pytest.mark.parametrize("qtype", ["single", "multiple", "matching"])
def test_moodle_xml_shuffles_choices_and_matches(qtype):
    question = first_of(qtype)
    bank = next(b for b in CONTENT.banks if question in b.questions)
    root = etree.fromstring(export_moodle_xml(select(CONTENT, banks=[bank.id])))
    node = next(q for q in root.iter("question") if q.findtext("name/text") == question.id)
    assert node.findtext("shuffleanswers") == "true"
