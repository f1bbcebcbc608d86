"""Files the app writes hold accounts and answers: its folder and the SQLite file are its owner's only."""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

# What SQLite writes beside the database; it gives them the database file's own mode.
SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def private_folder(path: Path) -> None:
    """Make the folder, readable by its owner only, if it is missing; an existing one is left as it is."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)


def private_database(path: Path) -> None:
    """Make the SQLite file owner-only (0600) before SQLite opens it, and tighten one left readable.

    SQLite makes a missing database file 0644, readable by every local user,
    and gives its journal and WAL files the database file's mode. So the file
    is made here first, empty (which SQLite reads as an empty database) and
    0600; a file from before this rule loses its group and other bits.

    An existing file is never opened here, only its mode changed: POSIX locks
    belong to the process, so closing any descriptor of the file would drop
    the locks of this process's open connections, and another process could
    then write under them (a corrupt database).
    """
    private_folder(path.parent)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for suffix in SQLITE_COMPANIONS:
        companion = Path(f"{path}{suffix}")
        try:
            mode = stat.S_IMODE(companion.stat().st_mode)
            if mode & 0o077:
                companion.chmod(mode & 0o700)
        except FileNotFoundError:
            continue
        except PermissionError:  # someone else's file: say so, and let SQLite open it as it is
            log.warning("%s is readable by others and not ours to change (mode %o)", companion, mode)
