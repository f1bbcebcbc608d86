"""The bank document that the yaml, json and csv formats carry, and strict decoding of imports.

An export that spans several banks becomes one bank, so that it imports back
as a file of ``content/banks/``: its id is a slug of the selection's title and
a question id found in more than one bank becomes ``<bank>-<id>``.
"""

from __future__ import annotations

import codecs
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace

from quiz.content.errors import ContentError, ContentInvalid, format_path
from quiz.content.errors import Path as NodePath
from quiz.exchange.formats import Imported, ImportedQuestion
from quiz.exchange.importing import slugify, unique_id
from quiz.exchange.selection import ExportSet
from quiz.progress import advance

MAX_ID = 80  # the schema's limit on a slug
DOCUMENT_KEYS = ("id", "title", "questions")

Locator = Callable[[NodePath], tuple[int, int]]


def merged_ids(pairs: list[tuple[str, str]]) -> list[str]:
    """Question ids for one merged bank, given (bank id, question id) in order.

    Only an id that several banks use is prefixed with its bank, so a
    one-bank export and most questions of a merged one keep their ids (and
    with them, learners' history when the file is imported back).
    """
    banks_of: dict[str, set[str]] = defaultdict(set)
    for bank, qid in pairs:
        banks_of[qid].add(bank)
    taken = {qid for qid, banks in banks_of.items() if len(banks) == 1}
    ids = []
    for bank, qid in pairs:
        if len(banks_of[qid]) == 1:
            ids.append(qid)
        else:
            prefixed = f"{bank}-{qid}" if bank else qid
            ids.append(unique_id(prefixed[:MAX_ID].rstrip("-"), taken))
    return ids


def merged_bank_data(selection: ExportSet) -> dict:
    """The selection as one bank's data (id, title, questions), as a bank file holds it."""
    if len(selection.banks) == 1:
        bank_id, title = selection.banks[0].id, selection.banks[0].title
    else:
        bank_id, title = slugify(selection.title, "questions"), selection.title
    pairs = selection.questions()
    ids = merged_ids([(bank.id, question.id) for bank, question in pairs])
    questions = []
    for (_, question), new_id in zip(pairs, ids, strict=True):
        questions.append(replace(question, id=new_id).to_dict())
        advance()
    return {"id": bank_id, "title": title, "questions": questions}


def read_bank_data(data: object, name: str, where: Locator) -> Imported:
    """Check the shape of a parsed bank document; its questions with the line each starts on.

    The questions themselves are checked later, like any bank; this only makes
    sure there is a list of mappings to check, and that no key is silently dropped.
    """
    if not isinstance(data, dict):
        raise ContentInvalid([_error(name, where, (), "expected a bank: a mapping with "
                                                       "'title' and 'questions'")])
    errors = [_error(name, where, (key,), f"unknown key '{key}' (a bank has "
                                          f"{', '.join(DOCUMENT_KEYS)})")
              for key in data if key not in DOCUMENT_KEYS]
    title = data.get("title", "")
    if not isinstance(title, str):
        errors.append(_error(name, where, ("title",), "expected text"))
    questions = data.get("questions")
    if not isinstance(questions, list):
        errors.append(_error(name, where, ("questions",), "expected a list of questions"))
        questions = []
    for index, item in enumerate(questions):
        if not isinstance(item, dict):
            errors.append(_error(name, where, ("questions", index),
                                 "expected a question: a mapping with id, type, prompt, ..."))
    if errors:
        raise ContentInvalid(errors)
    return Imported(title, [
        ImportedQuestion(item, where(("questions", index))[0])
        for index, item in enumerate(questions)
    ])


def _error(name: str, where: Locator, path: NodePath, message: str) -> ContentError:
    line, column = where(path)
    return ContentError(name, line, column, format_path(path) if path else "", message)


def decode_utf8(data: bytes, name: str) -> str:
    """The text of an imported file (a leading BOM dropped); ContentInvalid where it is not UTF-8."""
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        start = data.rfind(b"\n", 0, exc.start) + 1
        column = len(data[start : exc.start].decode("utf-8")) + 1
        raise ContentInvalid([ContentError(name, line, column, "", "file is not valid UTF-8")]) from None
