"""Fixtures: a fresh app with its own SQLite file per test, clients and factories."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from quiz import create_app
from quiz.extensions import db

PROJECT = Path(__file__).resolve().parent.parent
CONTENT = PROJECT / "content"


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A private copy of the project's content, free to edit."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


@pytest.fixture
def app(tmp_path: Path, content_dir: Path):
    """An app with its own database file, instance folder and content copy."""
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-only-key",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'quiz.sqlite3'}",
        "CONTENT_DIR": str(content_dir),
    }, instance_path=tmp_path / "instance")  # a config.py in the real instance/ must not leak in
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    """A test client of the app."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner bound to the app."""
    return app.test_cli_runner()


@pytest.fixture
def synced(app, runner):
    """The app with the project's banks loaded."""
    result = runner.invoke(args=["content", "sync"])
    assert result.exit_code == 0, result.output
    return app
