"""``quiz user create``: an account made from the shell."""

from __future__ import annotations

import click
from flask.cli import AppGroup

user_cli = AppGroup("user", help="Manage accounts.")


@user_cli.command("create")
@click.argument("name")
@click.option("--instructor", is_flag=True, help="May run live sessions and import banks.")
@click.password_option(help="Asked for when not given.")
def create_user_command(name: str, instructor: bool, password: str) -> None:
    """Make an account from the shell."""
    from quiz.accounts.service import AccountError, create_user
    from quiz.extensions import db

    try:
        user = create_user(db.session(), name, password, instructor=instructor)
        db.session.commit()
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    role = "instructor" if user.is_instructor else "learner"
    click.echo(f"created {role} '{user.name}'")
