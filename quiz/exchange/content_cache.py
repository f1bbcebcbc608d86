"""The content the export pages read: loaded once per process, and again only when a file changes.

Reading and validating every bank on every request cost seconds per page with
large banks. The files' identity (inode, size, modification time) is checked
on each call instead, a few ``stat`` calls; an import, a sync's edit or a
hand edit replaces a file, which changes it, and the next call reads anew.
"""

from __future__ import annotations

import threading
from pathlib import Path

from quiz.content.model import Content
from quiz.content.validate import content_files, load_content

_loaded: dict[Path, tuple[tuple, Content]] = {}
_guard = threading.Lock()


def signature(root: Path) -> tuple:
    """What identifies the current state of every content file under ``root``."""
    glossaries, banks = content_files([root])
    stamps = []
    for path in [*glossaries, *banks]:
        try:
            stat = path.stat()
        except FileNotFoundError:  # removed since it was listed: the next call lists again
            continue
        stamps.append((str(path), stat.st_ino, stat.st_size, stat.st_mtime_ns))
    return tuple(stamps)


def current_content(root: Path | str) -> Content:
    """The validated content under ``root``, from memory unless a file changed (ContentInvalid if bad)."""
    root = Path(root).resolve()
    stamp = signature(root)
    with _guard:
        cached = _loaded.get(root)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    content = load_content(root)  # the stamp was taken first, so a change meanwhile is read next time
    with _guard:
        _loaded[root] = (stamp, content)
    return content
