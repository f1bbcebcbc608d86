"""Accounts: learners and instructors."""

from __future__ import annotations


def init_app(app) -> None:
    """Add sign-up, log-in and the account pages, the user loader and ``quiz user``."""
    from quiz.accounts import (
        login,  # noqa: F401  (registers the user loader)
        models,  # noqa: F401  (registers the sign-ins' table)
    )
    from quiz.accounts.account import blueprint as account
    from quiz.accounts.commands import user_cli
    from quiz.accounts.views import blueprint as accounts

    app.register_blueprint(accounts)
    app.register_blueprint(account)
    app.cli.add_command(user_cli)
