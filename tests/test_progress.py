"""Long work shows progress: `quiz content sync`, `quiz import` and `quiz export` draw a bar on a terminal.

The work reports each question it gets through; the bar is click's own, on
standard error, and only when that is a terminal (a pipe or a log gets the
usual lines alone).
"""

from __future__ import annotations

import os
import pty
import re
import subprocess
from pathlib import Path

import pytest

from quiz import clock
from quiz.catalog.sync import question_count, sync_content
from quiz.content.validate import load_content
from quiz.exchange.importing import import_bank
from quiz.exchange.registry import FORMATS
from quiz.exchange.selection import select
from quiz.extensions import db
from quiz.progress import reporting
from tests.helpers.servers import QUIZ


class Tally:
    """A listener that adds up what it is told."""

    def __init__(self) -> None:
        self.done, self.expected = 0, None

    def __call__(self, count: int) -> None:
        self.done += count

    def sized(self, total: int) -> None:
        self.expected = total


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_export_reports_each_question_it_writes(name):
    content = load_content(Path(__file__).resolve().parent.parent / "content")
    selection = select(content)
    fmt = FORMATS[name]
    tally = Tally()
    with reporting(tally):
        fmt.export(selection.without_types(fmt.skipped_types()))
    assert tally.done == selection.without_types(fmt.skipped_types()).count()


def test_an_import_says_how_long_it_is_and_gets_there(content_dir):
    content = load_content(content_dir)
    data = FORMATS["csv"].export(select(content, banks=["ch01-concepts"]))
    tally = Tally()
    with reporting(tally, sized=tally.sized):
        bank, _ = import_bank(FORMATS["csv"], data, "x.csv", "x", content.concepts)
    assert tally.expected == tally.done == 2 * len(bank.questions)


def test_a_sync_reports_every_question_planned_and_written(app, content_dir):
    content = load_content(content_dir)
    tally = Tally()
    with app.app_context():
        sync_content(db.session, content, tally, now=clock.now())
    assert tally.done == 2 * question_count(content)


def on_a_terminal(args: list[str], env: dict, cwd: Path) -> str:
    """Run ``quiz ...`` with standard error on a pseudo-terminal; what the terminal showed."""
    leader, follower = pty.openpty()
    process = subprocess.Popen([QUIZ, *args], env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=follower, stdin=subprocess.DEVNULL)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert process.wait(timeout=60) == 0, shown.decode(errors="replace")
    return shown.decode(errors="replace")


@pytest.mark.slow  # each command a process of its own on a terminal, seconds in all
def test_the_commands_draw_a_bar_on_a_terminal_only(tmp_path, content_dir):
    env = {**os.environ, "QUIZ_SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'q.sqlite3'}",
           "QUIZ_CONTENT_DIR": str(content_dir), "QUIZ_SECRET_KEY": "progress-key", "COLUMNS": "100"}
    subprocess.run([QUIZ, "db", "upgrade"], env=env, cwd=tmp_path, check=True, capture_output=True)
    count = question_count(load_content(content_dir))
    synced = on_a_terminal(["content", "sync"], env, tmp_path)
    assert re.search(rf"syncing\s+\[#+\]\s+{2 * count}/{2 * count}", synced), synced
    exported = on_a_terminal(["export", "--format", "csv", "-o", str(tmp_path / "all.csv")], env, tmp_path)
    assert re.search(rf"exporting to csv\s+\[#+\]\s+{count}/{count}", exported), exported
    (tmp_path / "again.csv").write_bytes((tmp_path / "all.csv").read_bytes())
    imported = on_a_terminal(["import", str(tmp_path / "again.csv"), "--bank", "again"], env, tmp_path)
    assert re.search(rf"importing\s+\[#+\]\s+{2 * count}/{2 * count}", imported), imported
    piped = subprocess.run([QUIZ, "content", "sync"], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert piped.returncode == 0 and "syncing" not in piped.stderr and "[" not in piped.stderr
