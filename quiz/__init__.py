"""The virtualization quiz: a Flask app for studying virtualization concepts."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from quiz import security
from quiz.accounts.cookies import SessionCookies
from quiz.config import PROJECT_ROOT, Defaults, secret_key
from quiz.extensions import csrf, db, login_manager, migrate


def create_app(config: dict | None = None, instance_path: str | Path | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints and commands.

    ``config`` overrides everything else (tests pass their own database here).
    ``instance_path`` replaces the ``instance/`` folder, which holds ``config.py``,
    the secret key and the default database.
    """
    app = Flask(
        __name__,
        instance_path=str(Path(instance_path).resolve()) if instance_path else None,
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("QUIZ")
    if config:
        app.config.update(config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        path = Path(app.instance_path) / "quiz.sqlite3"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(Path(app.instance_path))

    security.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    app.session_interface = SessionCookies()

    from quiz import (  # noqa: F401  (models registers its tables)
        accounts,
        cards,
        catalog,
        database,
        errors,
        exchange,
        health,
        hosts,
        live,
        models,
        serve_command,
        study,
    )

    database.init_app(app)
    errors.init_app(app)
    hosts.init_app(app)
    app.register_blueprint(health.blueprint)
    # Each feature adds its blueprints, commands and signal receivers.
    for feature in (catalog, accounts, study, cards, exchange, live):
        feature.init_app(app)
    if app.config["BENCH_ENDPOINTS"]:  # tests/bench only
        from quiz.bench import blueprint as bench
        app.register_blueprint(bench)
    app.cli.add_command(serve_command.serve_command)

    from quiz.arrival import ArrivalStamp
    from quiz.live.watcher import now_for

    # Outermost, before anything waits; the kernel's receive time counts only on the real clock.
    app.wsgi_app = ArrivalStamp(app.wsgi_app, lambda: now_for(app),  # type: ignore[method-assign]
                                lambda: not callable(app.config.get("CLOCK")))
    return app
