"""Grading: every question type right, wrong and partly right; forged responses refused."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from quiz.content.types import QUESTION_TYPES, cloze_blanks
from quiz.content.validate import load_content
from quiz.grading import (
    FORM_PARSERS,
    GRADERS,
    MAX_TEXT,
    Grade,
    InvalidResponse,
    Part,
    _require_every_type,
    grade,
    parse_form,
)

CONTENT = Path(__file__).resolve().parent.parent / "content"

# Bank ids are unique only within a bank, hence the (bank, question) keys.
BANK = {
    (bank.id, question.id): question.to_dict()
    for bank in load_content(CONTENT).banks
    for question in bank.questions
}


def bank(bank_id: str, question_id: str) -> dict:
    """A question from the project's content, as its bank writes it."""
    return BANK[(bank_id, question_id)]


SINGLE = bank("ch01-concepts", "fastest-method")
MULTIPLE = bank("ch01-concepts", "hypervisor-statements")
TRUE_Q = bank("ch01-definitions", "full-virtualization-fact-4")
FALSE_Q = bank("ch01-concepts", "tf-host-is-a-guest")
SHORT = bank("ch01-concepts", "short-name-of-hypervisor")
SHORT_ALTERNATIVES = bank("ch01-definitions", "virtual-machine-name")
CLOZE = bank("ch01-concepts", "cloze-virtualization-definition")
CLOZE_ALTERNATIVES = bank("ch01-concepts", "cloze-host-definition")
MATCHING = bank("ch01-concepts", "match-term-to-definition")
ORDERING = bank("ch01-definitions", "order-emulation-call-path")

HAND_MULTIPLE = {
    "id": "pick-letters", "type": "multiple", "prompt": "Pick the vowels.",
    "choices": ["a", "b", "c", "e", "o"], "answer": ["a", "e", "o"],
}
HAND_CLOZE = {"id": "two-blanks", "type": "cloze", "prompt": "A {{guest|VM}} runs on a {{host}}."}
HAND_MATCHING = {
    "id": "pairs", "type": "matching", "prompt": "Match.",
    "pairs": {"one": "1", "two": "2", "three": "3"},
}
HAND_ORDERING = {
    "id": "count", "type": "ordering", "prompt": "Order.", "items": ["first", "second", "third"],
}

# The right response of each type, built from the question as a page would submit it.
RIGHT_RESPONSE = {
    "single": lambda q: q["answer"],
    "multiple": lambda q: list(reversed(q["answer"])),
    "true_false": lambda q: q["answer"],
    "short": lambda q: q["answer"][-1],
    "cloze": lambda q: [alternatives[-1] for alternatives in cloze_blanks(q["prompt"])],
    "matching": lambda q: dict(reversed(q["pairs"].items())),
    "ordering": lambda q: list(q["items"]),
}

# The form fields that carry a response, per the scheme in quiz.grading's docstring.
FORM_OF = {
    "single": lambda q, r: {"choice": [r]},
    "multiple": lambda q, r: {"choice": list(r)},
    "true_false": lambda q, r: {"choice": ["true" if r else "false"]},
    "short": lambda q, r: {"answer": [r]},
    "cloze": lambda q, r: {f"blank-{i}": [text] for i, text in enumerate(r)},
    "matching": lambda q, r: {f"match-{i}": [r.get(left, "")] for i, left in enumerate(q["pairs"])},
    "ordering": lambda q, r: {f"position-{i}": [item] for i, item in enumerate(r)},
}


# ------------------------------------------------------------------ registry


def test_graders_cover_exactly_the_declared_types() -> None:
    assert GRADERS.keys() == QUESTION_TYPES.keys()


def test_form_parsers_cover_exactly_the_declared_types() -> None:
    assert FORM_PARSERS.keys() == QUESTION_TYPES.keys()


def test_test_tables_cover_every_type() -> None:
    assert RIGHT_RESPONSE.keys() == FORM_OF.keys() == QUESTION_TYPES.keys()


def test_a_table_missing_a_type_fails_the_import_check() -> None:
    partial = {name: None for name in QUESTION_TYPES if name != "cloze"}
    with pytest.raises(RuntimeError, match=r"TABLE: missing types \['cloze'\]"):
        _require_every_type(partial, "TABLE")


def test_a_table_inventing_a_type_fails_the_import_check() -> None:
    padded = {**dict.fromkeys(QUESTION_TYPES), "essay": None}
    with pytest.raises(RuntimeError, match=r"unknown types \['essay'\]"):
        _require_every_type(padded, "TABLE")


def test_every_type_occurs_in_the_project_banks() -> None:
    assert {q["type"] for q in BANK.values()} == QUESTION_TYPES.keys()


@pytest.mark.parametrize("key", sorted(BANK), ids="/".join)
def test_every_bank_question_grades_its_right_answer_right(key: tuple[str, str]) -> None:
    question = BANK[key]
    result = grade(question, RIGHT_RESPONSE[question["type"]](question))
    assert result.correct
    assert result.score == 1.0
    assert result.expected == QUESTION_TYPES[question["type"]].answer_text(question)
    assert all(part.correct for part in result.detail)


@pytest.mark.parametrize("key", sorted(BANK), ids="/".join)
def test_every_bank_question_round_trips_through_its_form(key: tuple[str, str]) -> None:
    question = BANK[key]
    response = RIGHT_RESPONSE[question["type"]](question)
    form = FORM_OF[question["type"]](question, response)
    assert parse_form(question, form) == response


def test_unknown_question_type_is_a_content_error_not_a_response_error() -> None:
    question = {"id": "odd", "type": "essay", "prompt": "Discuss."}
    with pytest.raises(ValueError, match="unknown type 'essay'") as caught:
        grade(question, "text")
    assert not isinstance(caught.value, InvalidResponse)


def test_grade_is_frozen_and_invalid_response_is_a_value_error() -> None:
    result = grade(SINGLE, "Full virtualization")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.score = 0.5  # type: ignore[misc]
    assert issubclass(InvalidResponse, ValueError)
    assert isinstance(result, Grade)


# ------------------------------------------------------------------ single


def test_single_right_and_wrong() -> None:
    assert grade(SINGLE, "Full virtualization") == Grade(True, 1.0, "Full virtualization")
    wrong = grade(SINGLE, "Paravirtualization")
    assert (wrong.correct, wrong.score, wrong.expected) == (False, 0.0, "Full virtualization")
    assert wrong.detail == ()


@pytest.mark.parametrize(
    ("response", "message"),
    [
        ("Fastest", "'Fastest' is not one of the choices"),
        ("full virtualization", "not one of the choices"),  # choices are exact, not typed
        (0, "not int"),
        (["Full virtualization"], "not list"),
        (None, "not NoneType"),
        ("x" * (MAX_TEXT + 1), r"'xxx.*\.\.\. is not one of the choices"),
    ],
)
def test_single_refuses_forged_choices(response: object, message: str) -> None:
    with pytest.raises(InvalidResponse, match=message):
        grade(SINGLE, response)


def test_error_messages_quote_only_the_start_of_huge_values() -> None:
    with pytest.raises(InvalidResponse) as caught:
        grade(SINGLE, "y" * 100_000)
    assert len(str(caught.value)) < 120


# ------------------------------------------------------------------ multiple


def test_multiple_all_right_in_any_order() -> None:
    result = grade(HAND_MULTIPLE, ["o", "a", "e"])
    assert (result.correct, result.score, result.expected) == (True, 1.0, "a; e; o")


@pytest.mark.parametrize(
    ("picks", "score"),
    [
        (["a", "e"], 2 / 3),  # two of three right, none wrong
        (["a"], 1 / 3),
        (["a", "e", "b"], 1 / 3),  # a wrong pick cancels a right one
        (["a", "b", "c"], 0.0),  # more wrong than right: floored at 0
        (["b", "c"], 0.0),
        ([], 0.0),
        (["a", "b", "c", "e", "o"], 1 / 3),  # ticking every box is not rewarded
    ],
)
def test_multiple_partial_credit(picks: list[str], score: float) -> None:
    result = grade(HAND_MULTIPLE, picks)
    assert not result.correct
    assert result.score == pytest.approx(score)


def test_multiple_marks_each_choice() -> None:
    result = grade(HAND_MULTIPLE, ["a", "b"])
    assert result.detail == (
        Part("a", True, True, True),
        Part("b", True, False, False),
        Part("c", False, False, True),
        Part("e", False, True, False),
        Part("o", False, True, False),
    )


def test_multiple_with_a_real_bank_question() -> None:
    right = MULTIPLE["answer"]
    wrong = next(choice for choice in MULTIPLE["choices"] if choice not in right)
    assert grade(MULTIPLE, right[:2]).score == pytest.approx(2 / 3)
    assert grade(MULTIPLE, [*right, wrong]).score == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    ("picks", "message"),
    [
        ("a", "must be a list, not str"),
        ({"a": True}, "must be a list, not dict"),
        (["a", "z"], "'z' is not one of the choices"),
        (["a", 1], "not int"),
        (["a", "a"], "picked more than once"),
        (["a"] * 6, "6 picks for 5 choices"),
        (["a"] * 1_000_000, "1000000 picks for 5 choices"),
    ],
)
def test_multiple_refuses_forged_picks(picks: object, message: str) -> None:
    with pytest.raises(InvalidResponse, match=message):
        grade(HAND_MULTIPLE, picks)


# ------------------------------------------------------------------ true_false


def test_true_false_right_and_wrong() -> None:
    assert grade(TRUE_Q, True) == Grade(True, 1.0, "True")
    assert grade(TRUE_Q, False) == Grade(False, 0.0, "True")
    assert grade(FALSE_Q, False) == Grade(True, 1.0, "False")
    assert grade(FALSE_Q, True).correct is False


@pytest.mark.parametrize("response", [1, 0, "true", "False", None, [True]])
def test_true_false_takes_only_booleans(response: object) -> None:
    with pytest.raises(InvalidResponse, match="expected true or false"):
        grade(TRUE_Q, response)


# ------------------------------------------------------------------ short


@pytest.mark.parametrize(
    "typed", ["hypervisor", "  HYPERVISOR!! ", "Hypervisor.", "the   hypervisor", "A hypervisor?"]
)
def test_short_ignores_case_spacing_and_punctuation(typed: str) -> None:
    result = grade(SHORT, typed)
    assert (result.correct, result.score, result.expected) == (True, 1.0, "hypervisor")


@pytest.mark.parametrize("typed", ["Virtual machine", "vm", "VM.", " Guest ", "virtual-machine"])
def test_short_accepts_every_alternative(typed: str) -> None:
    assert grade(SHORT_ALTERNATIVES, typed).correct


@pytest.mark.parametrize(
    "typed", ["host", "hyper visor", "hypervisor layer", "a", "the", "hypervisorss", "", "  ", "!!!"]
)
def test_short_wrong_answers(typed: str) -> None:
    assert grade(SHORT, typed) == Grade(False, 0.0, "hypervisor")


def test_short_accented_and_hyphenated_alternatives() -> None:
    answers = ["café", "para-virtualization"]
    question = {"id": "q", "type": "short", "prompt": "?", "answer": answers}
    assert grade(question, "CAFE").correct
    assert grade(question, "para virtualization").correct
    # A hyphen may be left out as well as typed as a space.
    assert grade(question, "paravirtualization").correct
    assert not grade(question, "para virtual ization").correct


SHORT_HOST = {"id": "q", "type": "short", "prompt": "?", "answer": ["host"]}
SHORT_METHOD = {"id": "q", "type": "short", "prompt": "?", "answer": ["paravirtualization"]}
SHORT_GUESTS = {"id": "q", "type": "short", "prompt": "?", "answer": ["virtual machines"]}


@pytest.mark.parametrize(("question", "typed"), [
    (SHORT_HOST, "the host"), (SHORT_HOST, "A host"), (SHORT_HOST, "hosts"),
    (SHORT_HOST, "the hosts"),
    (SHORT_METHOD, "para-virtualization"), (SHORT_METHOD, "Para\u2010virtualization"),
    (SHORT_METHOD, "the paravirtualization"),
    (SHORT_GUESTS, "virtual machine"), (SHORT_GUESTS, "a virtual machine"),
    (SHORT_GUESTS, "virtual-machines"), (SHORT_GUESTS, "the Virtual Machines."),
])
def test_short_forgives_articles_plurals_and_hyphens(question: dict, typed: str) -> None:
    """One accepted answer covers its article, plural and hyphen variants, for every question."""
    assert grade(question, typed).correct


@pytest.mark.parametrize(("question", "typed"), [
    (SHORT_HOST, "ghost"), (SHORT_HOST, "hostess"), (SHORT_HOST, "host machine"),
    (SHORT_METHOD, "virtualization"), (SHORT_METHOD, "para"),
    (SHORT_GUESTS, "machines"), (SHORT_GUESTS, "virtual"),
])
def test_short_tolerance_accepts_no_other_word(question: dict, typed: str) -> None:
    assert not grade(question, typed).correct


@pytest.mark.parametrize(("question_id", "typed"), [
    ("short-other-name-for-vms", "guests"), ("short-other-name-for-vms", "a guest"),
    ("short-name-of-host", "the host"), ("short-name-of-host", "hosts"),
    ("short-method-with-modified-guest", "para-virtualization"),
])
def test_hand_written_short_answers_take_the_variants_people_type(question_id: str, typed: str) -> None:
    assert grade(bank("ch01-concepts", question_id), typed).correct


@pytest.mark.parametrize(("question_id", "typed"), [
    ("virtual-machine-name", "guests"), ("virtual-machine-name", "virtual machines"),
    ("virtual-machine-name", "the VMs"), ("host-name", "the host"),
    ("paravirtualization-name", "para-virtualization"),
])
def test_generated_short_answers_take_the_same_variants(question_id: str, typed: str) -> None:
    """The two banks no longer disagree about "the host", "guests" or "para-virtualization"."""
    assert grade(bank("ch01-definitions", question_id), typed).correct


def test_cloze_blanks_forgive_the_same_variants() -> None:
    question = {"id": "q", "type": "cloze", "prompt": "Calls go to {{the hypervisor}} from {{guests}}."}
    assert grade(question, ["hypervisors", "a guest"]).correct


def test_short_text_without_letters_matches_nothing() -> None:
    # Validation rejects such alternatives, but grading must not lean on that.
    question = {"id": "q", "type": "short", "prompt": "?", "answer": ["?!", "C"]}
    assert not grade(question, "!!!").correct
    assert not grade(question, "").correct
    assert grade(question, "c").correct


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (None, "must be text, not NoneType"),
        (["hypervisor"], "must be text, not list"),
        (42, "must be text, not int"),
        ("h" * (MAX_TEXT + 1), f"longer than {MAX_TEXT} characters"),
    ],
)
def test_short_refuses_forged_text(typed: object, message: str) -> None:
    with pytest.raises(InvalidResponse, match=message):
        grade(SHORT, typed)


def test_short_takes_text_up_to_the_limit() -> None:
    assert not grade(SHORT, "h" * MAX_TEXT).correct


# ------------------------------------------------------------------ cloze


def test_cloze_all_right_with_normalisation() -> None:
    result = grade(CLOZE, ["Concurrently", " ISOLATION ", "single."])
    assert (result.correct, result.score) == (True, 1.0)
    assert result.expected == "concurrently; isolation; a single"


def test_cloze_partial_credit_and_detail() -> None:
    result = grade(CLOZE, ["concurrently", "", "multiple"])
    assert not result.correct
    assert result.score == pytest.approx(1 / 3)
    assert result.detail == (
        Part(0, "concurrently", "concurrently", True),
        Part(1, "", "isolation", False),
        Part(2, "multiple", "a single", False),
    )


@pytest.mark.parametrize("typed", ["guest", "Virtual Machine", "vm!"])
def test_cloze_accepts_every_alternative(typed: str) -> None:
    assert grade(CLOZE_ALTERNATIVES, [typed, "physical", "host"]).correct


def test_cloze_each_blank_has_its_own_alternatives() -> None:
    assert grade(HAND_CLOZE, ["VM", "HOST"]).correct
    swapped = grade(HAND_CLOZE, ["host", "guest"])
    assert (swapped.score, swapped.expected) == (0.0, "guest; host")


@pytest.mark.parametrize(
    ("blanks", "message"),
    [
        (["guest", "host", "extra"], "expected 2 blank"),
        (["guest"], "expected 2 blank"),
        ([], "expected 2 blank"),
        ("guest host", "must be a list, not str"),
        ({"0": "guest"}, "must be a list, not dict"),
        (["guest", None], "blank 1 must be text, not NoneType"),
        (["guest", 7], "blank 1 must be text, not int"),
        (["g" * (MAX_TEXT + 1), "host"], f"blank 0 is longer than {MAX_TEXT}"),
    ],
)
def test_cloze_refuses_forged_blanks(blanks: object, message: str) -> None:
    with pytest.raises(InvalidResponse, match=message):
        grade(HAND_CLOZE, blanks)


# ------------------------------------------------------------------ matching


def test_matching_all_right() -> None:
    result = grade(MATCHING, dict(MATCHING["pairs"]))
    assert (result.correct, result.score) == (True, 1.0)
    assert result.expected.startswith("Virtualization → Running software concurrently")


def test_matching_partial_credit_and_detail() -> None:
    result = grade(HAND_MATCHING, {"one": "1", "two": "3", "three": "2"})
    assert not result.correct
    assert result.score == pytest.approx(1 / 3)
    assert result.detail == (
        Part("one", "1", "1", True),
        Part("two", "3", "2", False),
        Part("three", "2", "3", False),
    )


def test_matching_left_out_pairs_are_unanswered() -> None:
    result = grade(HAND_MATCHING, {"two": "2"})
    assert result.score == pytest.approx(1 / 3)
    assert result.detail[0] == Part("one", None, "1", False)
    assert grade(HAND_MATCHING, {}).score == 0.0


def test_matching_may_reuse_a_right_hand_item() -> None:
    # A learner's slip, not a forgery: graded, not refused.
    result = grade(HAND_MATCHING, {"one": "1", "two": "1", "three": "1"})
    assert result.score == pytest.approx(1 / 3)


@pytest.mark.parametrize(
    ("pairs", "message"),
    [
        ({"four": "1"}, "'four' is not a left-hand item"),
        ({"ONE": "1"}, "'ONE' is not a left-hand item"),
        ({1: "1"}, "1 is not a left-hand item"),
        ({"one": "4"}, "'4' is not one of the right-hand items"),
        ({"one": None}, "not NoneType"),
        ({"one": ["1"]}, "not list"),
        ([["one", "1"]], "must be a mapping, not list"),
        ("one=1", "must be a mapping, not str"),
    ],
)
def test_matching_refuses_forged_pairs(pairs: object, message: str) -> None:
    with pytest.raises(InvalidResponse, match=message):
        grade(HAND_MATCHING, pairs)


# ------------------------------------------------------------------ ordering


def test_ordering_right() -> None:
    result = grade(ORDERING, list(ORDERING["items"]))
    assert (result.correct, result.score) == (True, 1.0)
    assert result.expected == "; ".join(ORDERING["items"])


def test_ordering_partial_credit_by_position() -> None:
    result = grade(HAND_ORDERING, ["third", "second", "first"])
    assert not result.correct
    assert result.score == pytest.approx(1 / 3)
    assert result.detail == (
        Part(0, "third", "first", False),
        Part(1, "second", "second", True),
        Part(2, "first", "third", False),
    )
    assert grade(HAND_ORDERING, ["second", "third", "first"]).score == 0.0


@pytest.mark.parametrize(
    "order",
    [
        ["first", "first", "third"],
        ["first", "second"],
        ["first", "second", "third", "first"],
        ["first", "second", "fourth"],
        ["first", "second", 3],
        ["First", "second", "third"],
    ],
)
def test_ordering_refuses_what_is_not_a_permutation(order: list) -> None:
    with pytest.raises(InvalidResponse, match="every item of the question exactly once"):
        grade(HAND_ORDERING, order)


@pytest.mark.parametrize("order", ["first second third", {"first": 0}, None])
def test_ordering_refuses_what_is_not_a_list(order: object) -> None:
    with pytest.raises(InvalidResponse, match="must be a list"):
        grade(HAND_ORDERING, order)


# ------------------------------------------------------------------ forms


def test_form_single_and_true_false() -> None:
    assert parse_form(SINGLE, {"choice": ["Paravirtualization"]}) == "Paravirtualization"
    assert parse_form(TRUE_Q, {"choice": ["false"]}) is False
    assert parse_form(TRUE_Q, {"choice": ["true"]}) is True


def test_form_ignores_fields_outside_the_scheme() -> None:
    form = {"choice": ["Paravirtualization"], "csrf_token": ["t"], "submit": [""], "answer": ["x"]}
    assert parse_form(SINGLE, form) == "Paravirtualization"


def test_form_reads_werkzeug_multidicts_and_flat_dicts() -> None:
    form = MultiDict([("choice", "e"), ("csrf_token", "t"), ("choice", "a")])
    assert parse_form(HAND_MULTIPLE, form) == ["e", "a"]
    assert parse_form(SHORT, {"answer": "Hypervisor"}) == "Hypervisor"


def test_form_cloze_matching_and_ordering() -> None:
    assert parse_form(HAND_CLOZE, {"blank-1": ["host"], "blank-0": [""]}) == ["", "host"]
    matching = {"match-0": ["2"], "match-1": [""], "match-2": ["3"]}
    assert parse_form(HAND_MATCHING, matching) == {"one": "2", "three": "3"}
    ordering = {"position-0": ["second"], "position-1": ["first"], "position-2": ["third"]}
    assert parse_form(HAND_ORDERING, ordering) == ["second", "first", "third"]


@pytest.mark.parametrize(
    ("question", "form", "message"),
    [
        (SINGLE, {}, "no 'choice' field"),
        (SINGLE, {"choice": []}, "no 'choice' field"),
        (SINGLE, {"choice": ["Paravirtualization", "Full virtualization"]}, "2 times"),
        (SINGLE, {"choice": ["Hacked"]}, "'Hacked' is not one of the choices"),
        (SINGLE, {"choice": ["0"]}, "'0' is not one of the choices"),
        (HAND_MULTIPLE, {}, "no choice was ticked"),
        (HAND_MULTIPLE, {"choice": ["a", "z"]}, "'z' is not one of the choices"),
        (HAND_MULTIPLE, {"choice": ["a", "a"]}, "picked more than once"),
        (TRUE_Q, {"choice": ["yes"]}, "must be 'true' or 'false'"),
        (TRUE_Q, {"choice": ["True"]}, "must be 'true' or 'false'"),
        (TRUE_Q, {"choice": ["true", "false"]}, "2 times"),
        (SHORT, {}, "no 'answer' field"),
        (SHORT, {"answer": ["a", "b"]}, "2 times"),
        (SHORT, {"answer": ["h" * (MAX_TEXT + 1)]}, "longer than"),
        (HAND_CLOZE, {"blank-0": ["guest"]}, "no 'blank-1' field"),
        (HAND_CLOZE, {"blank-0": ["a"], "blank-1": ["b"], "blank-2": ["c"]}, "lacks.*blank-2"),
        (HAND_CLOZE, {"blank-0": ["a"], "blank-1": ["b"], "blank-x": ["c"]}, "lacks.*blank-x"),
        (HAND_CLOZE, {"blank-0": ["a", "b"], "blank-1": ["c"]}, "'blank-0' 2 times"),
        (HAND_MATCHING, {"match-0": ["1"], "match-1": ["2"]}, "no 'match-2' field"),
        (HAND_MATCHING, {"match-0": ["1"], "match-1": ["2"], "match-2": ["9"]}, "'9' is not one"),
        (
            HAND_MATCHING,
            {"match-0": ["1"], "match-1": ["2"], "match-2": ["3"], "match-3": ["1"]},
            "lacks.*match-3",
        ),
        (HAND_ORDERING, {"position-0": ["first"], "position-1": ["second"]}, "'position-2'"),
        (
            HAND_ORDERING,
            {"position-0": ["first"], "position-1": ["first"], "position-2": ["third"]},
            "exactly once",
        ),
    ],
)
def test_form_refuses_missing_and_forged_fields(question: dict, form: dict, message: str) -> None:
    with pytest.raises(InvalidResponse, match=message):
        parse_form(question, form)


@pytest.mark.parametrize("key", sorted(BANK), ids="/".join)
def test_form_answers_grade_like_json_answers(key: tuple[str, str]) -> None:
    question = BANK[key]
    response = RIGHT_RESPONSE[question["type"]](question)
    form = FORM_OF[question["type"]](question, response)
    assert grade(question, parse_form(question, form)) == grade(question, response)
