"""Instructor-run live sessions: state machine, scoring, views, events."""

from __future__ import annotations


def init_app(app) -> None:
    """Add the live sessions' tables and screens."""
    from quiz.live import models  # noqa: F401  (registers the live tables)
    from quiz.live.blueprint import blueprint

    app.register_blueprint(blueprint)
