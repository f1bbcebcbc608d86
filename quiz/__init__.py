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
        database = Path(app.instance_path) / "quiz.sqlite3"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{database}"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(Path(app.instance_path))

    security.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    app.session_interface = SessionCookies()

    from quiz import database, errors, health, hosts, models, outages  # noqa: F401  (models register their tables)
    from quiz.accounts import login  # noqa: F401  (registers the user loader)
    from quiz.accounts import models as account_models  # noqa: F401  (registers the sign-ins' table)
    from quiz.accounts.account import blueprint as account
    from quiz.accounts.views import blueprint as accounts
    from quiz.cards.views import blueprint as cards
    from quiz.catalog.views import blueprint as catalog
    from quiz.exchange.views import blueprint as exchange
    from quiz.live import models as live_models  # noqa: F401  (registers the live tables)
    from quiz.live.blueprint import blueprint as live
    from quiz.study.views import blueprint as study

    database.init_app(app)
    errors.init_app(app)
    hosts.init_app(app)
    app.register_blueprint(health.blueprint)
    app.register_blueprint(catalog)
    app.register_blueprint(accounts)
    app.register_blueprint(account)
    app.register_blueprint(study)
    app.register_blueprint(cards)
    app.register_blueprint(exchange)
    app.register_blueprint(live)
    if app.config["BENCH_ENDPOINTS"]:  # tests/bench only
        from quiz.bench import blueprint as bench
        app.register_blueprint(bench)

    from quiz.cli import register

    register(app)
    return app
