"""Bounded whole numbers and no control characters, in files and in every import."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quiz.content.errors import ContentInvalid
from quiz.content.loader import MAX_INT, load_text
from quiz.content.validate import load_content, validate_bank_text
from quiz.content.writer import dump_yaml
from quiz.exchange.importing import import_bank
from quiz.exchange.registry import FORMATS

CONCEPTS = load_content(Path(__file__).resolve().parent.parent / "content").concepts


def bank_with(**changes) -> str:
    """A one-question bank, as an importer hands it to the validator, with ``changes`` made."""
    question = {"id": "q", "type": "true_false", "prompt": "The hypervisor controls hardware.",
                "answer": True, "concepts": ["hypervisor"], **changes}
    return dump_yaml({"id": "imported", "title": "Imported", "questions": [question]})


def messages(text: str) -> list[str]:
    with pytest.raises(ContentInvalid) as caught:
        validate_bank_text(text, "imported.yaml", CONCEPTS)
    return [error.message for error in caught.value.errors]


@pytest.mark.parametrize("value", [MAX_INT, -MAX_INT - 1])
def test_the_largest_whole_numbers_load(value):
    assert load_text(f"n: {value}\n".encode(), "n.yaml").data == {"n": value}


@pytest.mark.parametrize("literal", [str(MAX_INT + 1), str(-MAX_INT - 2), "9" * 4301,
                                     "0x1" + "0" * 16, "0b1" + "0" * 64, "1_000" * 2000])
def test_a_whole_number_beyond_64_bits_is_refused_without_converting_it(literal):
    with pytest.raises(ContentInvalid) as caught:
        load_text(f"n: {literal}\n".encode(), "n.yaml")
    assert [str(e) for e in caught.value.errors] == [
        f"n.yaml:1:4: n: whole number out of range: more than 64 bits (the largest is {MAX_INT})"]


@pytest.mark.parametrize("char", [chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20),
                                                   *range(0x7F, 0xA0))])
def test_every_control_character_is_refused_in_an_import(char):
    assert messages(bank_with(prompt=f"The hypervisor{char} controls hardware.")) == [
        f"contains the control character U+{ord(char):04X} (character 15 of the text), "
        "which is not allowed"]


@pytest.mark.parametrize("text", ["tab\there", "line\nbreak", "non-breaking\u00a0space", "émulation"])
def test_tab_line_feed_and_printable_text_pass(text):
    assert validate_bank_text(bank_with(explanation=text), "imported.yaml", CONCEPTS)


def test_a_huge_difficulty_in_an_import_is_refused():
    assert messages(bank_with(difficulty=10**30)) == [
        f"whole number out of range: more than 64 bits (the largest is {MAX_INT})"]


def test_a_json_import_with_a_control_character_is_refused_and_located():
    question = {"id": "x", "type": "true_false", "prompt": "The hypervisor\u0000 controls hardware.",
                "answer": True, "concepts": ["hypervisor"]}
    data = json.dumps({"questions": [question]}).encode()
    with pytest.raises(ContentInvalid) as caught:
        import_bank(FORMATS["json"], data, "upload.json", "upload", CONCEPTS)
    assert [str(e) for e in caught.value.errors] == [
        "upload.json:1:1: questions[0].prompt: contains the control character U+0000 "
        "(character 15 of the text), which is not allowed"]
