"""Instructor-run live sessions: state machine, scoring, views, events."""

from __future__ import annotations


def init_app(app) -> None:
    """Add the live sessions' tables and screens."""
    from quiz.errors import database_unavailable
    from quiz.live import models, outages  # noqa: F401  (register the live tables and serving_runs)
    from quiz.live.blueprint import blueprint
    from quiz.live.interruption import noted

    app.register_blueprint(blueprint)
    database_unavailable.connect(noted)  # once for every app: blinker keeps a receiver once
