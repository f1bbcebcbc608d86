"""The ``quiz`` command line (also ``flask --app quiz ...``)."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, FlaskGroup

from quiz.content.errors import ContentInvalid
from quiz.content.validate import check_paths

content_cli = AppGroup("content", help="Validate, generate and sync the question banks.")
user_cli = AppGroup("user", help="Manage accounts.")


def _content_dir() -> Path:
    return Path(current_app.config["CONTENT_DIR"])


@content_cli.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--strict", is_flag=True, help="Count lint warnings as errors.")
def validate_command(paths: tuple[Path, ...], strict: bool) -> None:
    """Check content files; print one file:line:col line per error and lint warning."""
    checked = check_paths(list(paths) or [_content_dir()])
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

    root = _content_dir()
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


@contextmanager
def content_turn(wait: float):
    """Hold the content lock for a command: say so while waiting, fail plainly if it stays taken."""
    from quiz.catalog.content_lock import ContentBusy, content_lock
    from quiz.extensions import db

    try:
        with content_lock(db.engine, wait, on_wait=say_waiting):
            yield
    except ContentBusy as exc:
        raise click.ClickException(str(exc)) from None


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
            content = load_content(_content_dir())
        except ContentInvalid as exc:
            click.echo(str(exc))
            click.echo("sync aborted: the database is unchanged", err=True)
            sys.exit(1)
        try:
            with progress_bar(2 * question_count(content), "syncing") as bar:
                report = sync_content(db.session, content, bar.update)
        except SQLAlchemyError as exc:
            reason = getattr(exc, "orig", None) or exc
            raise click.ClickException(f"the database refused the sync ({type(exc).__name__}: {reason}); "
                                       "it keeps what it had") from None
    click.echo(str(report))


@user_cli.command("create")
@click.argument("name")
@click.option("--instructor", is_flag=True, help="May run live sessions and import banks.")
@click.password_option(help="Asked for when not given.")
def create_user_command(name: str, instructor: bool, password: str) -> None:
    """Make an account from the shell."""
    from quiz.accounts.service import AccountError, create_user
    from quiz.extensions import db

    try:
        user = create_user(db.session, name, password, instructor=instructor)
        db.session.commit()
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    role = "instructor" if user.is_instructor else "learner"
    click.echo(f"created {role} '{user.name}'")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", type=int, help="Processes (default: two per core).")
@click.option("--worker-class", type=click.Choice(["gevent", "gthread"]), default="gevent", show_default=True,
              help="gevent holds thousands of live-event streams a process; gthread uses a thread each.")
@click.option("--threads", default=4, show_default=True, type=int, help="Threads per process (gthread).")
@click.option("--access-log", default="-", show_default=True,
              help="File for the access log, '-' for standard output, '' for none.")
def serve_command(host: str, port: int, workers: int | None, worker_class: str, threads: int,
                  access_log: str) -> None:
    """Serve the app for real, under gunicorn; first say where phones join and the presenter opens."""
    from quiz.serve import QuizServer, announcement, default_workers, options

    settings = options(host, port, workers or default_workers(), threads, access_log or None, worker_class)
    machine = current_app.config["MACHINE_ADDRESSES"]
    for line in announcement(host, port, current_app.config["PUBLIC_URL"], machine):
        click.echo(line)
    # The workers trust the Host names for this address (quiz/hosts.py), the same as printed here.
    QuizServer(settings, {"BIND_HOST": host, "MACHINE_ADDRESSES": machine},
               record=current_app._get_current_object()).run()


def register(app) -> None:
    """Attach the command groups to an app's CLI."""
    app.cli.add_command(content_cli)
    app.cli.add_command(user_cli)
    app.cli.add_command(serve_command)

    from quiz.exchange.commands import export_command, import_command

    app.cli.add_command(export_command)
    app.cli.add_command(import_command)


def _create_app():
    from quiz import create_app

    return create_app()


main = FlaskGroup(create_app=_create_app, help="The virtualization quiz.")
