"""One question as a QTI 2.1 ``assessmentItem``: declarations, body and scoring, by question type.

Scoring follows ``quiz.grading`` wherever QTI can say the same thing:

- single, true_false: ``match_correct`` (all or nothing, as in the app).
- multiple: ``map_response`` with +1/n for each right choice and -1/n for each
  wrong one, bounded to 0..1: the app's "a wrong pick cancels a right one".
- short: ``map_response`` over the accepted answers, ``caseSensitive="false"``.
- cloze: one text entry per blank and explicit rules that average the blanks.
- matching: ``map_response`` with 1/n per right pair (credit per pair, as in the app).
- ordering: ``match_correct``; QTI's templates have no credit per position.

The explanation is a ``modalFeedback`` on an outcome ``FEEDBACK`` whose default
is ``EXPLANATION``: nothing ever changes it, so the feedback shows after every
attempt, and the items keep the standard templates (which only set ``SCORE``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from lxml import etree

from quiz.content.model import Question
from quiz.content.types import QUESTION_TYPES, cloze_blanks, cloze_segments, normalize_text

QTI_NS = "http://www.imsglobal.org/xsd/imsqti_v2p1"
QTI_XSD = "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
TEMPLATES = "http://www.imsglobal.org/question/qti_v2p1/rptemplates/"
TOOL_NAME = "virt-quiz"

_NOT_NAME_CHAR = re.compile(r"[^A-Za-z0-9._-]")


def ncname(text: str) -> str:
    """``text`` made a valid XML NCName (QTI identifiers and package ids must be)."""
    name = _NOT_NAME_CHAR.sub("_", text)
    # An NCName starts with a letter or "_"; slugs may start with a digit.
    return name if name[:1].isalpha() or name[:1] == "_" else f"_{name}"


def one_line(text: str) -> str:
    """``text`` with every run of whitespace one space (for xs:normalizedString attributes)."""
    return " ".join(text.split())


def qti(tag: str) -> str:
    """The qualified name of a QTI element."""
    return f"{{{QTI_NS}}}{tag}"


def el(parent: etree._Element | None, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    """A QTI element, appended to ``parent`` when given; text goes through lxml, so it is escaped."""
    node = etree.Element(qti(tag), attrs) if parent is None else etree.SubElement(parent, qti(tag), attrs)
    if text is not None:
        node.text = text
    return node


def _number(value: float) -> str:
    # repr keeps every digit, so n shares of 1/n add up as closely as floats allow.
    return repr(float(value))


@dataclass(frozen=True)
class Parts:
    """What a question type puts in its item: response declarations, body content, scoring."""

    responses: list[etree._Element]
    body: list[etree._Element]
    processing: etree._Element


def _response(identifier: str, cardinality: str, base_type: str, correct: Iterable[str],
              mapping: dict[str, float] | None = None, *, case_sensitive: bool = True,
              lower: float | None = None, upper: float | None = None) -> etree._Element:
    declaration = el(None, "responseDeclaration", identifier=identifier,
                     cardinality=cardinality, baseType=base_type)
    values = el(declaration, "correctResponse")
    for value in correct:
        el(values, "value", value)
    if mapping is not None:
        bounds = {"lowerBound": lower, "upperBound": upper}
        node = el(declaration, "mapping", defaultValue="0",
                  **{key: _number(value) for key, value in bounds.items() if value is not None})
        for key, mapped in mapping.items():
            entry = el(node, "mapEntry", mapKey=key, mappedValue=_number(mapped))
            if base_type == "string":
                entry.set("caseSensitive", "true" if case_sensitive else "false")
    return declaration


def _template(name: str) -> etree._Element:
    return el(None, "responseProcessing", template=TEMPLATES + name)


def _paragraph(text: str) -> etree._Element:
    return el(None, "p", text)


def _choice_interaction(prompt: str, choices: list[tuple[str, str]], max_choices: int | None,
                        tag: str = "choiceInteraction", shuffle: bool = False) -> etree._Element:
    # Shuffled where study mode shuffles (choices, orderings); true/false keeps its order.
    interaction = el(None, tag, responseIdentifier="RESPONSE", shuffle="true" if shuffle else "false")
    if max_choices is not None:
        interaction.set("maxChoices", str(max_choices))
    el(interaction, "prompt", prompt)
    for identifier, text in choices:
        el(interaction, "simpleChoice", text, identifier=identifier)
    return interaction


def _choices(texts: list[str], prefix: str = "CHOICE") -> dict[str, str]:
    return {text: f"{prefix}_{index}" for index, text in enumerate(texts, start=1)}


def _single(question: Question) -> Parts:
    ids = _choices(question.fields["choices"])
    return Parts(
        [_response("RESPONSE", "single", "identifier", [ids[question.fields["answer"]]])],
        [_choice_interaction(question.prompt, [(i, t) for t, i in ids.items()], 1, shuffle=True)],
        _template("match_correct"),
    )


def _multiple(question: Question) -> Parts:
    ids = _choices(question.fields["choices"])
    answer = set(question.fields["answer"])
    share = 1 / len(answer)
    mapping = {ids[text]: share if text in answer else -share for text in ids}
    correct = [ids[text] for text in ids if text in answer]
    return Parts(
        [_response("RESPONSE", "multiple", "identifier", correct, mapping, lower=0, upper=1)],
        [_choice_interaction(question.prompt, [(i, t) for t, i in ids.items()], 0, shuffle=True)],
        _template("map_response"),
    )


def _true_false(question: Question) -> Parts:
    correct = "TRUE" if question.fields["answer"] else "FALSE"
    return Parts(
        [_response("RESPONSE", "single", "identifier", [correct])],
        [_choice_interaction(question.prompt, [("TRUE", "True"), ("FALSE", "False")], 1)],
        _template("match_correct"),
    )


def accepted_keys(alternatives: list[str]) -> list[str]:
    """Map keys for typed answers: each alternative, then its form without punctuation."""
    # The app ignores spacing and punctuation; QTI compares whole strings, so the
    # folded form is listed too. Keys equal but for case would clash: keep the first.
    keys: dict[str, str] = {}
    for text in [*alternatives, *(normalize_text(alt) for alt in alternatives)]:
        keys.setdefault(one_line(text).casefold(), one_line(text))
    return [key for key in keys.values() if key]


def _text_response(identifier: str, alternatives: list[str]) -> etree._Element:
    keys = accepted_keys(alternatives)
    return _response(identifier, "single", "string", [keys[0]], dict.fromkeys(keys, 1.0),
                     case_sensitive=False)


def _text_entry(parent: etree._Element, identifier: str, alternatives: list[str]) -> etree._Element:
    # A box a little wider than the longest accepted answer, so its size gives nothing away.
    length = max(len(alt) for alt in alternatives) + 5
    return el(parent, "textEntryInteraction", responseIdentifier=identifier, expectedLength=str(length))


def _short(question: Question) -> Parts:
    answer = question.fields["answer"]
    box = el(None, "p")
    _text_entry(box, "RESPONSE", answer)
    return Parts([_text_response("RESPONSE", answer)], [_paragraph(question.prompt), box],
                 _template("map_response"))


def _score(parent: etree._Element) -> etree._Element:
    return el(parent, "setOutcomeValue", identifier="SCORE")


def _cloze(question: Question) -> Parts:
    blanks = cloze_blanks(question.prompt)
    segments = cloze_segments(question.prompt)
    ids = [f"RESPONSE_{number}" for number in range(1, len(blanks) + 1)]
    text = el(None, "p", segments[0])
    for identifier, alternatives, after in zip(ids, blanks, segments[1:], strict=True):
        _text_entry(text, identifier, alternatives).tail = after
    # Explicit rules, as no template scores several responses: the mean of the blanks,
    # an empty blank (NULL in QTI) counting 0, as the app marks each blank.
    rules = el(None, "responseProcessing")
    el(_score(rules), "baseValue", "0", baseType="float")
    for identifier in ids:
        branch = el(el(rules, "responseCondition"), "responseIf")
        el(el(el(branch, "not"), "isNull"), "variable", identifier=identifier)
        total = el(_score(branch), "sum")
        el(total, "variable", identifier="SCORE")
        el(total, "mapResponse", identifier=identifier)
    mean = el(_score(rules), "divide")
    el(mean, "variable", identifier="SCORE")
    el(mean, "baseValue", _number(len(ids)), baseType="float")
    return Parts([_text_response(i, alts) for i, alts in zip(ids, blanks, strict=True)], [text], rules)


def _matching(question: Question) -> Parts:
    pairs: dict[str, str] = question.fields["pairs"]
    lefts, rights = _choices(list(pairs), "LEFT"), _choices(list(pairs.values()), "RIGHT")
    correct = [f"{lefts[left]} {rights[right]}" for left, right in pairs.items()]
    interaction = el(None, "matchInteraction", responseIdentifier="RESPONSE", shuffle="true",
                     maxAssociations=str(len(pairs)))
    el(interaction, "prompt", question.prompt)
    for side in (lefts, rights):
        match_set = el(interaction, "simpleMatchSet")
        for text, identifier in side.items():
            el(match_set, "simpleAssociableChoice", text, identifier=identifier, matchMax="1")
    mapping = dict.fromkeys(correct, 1 / len(pairs))
    return Parts(
        [_response("RESPONSE", "multiple", "directedPair", correct, mapping, lower=0, upper=1)],
        [interaction],
        _template("map_response"),
    )


def _ordering(question: Question) -> Parts:
    ids = _choices(question.fields["items"], "ITEM")
    # Shuffled, or the items would be shown in the right order.
    interaction = _choice_interaction(question.prompt, [(i, t) for t, i in ids.items()], None,
                                      tag="orderInteraction", shuffle=True)
    return Parts([_response("RESPONSE", "ordered", "identifier", list(ids.values()))],
                 [interaction], _template("match_correct"))


BUILDERS: dict[str, Callable[[Question], Parts]] = {
    "single": _single,
    "multiple": _multiple,
    "true_false": _true_false,
    "short": _short,
    "cloze": _cloze,
    "matching": _matching,
    "ordering": _ordering,
}


def item_title(question: Question, limit: int = 80) -> str:
    """A one-line title from the prompt, blanks shown as "___" so a title gives no answer away."""
    blanks = QUESTION_TYPES[question.type].blanks_in_prompt
    text = one_line("___".join(cloze_segments(question.prompt)) if blanks else question.prompt)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _outcome(parent: etree._Element, identifier: str, base_type: str, default: str,
             **attrs: str) -> None:
    declaration = el(parent, "outcomeDeclaration", identifier=identifier, cardinality="single",
                     baseType=base_type, **attrs)
    el(el(declaration, "defaultValue"), "value", default)


def build_item(identifier: str, question: Question) -> etree._Element:
    """The ``assessmentItem`` for one question."""
    parts = BUILDERS[question.type](question)
    item = etree.Element(qti("assessmentItem"), nsmap={None: QTI_NS, "xsi": XSI_NS})
    item.set(f"{{{XSI_NS}}}schemaLocation", f"{QTI_NS} {QTI_XSD}")
    for key, value in (("identifier", identifier), ("title", item_title(question)),
                       ("adaptive", "false"), ("timeDependent", "false"), ("toolName", TOOL_NAME)):
        item.set(key, value)
    item.extend(parts.responses)
    _outcome(item, "SCORE", "float", "0", normalMinimum="0", normalMaximum="1")
    if question.explanation:
        _outcome(item, "FEEDBACK", "identifier", "EXPLANATION")
    el(item, "itemBody").extend(parts.body)
    item.append(parts.processing)
    if question.explanation:
        feedback = el(item, "modalFeedback", outcomeIdentifier="FEEDBACK", identifier="EXPLANATION",
                      showHide="show", title="Explanation")
        el(feedback, "p", question.explanation)
    return item
