"""The instance folder and the SQLite file are readable by their owner only."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from quiz import create_app
from quiz.extensions import db


def mode(path: Path) -> int:
    """The permission bits of ``path``."""
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask():
    """The umask most systems start with, so that only the app's own modes keep files private."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def use_database(app) -> None:
    """Write one row, so that SQLite makes its file and its write-ahead log."""
    with app.app_context():
        db.session.execute(db.text("CREATE TABLE IF NOT EXISTS probe (x)"))
        db.session.execute(db.text("INSERT INTO probe VALUES (1)"))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def test_the_instance_folder_made_for_the_secret_key_is_owner_only(tmp_path):
    instance = tmp_path / "instance"
    create_app(instance_path=instance)
    assert mode(instance) == 0o700
    assert mode(instance / "secret_key") == 0o600


def test_the_sqlite_file_and_its_log_are_owner_only(tmp_path):
    instance = tmp_path / "instance"
    app = create_app({"SECRET_KEY": "k"}, instance_path=instance)
    with app.app_context():
        db.session.execute(db.text("CREATE TABLE probe (x)"))
        db.session.execute(db.text("INSERT INTO probe VALUES (1)"))
        db.session.commit()
        wal = instance / "quiz.sqlite3-wal"
        assert wal.exists() and mode(wal) == 0o600  # SQLite copies the database file's mode
        db.session.remove()
        db.engine.dispose()
    assert mode(instance) == 0o700
    assert mode(instance / "quiz.sqlite3") == 0o600


def test_a_database_left_readable_by_everyone_is_tightened(tmp_path):
    database = tmp_path / "elsewhere" / "quiz.sqlite3"
    database.parent.mkdir()
    database.touch(mode=0o644)
    database.chmod(0o644)
    app = create_app({"SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"},
                     instance_path=tmp_path / "instance")
    use_database(app)
    assert mode(database) == 0o600
    assert not (tmp_path / "instance").exists()  # nothing else was written


def test_db_upgrade_makes_a_private_database(tmp_path):
    instance = tmp_path / "instance"
    app = create_app({"SECRET_KEY": "k"}, instance_path=instance)
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        db.engine.dispose()
    assert mode(instance) == 0o700
    assert mode(instance / "quiz.sqlite3") == 0o600


def test_a_new_connection_leaves_the_locks_of_the_open_ones_alone(tmp_path):
    """POSIX locks are per process: closing any descriptor of the database file drops them all.

    Each new pooled connection makes sure the file is private; if that opened
    and closed the file while another connection of the process held its
    locks, a second process could take the database from under it (here:
    switch it out of WAL mode), which is how the file gets corrupted.
    """
    import sqlite3
    import subprocess
    import sys

    from quiz.security.files import private_database

    path = tmp_path / "quiz.sqlite3"
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("PRAGMA journal_mode = WAL")
    reader.execute("CREATE TABLE probe (x)")
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM probe").fetchone()  # a read in progress, its locks held
    private_database(path)  # what a new pooled connection of this process runs first
    other = subprocess.run(
        [sys.executable, "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], timeout=0);"
         "print(c.execute('PRAGMA journal_mode = DELETE').fetchone()[0])", str(path)],
        capture_output=True, text=True)
    reader.execute("COMMIT")
    assert "database is locked" in other.stderr and other.stdout.strip() != "delete", other
