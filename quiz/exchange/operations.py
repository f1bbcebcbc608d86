"""Importing a question set: the one flow the web import page and ``quiz import`` both run.

A file is read in its format (guessed from its name and first line when none
is given), converted and checked against the content's concepts, refused if
its bank exists (unless it replaces it), then written and, from the web,
synced, all under the content lock. Any failure leaves nothing written, and
raises for the caller to word: ``ContentInvalid`` (the file's errors),
``BankExists`` or another ``StoreError`` (refused), ``ContentBusy`` (another
import or sync holds the lock), the database's or the file system's errors.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from quiz.catalog.sync import SyncReport
from quiz.content.model import Bank, Concept
from quiz.exchange.formats import Format
from quiz.exchange.importing import import_bank
from quiz.exchange.publish import publish
from quiz.exchange.store import StoreError, bank_path, guess_format
from quiz.progress import reporting


class BankExists(StoreError):
    """The bank an import would make exists already, and the import does not replace it."""

    def __init__(self, bank_id: str, path: Path):
        super().__init__(f"a bank '{bank_id}' exists already ({path}); choose another id")
        self.bank_id = bank_id


@dataclass(frozen=True)
class ImportedBank:
    """What an import made: the bank, the file it lives in, and its sync (None when not synced)."""

    bank: Bank
    path: Path
    report: SyncReport | None


def _nothing(_count: int) -> None:
    """No one is told of progress."""


def import_question_set(session: Session, data: bytes, filename: str, bank_id: str, *,
                        concepts: Mapping[str, Concept], content_dir: Path, formats: Mapping[str, Format],
                        fmt: Format | None = None, wait: float, max_questions: int, replace: bool = False,
                        sync: bool = True, progress: Callable[[int], None] | None = None,
                        sized: Callable[[int], None] | None = None,
                        on_wait: Callable[[], None] | None = None, now: datetime) -> ImportedBank:
    """Import ``data`` as the bank ``bank_id``: read, checked, written and (``sync``) loaded, or nothing.

    ``progress`` hears of each question converted and checked (and synced);
    ``sized`` of how many there are, once known; ``on_wait`` that the
    content lock is taken at first.
    """
    fmt = fmt or guess_format(filename, data, dict(formats))
    with reporting(progress or _nothing, sized=sized):
        bank, text = import_bank(fmt, data, filename, bank_id, concepts, max_questions=max_questions)
    path = bank_path(content_dir, bank_id)
    if path.exists() and not replace:
        raise BankExists(bank_id, path)
    report = publish(session, content_dir, bank_id, text, wait=wait, replace=replace, sync=sync,
                     progress=progress, on_wait=on_wait, now=now)
    return ImportedBank(bank, path, report)
