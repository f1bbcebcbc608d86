"""``quiz export`` and ``quiz import``."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from quiz import clock
from quiz.catalog.content_lock import ContentBusy
from quiz.commands import WAIT_OPTION, progress_bar, say_waiting
from quiz.content.errors import ContentInvalid
from quiz.content.validate import load_content
from quiz.exchange.formats import Format
from quiz.exchange.importing import slugify
from quiz.exchange.store import StoreError
from quiz.extensions import db
from quiz.progress import reporting

# The format modules (and genanki, lxml...) load only when one of these commands runs.
EXPORT_NAMES = ("yaml, json, csv, anki, anki-text, gift, moodle-xml, qti, quizlet, markdown, html")


def _format(name: str, *, importing: bool = False) -> Format:
    from quiz.exchange.registry import FORMATS

    fmt = FORMATS.get(name)
    if fmt is None or (importing and fmt.parse is None):
        names = [n for n, f in FORMATS.items() if f.parse is not None or not importing]
        raise click.BadParameter(f"'{name}' is not one of: {', '.join(names)}", param_hint="--format")
    return fmt


def _content():
    try:
        return load_content(current_app.config["CONTENT_DIR"])
    except ContentInvalid as exc:
        raise click.ClickException(f"the content has errors:\n{exc}") from None


@click.command("export")
@with_appcontext
@click.option("--format", "format_name", required=True, help=f"One of: {EXPORT_NAMES}.")
@click.option("--bank", "banks", multiple=True, help="Only this bank (repeatable).")
@click.option("--concept", "concepts", multiple=True, help="Only questions testing it (repeatable).")
@click.option("--tag", "tags", multiple=True, help="Only questions with this tag (repeatable).")
@click.option("--type", "types", multiple=True, help="Only this question type (repeatable).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The file to write ('-' for standard output).")
def export_command(format_name, banks, concepts, tags, types, output: Path) -> None:
    """Export a selection of questions; what the format cannot carry is said on stderr."""
    from quiz.exchange.exporting import export
    from quiz.exchange.selection import SelectionError, select

    fmt = _format(format_name)
    try:
        selection = select(_content(), banks=banks, concepts=concepts, tags=tags, types=types)
    except SelectionError as exc:
        raise click.ClickException(str(exc)) from None
    if not selection.count():
        raise click.ClickException("no question matches that selection")
    exported = selection.without_types(fmt.skipped_types()).count()
    with progress_bar(exported, f"exporting to {fmt.name}") as bar, reporting(bar.update):
        data, report = export(fmt, selection)
    if str(output) == "-":
        sys.stdout.buffer.write(data)
    else:
        output.write_bytes(data)
    click.echo(str(report), err=True)


@click.command("import")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "format_name",
              help="yaml, json, csv, gift, moodle-xml or anki-text (default: guessed from the file).")
@click.option("--bank", "bank_id", help="The new bank's id (default: from the file name).")
@click.option("--replace", is_flag=True, help="Overwrite a bank with the same id.")
@WAIT_OPTION
def import_command(file: Path, format_name: str | None, bank_id: str | None, replace: bool,
                   wait: float) -> None:
    """Import a question set into content/banks, validated first; on error nothing is written."""
    from quiz.exchange.operations import import_question_set
    from quiz.exchange.registry import FORMATS
    from quiz.exchange.store import bank_path, guess_format

    data = file.read_bytes()
    try:
        fmt = (_format(format_name, importing=True) if format_name
               else guess_format(file.name, data, FORMATS))
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    bank_id = bank_id or slugify(file.name.split(".")[0], "imported")
    content = _content()
    content_dir = Path(current_app.config["CONTENT_DIR"])
    try:
        with progress_bar(0, "importing") as bar:
            done = import_question_set(
                db.session(), data, file.name, bank_id, concepts=content.concepts, content_dir=content_dir,
                formats=FORMATS, fmt=fmt, wait=wait, replace=replace, sync=False,
                max_questions=int(current_app.config["IMPORT_MAX_QUESTIONS"]), progress=bar.update,
                sized=lambda total: setattr(bar, "length", total), on_wait=say_waiting, now=clock.now())
    except ContentInvalid as exc:
        click.echo(str(exc))
        click.echo(f"{len(exc.errors)} error(s): nothing was written", err=True)
        sys.exit(1)
    except (StoreError, ContentBusy) as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"could not write {bank_path(content_dir, bank_id)}: "
                                   f"{exc.strerror or exc}; nothing was written") from None
    click.echo(f"imported {len(done.bank.questions)} question(s) into {done.path}; "
               "run `quiz content sync` to load them")
