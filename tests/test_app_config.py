"""create_app's configuration sources, the instance secret key, and the migrations."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from quiz import create_app
from quiz.extensions import db


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """No QUIZ_* variable from the developer's shell reaches these tests."""
    for name in list(os.environ):
        if name.startswith("QUIZ_"):
            monkeypatch.delenv(name)


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    """An instance folder of the test's own (not created yet)."""
    return tmp_path / "instance"


def test_environment_variables_are_read(monkeypatch, instance, tmp_path):
    monkeypatch.setenv("QUIZ_CONTENT_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("QUIZ_SQLITE_BUSY_TIMEOUT_MS", "1234")
    app = create_app({"SECRET_KEY": "k"}, instance_path=instance)
    assert app.config["CONTENT_DIR"] == str(tmp_path / "elsewhere")
    assert app.config["SQLITE_BUSY_TIMEOUT_MS"] == 1234


def test_instance_config_file_is_read(instance):
    instance.mkdir()
    (instance / "config.py").write_text('CONTENT_DIR = "/from/instance"\nEXTRA = 7\n')
    app = create_app({"SECRET_KEY": "k"}, instance_path=instance)
    assert app.config["CONTENT_DIR"] == "/from/instance"
    assert app.config["EXTRA"] == 7


def test_precedence_is_file_then_environment_then_argument(monkeypatch, instance):
    instance.mkdir()
    (instance / "config.py").write_text('CONTENT_DIR = "/file"\nEXTRA = "file"\nOTHER = "file"\n')
    monkeypatch.setenv("QUIZ_EXTRA", "env")
    monkeypatch.setenv("QUIZ_OTHER", "env")
    app = create_app({"SECRET_KEY": "k", "OTHER": "argument"}, instance_path=instance)
    assert (app.config["CONTENT_DIR"], app.config["EXTRA"], app.config["OTHER"]) == (
        "/file", "env", "argument")


def test_defaults_apply_without_overrides(instance):
    app = create_app({"SECRET_KEY": "k"}, instance_path=instance)
    assert Path(app.config["CONTENT_DIR"]) == Path(__file__).resolve().parent.parent / "content"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'quiz.sqlite3'}"
    assert app.instance_path == str(instance)


def test_secret_key_is_made_once_owner_only_and_reused(instance):
    first = create_app(instance_path=instance)
    key_file = instance / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first.config["SECRET_KEY"] == key_file.read_text().strip()
    assert len(first.config["SECRET_KEY"]) >= 32
    second = create_app(instance_path=instance)
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]


def test_each_instance_folder_gets_its_own_key(tmp_path):
    one = create_app(instance_path=tmp_path / "one")
    two = create_app(instance_path=tmp_path / "two")
    assert one.config["SECRET_KEY"] != two.config["SECRET_KEY"]


def test_a_configured_secret_key_writes_no_file(monkeypatch, instance):
    monkeypatch.setenv("QUIZ_SECRET_KEY", "from-the-environment")
    app = create_app(instance_path=instance)
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert not (instance / "secret_key").exists()


def test_create_app_touches_no_database(instance):
    """No I/O and no migrations at start-up: the database file appears only when used."""
    create_app({"SECRET_KEY": "k"}, instance_path=instance)
    assert not instance.exists()


def test_database_folder_is_made_on_first_use(instance):
    """With the key from the environment nothing else makes the instance folder."""
    app = create_app({"SECRET_KEY": "k"}, instance_path=instance)
    with app.app_context():
        db.session.execute(db.text("SELECT 1"))
        db.session.remove()
        db.engine.dispose()
    assert (instance / "quiz.sqlite3").is_file()


@pytest.fixture
def fresh(tmp_path, instance):
    """An app on an empty SQLite file, with no tables made by create_all."""
    app = create_app({"SECRET_KEY": "k", "TESTING": True}, instance_path=instance)
    yield app
    with app.app_context():
        db.engine.dispose()


def test_migrations_match_the_models(fresh):
    runner = fresh.test_cli_runner()
    upgrade = runner.invoke(args=["db", "upgrade"])
    assert upgrade.exit_code == 0, upgrade.output
    with fresh.app_context():
        tables = set(db.inspect(db.engine).get_table_names()) - {"alembic_version"}
    assert tables == set(db.metadata.tables)
    check = runner.invoke(args=["db", "check"])
    assert check.exit_code == 0, check.output


def test_db_check_notices_a_schema_that_drifted(fresh):
    """The check above can fail: a column the models lack is reported."""
    runner = fresh.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    with fresh.app_context():
        db.session.execute(db.text("ALTER TABLE users ADD COLUMN nickname TEXT"))
        db.session.commit()
    check = runner.invoke(args=["db", "check"])
    assert check.exit_code != 0
