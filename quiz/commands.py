"""What every feature's commands share: the content directory, the --wait option, progress bars."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path

import click
from flask import current_app


def content_dir() -> Path:
    """The app's content folder (``CONTENT_DIR``)."""
    return Path(current_app.config["CONTENT_DIR"])


WAIT_OPTION = click.option("--wait", default=600.0, show_default=True, type=click.FloatRange(min=0),
                           help="Seconds to wait for a sync or import that is running (0: do not wait).")


class _NoBar:
    """What a command updates when standard error is not a terminal: nothing is shown."""

    length = 0

    def update(self, _count: int) -> None:
        """Nothing to draw."""


@contextmanager
def progress_bar(length: int, label: str):
    """click's progress bar on standard error when that is a terminal; yields it (update, length)."""
    if not sys.stderr.isatty():
        yield _NoBar()
        return
    with click.progressbar(length=length, label=label, file=sys.stderr, show_pos=True) as bar:
        yield bar


def say_waiting() -> None:
    """Tell the shell why a command has not started yet."""
    click.echo("waiting for the sync or import that is running...", err=True)
