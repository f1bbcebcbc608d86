"""Moodle XML: structure, Moodle's grades, cloze syntax, escapes, round trips, and hostile input refused."""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest
from lxml import etree

from quiz.content.errors import ContentInvalid
from quiz.content.model import Bank, Question
from quiz.content.types import QUESTION_TYPES, cloze_blanks
from quiz.exchange.exporting import export
from quiz.exchange.formats import FULL, LOSSY
from quiz.exchange.importing import import_bank
from quiz.exchange.moodle_rules import VALID_PERCENTS, adds_up
from quiz.exchange.moodle_xml import FORMAT, cloze_text, export_moodle_xml
from quiz.exchange.moodle_xml_parse import parse_moodle_xml
from quiz.exchange.selection import ExportSet, select

SPECIALS = "<b>tags</b> & \"guests\" 'single' ]]> {1:SA:=x} ~ = # : \\ 50% *stars* -> and a line\nbreak"
MOODLE_TYPES = {"single": "multichoice", "multiple": "multichoice", "true_false": "truefalse",
                "short": "shortanswer", "cloze": "cloze", "matching": "matching", "ordering": "ordering"}
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<quiz><question type="shortanswer"><name><text>&lol9;</text></name></question></quiz>
"""


def one_bank(*questions: Question, title: str = "Escapes / <all> of them") -> ExportSet:
    """A set of one bank holding ``questions``."""
    return ExportSet(title, (Bank("escapes", title, questions),))


def special_questions() -> list[Question]:
    """One question of each type, every text full of characters that XML, HTML or Moodle treat specially."""
    base = {"explanation": f"Because {SPECIALS}", "concepts": ("hypervisor",), "tags": ("edge", "xml")}
    return [
        Question("single", "single", f"Pick {SPECIALS}",
                 fields={"choices": [f"right {SPECIALS}", "wrong <i>"], "answer": f"right {SPECIALS}"},
                 **base),
        Question("multiple", "multiple", f"Pick all {SPECIALS}",
                 fields={"choices": ["a & b", "c < d", "e > f", "g"], "answer": ["a & b", "c < d", "e > f"]},
                 difficulty=2, **base),
        Question("tf", "true_false", f"True? {SPECIALS}", fields={"answer": True}, **base),
        Question("short", "short", f"Name {SPECIALS}", fields={"answer": ["a*b <c>", "d & e ~ # }"]}, **base),
        Question("cloze", "cloze", "A {{x}y~z#w\\v*u&t<s|plain}} and {{second}} in: " + SPECIALS, **base),
        Question("matching", "matching", f"Match {SPECIALS}",
                 fields={"pairs": {"<left> & one": "right <one> &", "two ]]>": "right \\ two"}}, **base),
        Question("ordering", "ordering", f"Order {SPECIALS}",
                 fields={"items": ["first <1>", "second & 2", "third ]]> 3"]}, difficulty=3, **base),
    ]


def parse(data: bytes) -> etree._Element:
    """The exported document, parsed."""
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))


def moodle_cloze_answers(text: str) -> list[list[str]]:
    """Each blank's answers as Moodle's own cloze regexes read them (qtype_multianswer)."""
    blanks = []
    for body in re.findall(r"\{\d*:SHORTANSWER:(.*?)(?<!\\)\}", text, re.DOTALL):
        answers = []
        for alternative in re.finditer(r"~?(=|%(-?\d+)%)?(.+?(?<!\\)(?<!&)(?<!&amp;)(?=[~#}]|$))", body):
            answer = html.unescape(alternative.group(3)).replace("\\}", "}").replace("\\#", "#")
            answers.append(answer.replace("\\*", "*"))  # shortanswer's own wildcard escape
        blanks.append(answers)
    return blanks


# ---------------------------------------------------------------- support and structure

def test_support_is_declared_for_every_type_with_reasons():
    assert set(FORMAT.support) == set(QUESTION_TYPES)
    assert all(s.note for s in FORMAT.support.values() if s.kind != FULL)
    assert FORMAT.support["ordering"].kind == LOSSY and "Ordering" in FORMAT.support["ordering"].note
    assert FORMAT.name == "moodle-xml" and FORMAT.extension == ".xml"


def test_export_is_utf8_with_a_declaration_and_a_category_per_bank(everything):
    data, report = export(FORMAT, everything)
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<quiz>")
    root = parse(data)
    categories = [q.findtext("category/text") for q in root.iter("question") if q.get("type") == "category"]
    assert categories == [f"$course$/Virtualization/{bank.title}" for bank in everything.banks]
    assert report.exported == everything.count()


def test_every_question_has_its_type_name_idnumber_and_concept_tags(everything):
    root = parse(export_moodle_xml(everything))
    written = [q for q in root.iter("question") if q.get("type") != "category"]
    assert len(written) == everything.count()
    for node, (_, question) in zip(written, everything.questions(), strict=True):
        assert node.get("type") == MOODLE_TYPES[question.type]
        assert node.findtext("name/text") == node.findtext("idnumber") == question.id
        assert node.find("questiontext").get("format") == "html"
        tags = [t.text for t in node.findall("tags/tag/text")]
        assert tags == [f"concept:{c}" for c in question.concepts] + list(question.tags) + [
            f"difficulty:{question.difficulty}"]


def test_ordering_uses_moodles_ordering_type_in_the_right_order():
    question = special_questions()[-1]
    node = parse(export_moodle_xml(one_bank(question))).find("question[@type='ordering']")
    assert [a.get("fraction") for a in node.findall("answer")] == ["1", "2", "3"]
    assert [html.unescape(a.findtext("text")) for a in node.findall("answer")] == question.fields["items"]
    assert node.findtext("gradingtype") == "ABSOLUTE_POSITION" and node.findtext("selecttype") == "ALL"


# ---------------------------------------------------------------- fractions

def test_no_fraction_outside_moodles_list_in_any_committed_question(everything):
    root = parse(export_moodle_xml(everything))
    for node in root.iter("question"):
        if node.get("type") in ("multichoice", "truefalse", "shortanswer"):
            fractions = [a.get("fraction") for a in node.findall("answer")]
            assert set(fractions) <= VALID_PERCENTS, node.findtext("name/text")
        if node.get("type") == "multichoice" and node.findtext("single") == "false":
            positive = [Decimal(f) for f in fractions if Decimal(f) > 0]
            assert adds_up(positive), node.findtext("name/text")


def test_three_right_answers_weigh_33_33333_each(content):
    question = next(q for _, q in select(content).questions()
                    if q.type == "multiple" and len(q.fields["answer"]) == 3)
    node = parse(export_moodle_xml(one_bank(question))).find("question[@type='multichoice']")
    fractions = [a.get("fraction") for a in node.findall("answer")]
    assert fractions.count("33.33333") == 3
    assert fractions.count("-33.33333") == len(question.fields["choices"]) - 3


# ---------------------------------------------------------------- escapes and cloze

def test_cloze_blanks_use_moodles_embedded_answer_syntax():
    assert cloze_text("A {{hypervisor|VMM}} and a {{host}}.") == (
        "A {1:SHORTANSWER:=hypervisor~=VMM} and a {1:SHORTANSWER:=host}.")


def test_moodles_cloze_rules_read_our_blanks_back():
    question = special_questions()[4]
    text = cloze_text(question.prompt)
    assert moodle_cloze_answers(text) == cloze_blanks(question.prompt)
    # The literal "{1:SA:=x}" in the text is not taken for a blank.
    assert len(re.findall(r"\{\d*:[A-Z_]+:", text)) == 2


def test_every_special_character_round_trips(content):
    questions = special_questions()
    data = export_moodle_xml(one_bank(*questions))
    parse(data)  # well-formed, "]]>" in text and all
    imported = parse_moodle_xml(data, "x.xml", content.concepts)
    assert imported.title == "Escapes / <all> of them"
    assert [q.data for q in imported.questions] == [q.to_dict() for q in questions]


# ---------------------------------------------------------------- round trips

@pytest.mark.parametrize("bank_id", ["ch01-concepts", "ch01-definitions"])
def test_a_committed_bank_round_trips_through_import_bank(content, bank_id):
    original = content.bank(bank_id)
    data = export_moodle_xml(select(content, banks=[bank_id]))
    bank, _ = import_bank(FORMAT, data, f"{bank_id}.xml", bank_id, content.concepts)
    assert bank.title == original.title
    assert bank.questions == original.questions


def test_special_questions_round_trip_through_import_bank(content):
    questions = special_questions()
    bank, _ = import_bank(FORMAT, export_moodle_xml(one_bank(*questions)), "x.xml", "e", content.concepts)
    assert list(bank.questions) == questions


def test_what_moodle_writes_is_read(content):
    data = b"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
<!-- question: 0  -->
  <question type="category">
    <category><text>$course$/top/Default for X/Virtualization</text></category>
  </question>
<!-- question: 91  -->
  <question type="truefalse">
    <name><text>Host or guest</text></name>
    <questiontext format="html"><text><![CDATA[<p>A host runs <b>guests</b>.</p>]]></text></questiontext>
    <generalfeedback format="html"><text></text></generalfeedback>
    <answer fraction="100" format="moodle_auto_format"><text>true</text></answer>
    <answer fraction="0" format="moodle_auto_format"><text>false</text></answer>
    <tags><tag><text>Chapter One</text></tag></tags>
  </question>
  <question type="shortanswer">
    <name><text>hyp</text></name>
    <questiontext format="html"><text>What controls hardware?</text></questiontext>
    <answer fraction="100"><text>hypervisor</text></answer>
    <answer fraction="0"><text>*</text><feedback><text>No.</text></feedback></answer>
  </question>
</quiz>
"""
    imported = parse_moodle_xml(data, "moodle.xml", content.concepts)
    assert imported.title == "Virtualization"
    assert [q.data for q in imported.questions] == [
        {"id": "host-or-guest", "type": "true_false", "prompt": "A host runs guests.", "answer": True,
         "tags": ["chapter-one"]},
        {"id": "hyp", "type": "short", "prompt": "What controls hardware?", "answer": ["hypervisor"]},
    ]
    assert [q.line for q in imported.questions] == [8, 16]
    bank, _ = import_bank(FORMAT, data, "moodle.xml", "from-moodle", content.concepts)
    assert [q.concepts for q in bank.questions] == [("virtual-machine", "host"), ("hypervisor",)]


# ---------------------------------------------------------------- refused input

def xml(*questions: str) -> bytes:
    """A Moodle XML file with each question on its own lines, starting at line 3."""
    head = '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n'
    return (head + "\n".join(questions) + "\n</quiz>\n").encode()


TF = ('<question type="truefalse"><name><text>ok</text></name><questiontext format="html"><text>A host runs '
      'guests.</text></questiontext><answer fraction="100"><text>true</text></answer>'
      '<answer fraction="0"><text>false</text></answer></question>')

MALFORMED = [
    (xml(TF, '<question type="essay">\n<name><text>e</text></name>\n</question>'),
     [(4, "question type 'essay' is not supported")]),
    (xml('<question type="numerical"></question>', TF, '<question type="ddwtos"></question>'),
     [(3, "'numerical' is not supported"), (5, "'ddwtos' is not supported")]),
    (xml('<question type="shortanswer">\n<answer fraction="50"><text>a</text></answer>\n</question>'),
     [(3, "partial credit (50%)")]),
    (xml('<question type="multichoice"><single>false</single>\n<answer fraction="33"><text>a</text></answer>'
         '<answer fraction="67"><text>b</text></answer></question>'),
     [(3, "fraction '33' is not one of Moodle's grades")]),
    (xml(TF, '<question type="cloze"><questiontext format="html"><text>A {1:MULTICHOICE:=a~b} c'
         '</text></questiontext></question>'), [(4, "cloze blanks of type MULTICHOICE")]),
    (xml('<question type="matching"><subquestion format="html"><text></text><answer><text>x</text>'
         '</answer></subquestion></question>'), [(3, "distractor")]),
    (xml('<question type="shortanswer"><answer fraction="100"><text>any*thing</text></answer></question>'),
     [(3, "wildcard")]),
    (b'<?xml version="1.0"?>\n<quiz>\n<question type="truefalse">\n</quiz>\n', [(4, "not well-formed XML")]),
    (b'<?xml version="1.0"?>\n<questions/>\n', [(2, "not Moodle's <quiz>")]),
    (xml(), [(2, "no questions found")]),
    (b"", [(1, "not well-formed XML")]),
]


@pytest.mark.parametrize(("data", "expected"), MALFORMED, ids=[m[1][0][1] for m in MALFORMED])
def test_malformed_input_fails_at_its_line_and_returns_nothing(content, data, expected):
    with pytest.raises(ContentInvalid) as caught:
        parse_moodle_xml(data, "bad.xml", content.concepts)
    errors = caught.value.errors
    assert [(e.file, e.line) for e in errors] == [("bad.xml", line) for line, _ in expected]
    for error, (_, message) in zip(errors, expected, strict=True):
        assert message in error.message


def test_billion_laughs_is_refused_with_a_clear_message(content):
    with pytest.raises(ContentInvalid) as caught:
        import_bank(FORMAT, BILLION_LAUGHS, "lol.xml", "lol", content.concepts)
    [error] = caught.value.errors
    assert (error.line, error.file) == (2, "lol.xml")
    assert "DOCTYPE is not allowed" in error.message and "billion-laughs" in error.message


def test_external_entities_are_refused_before_any_file_is_read(content):
    data = (b'<?xml version="1.0"?>\n<!DOCTYPE quiz [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
            b'<quiz><question type="truefalse"><name><text>&x;</text></name></question></quiz>\n')
    with pytest.raises(ContentInvalid) as caught:
        parse_moodle_xml(data, "xxe.xml", content.concepts)
    assert "DOCTYPE is not allowed" in str(caught.value)
    assert "root:" not in str(caught.value)
