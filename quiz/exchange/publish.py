"""An imported bank made real: its file written and, from the web, synced, or nothing at all.

The whole step holds the content lock, so that no sync or other import runs
between the check that the bank is new and the sync that loads it. Whatever
fails after the file is written (the sync finds an error, the database
refuses, the process is interrupted), the file is put back as it was: removed,
or its old text restored when it replaced a bank.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from quiz.catalog.content_lock import content_lock
from quiz.catalog.sync import Progress, SyncReport, sync_content
from quiz.content.validate import load_content
from quiz.exchange.store import bank_path, save_bank


@contextmanager
def bank_file(content_dir: Path, bank_id: str, text: str, *, replace: bool = False) -> Iterator[Path]:
    """Write the bank's file for the block; if the block fails, the file is as it was before."""
    target = bank_path(content_dir, bank_id)
    previous = target.read_text(encoding="utf-8") if replace and target.exists() else None
    path = save_bank(content_dir, bank_id, text, replace=replace)
    try:
        yield path
    except BaseException:
        if previous is None:
            path.unlink(missing_ok=True)
        else:
            save_bank(content_dir, bank_id, previous, replace=True)
        raise


def publish(session: Session, content_dir: Path, bank_id: str, text: str, *, wait: float,
            replace: bool = False, sync: bool = True, progress: Progress | None = None,
            on_wait: Callable[[], None] | None = None, now: datetime) -> SyncReport | None:
    """Write a validated bank and (``sync``) load every bank into the database, holding the content lock.

    ``on_wait`` is called if the lock is taken at first. Raises ContentBusy when it stays taken
    for ``wait`` seconds, StoreError when the bank
    exists and ``replace`` is off, ContentInvalid when the content no longer validates, and the
    database's or file system's own errors; in every case the bank file is as it was.
    """
    with content_lock(session.get_bind().engine, wait, on_wait), \
            bank_file(content_dir, bank_id, text, replace=replace):
        if not sync:
            return None
        return sync_content(session, load_content(content_dir), progress, now=now)

