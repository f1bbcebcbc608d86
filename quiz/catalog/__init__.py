"""The synced content in the database: sync from files, queries and read-only pages."""

from __future__ import annotations


def init_app(app) -> None:
    """Add the bank pages and the ``quiz content`` commands to the app."""
    from quiz.catalog.commands import content_cli
    from quiz.catalog.views import blueprint

    app.register_blueprint(blueprint)
    app.cli.add_command(content_cli)
