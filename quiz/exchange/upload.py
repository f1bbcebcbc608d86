"""The web import: an uploaded file checked, written as a bank and synced, or refused with reasons.

The flow is ``quiz.exchange.operations``'s, as ``quiz import`` runs it; this
module words its outcomes for the page.

Every way it can fail ends in an outcome the page can show (the file's errors,
a sync already running, the database or the disk refusing), and none leaves
a bank file behind or a row half-written.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from quiz.catalog.content_lock import ContentBusy
from quiz.catalog.sync import SyncReport
from quiz.content.errors import ContentInvalid
from quiz.content.model import Bank
from quiz.exchange.content_cache import current_content
from quiz.exchange.formats import Format
from quiz.exchange.importing import slugify
from quiz.exchange.operations import BankExists, import_question_set
from quiz.exchange.store import StoreError

RETRY_SECONDS = 10
log = logging.getLogger(__name__)


def let_others_run(_count: int) -> None:
    """Between two steps of a long import, let the worker serve its other requests and streams.

    Under gevent ``time.sleep(0)`` hands the loop to every other greenlet that is ready; a
    thousand-question import would otherwise hold it for as long as its checks take.
    """
    time.sleep(0)


@dataclass
class UploadOutcome:
    """What an upload came to: the new bank and its sync, or the errors and the status to answer."""

    bank: Bank | None = None
    report: SyncReport | None = None
    errors: list = field(default_factory=list)
    status: int = 200


def run_upload(session: Session, *, data: bytes, filename: str, format_name: str, bank: str,
               content_dir: Path, formats: dict[str, Format], wait: float,
               max_questions: int, now: datetime) -> UploadOutcome:
    """Import an uploaded file as the bank ``bank`` (or one named after the file), synced at once."""
    bank_id = slugify(bank or filename.split(".")[0], "imported")
    try:
        content = current_content(content_dir)
    except ContentInvalid as exc:
        return UploadOutcome(errors=["The question banks on the server have errors; they must be fixed "
                                     "before anything can be imported.", *exc.errors], status=503)
    try:
        if not data:
            raise StoreError("Choose a file to import.")
        if format_name and format_name not in formats:
            raise StoreError(f"No importable format is called '{format_name}'.")
        done = import_question_set(
            session, data, filename, bank_id, concepts=content.concepts, content_dir=content_dir,
            formats=formats, fmt=formats[format_name] if format_name else None, wait=wait,
            max_questions=max_questions, progress=let_others_run, now=now)
    except BankExists:
        return UploadOutcome(errors=[f"A bank '{bank_id}' exists already: choose another id."], status=400)
    except ContentInvalid as exc:
        return UploadOutcome(errors=exc.errors, status=400)
    except StoreError as exc:
        return UploadOutcome(errors=[str(exc)], status=400)
    except ContentBusy:
        return UploadOutcome(errors=["Another import or a sync of the question banks is running. Try again "
                                     "in a moment, when it has finished."], status=503)
    except SQLAlchemyError:
        session.rollback()
        log.exception("the database refused an import")
        return UploadOutcome(errors=["The database could not save the questions (it may be busy or "
                                     "unavailable), so nothing was imported. Try again in a moment."],
                             status=503)
    except OSError as exc:
        log.exception("an import could not be written")
        return UploadOutcome(errors=[f"The bank file could not be written ({exc.strerror or exc}), so "
                                     "nothing was imported."], status=503)
    return UploadOutcome(bank=done.bank, report=done.report)
