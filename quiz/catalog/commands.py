"""``quiz content validate``, ``generate`` and ``sync``: the banks checked, built and loaded."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path

import click
from flask.cli import AppGroup

from quiz import clock
from quiz.catalog.content_lock import ContentBusy, content_lock
from quiz.commands import WAIT_OPTION, content_dir, progress_bar, say_waiting
from quiz.content.errors import ContentInvalid
from quiz.content.validate import check_paths
from quiz.extensions import db

content_cli = AppGroup("content", help="Validate, generate and sync the question banks.")


@contextmanager
def content_turn(wait: float):
    """Hold the content lock for a command: say so while waiting, fail plainly if it stays taken."""
    try:
        with content_lock(db.engine, wait, on_wait=say_waiting):
            yield
    except ContentBusy as exc:
        raise click.ClickException(str(exc)) from None


@content_cli.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--strict", is_flag=True, help="Count lint warnings as errors.")
def validate_command(paths: tuple[Path, ...], strict: bool) -> None:
    """Check content files; print one file:line:col line per error and lint warning."""
    checked = check_paths(list(paths) or [content_dir()])
    errors, warnings = checked.errors, checked.warnings
    for finding in sorted(errors + warnings):
        click.echo(str(finding))
    if strict:
        errors, warnings = errors + warnings, []
    if errors:
        tail = f", {len(warnings)} warning(s)" if warnings else ""
        click.echo(f"{len(errors)} error(s){tail}", err=True)
        sys.exit(1)
    content = checked.content
    questions = sum(len(bank.questions) for bank in content.banks)
    click.echo(f"ok: {len(content.glossaries)} glossary(ies), {len(content.concepts)} concepts, "
               f"{len(content.banks)} bank(s), {questions} questions")
    if warnings:
        click.echo(f"{len(warnings)} warning(s); --strict makes them errors", err=True)


@content_cli.command("generate")
@click.option("--check", is_flag=True, help="Fail if the committed files differ; write nothing.")
def generate_command(check: bool) -> None:
    """Build the generated banks and editor schemas from the glossaries."""
    from quiz.content.build import generated_files

    root = content_dir()
    try:
        files = generated_files(root)
    except ContentInvalid as exc:
        click.echo(str(exc))
        sys.exit(1)
    stale = [path for path, text in files.items() if _read(root / path) != text]
    if check:
        for path in stale:
            click.echo(f"{root / path}: differs from a fresh generation; run `quiz content generate`")
        if stale:
            sys.exit(1)
        click.echo(f"ok: {len(files)} generated file(s) up to date")
        return
    for path in stale:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(files[path], encoding="utf-8")
        click.echo(f"wrote {root / path}")
    click.echo(f"{len(stale)} of {len(files)} generated file(s) changed")


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


@content_cli.command("sync")
@WAIT_OPTION
def sync_command(wait: float) -> None:
    """Load every bank into the database in one short write transaction (retire, never delete)."""
    from sqlalchemy.exc import SQLAlchemyError

    from quiz.catalog.sync import question_count, sync_content
    from quiz.content.validate import load_content
    from quiz.extensions import db

    with content_turn(wait):
        try:
            content = load_content(content_dir())
        except ContentInvalid as exc:
            click.echo(str(exc))
            click.echo("sync aborted: the database is unchanged", err=True)
            sys.exit(1)
        try:
            with progress_bar(2 * question_count(content), "syncing") as bar:
                report = sync_content(db.session(), content, bar.update, now=clock.now())
        except SQLAlchemyError as exc:
            reason = getattr(exc, "orig", None) or exc
            raise click.ClickException(f"the database refused the sync ({type(exc).__name__}: {reason}); "
                                       "it keeps what it had") from None
    click.echo(str(report))
