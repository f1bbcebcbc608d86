"""Fixtures: a fresh app with its own SQLite file per test, clients and factories."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from werkzeug.security import generate_password_hash

from quiz import create_app
from quiz.extensions import db
from quiz.security import passwords
from tests.helpers.clock import T0, Clock
from tests.helpers.paths import CONTENT
from tests.helpers.postgres import Cluster
from tests.helpers.sessions import sign_in

# The same scrypt with a 32nd of the work: a new account or a password change then costs
# milliseconds, not a tenth of a second of CPU, across the hundreds of tests that make one. Tests
# marked real_hashing (the cost and timing tests) keep the product's own cost, and processes the
# tests start (`quiz serve`, `quiz user`) always hash at it.
CHEAP_HASH = "scrypt:1024:8:1"


@pytest.fixture(autouse=True)
def cheap_password_hashes(request, monkeypatch):
    """Hash passwords cheaply in this process, unless the test is marked real_hashing."""
    if request.node.get_closest_marker("real_hashing") is None:
        monkeypatch.setattr(passwords, "generate_password_hash",
                            lambda password: generate_password_hash(password, method=CHEAP_HASH))
    passwords._nobodys_hash.cache_clear()  # the stand-in hash is made at the cost in force
    yield
    passwords._nobodys_hash.cache_clear()


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A private copy of the project's content, free to edit."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


def _template_app(folder: Path, content: Path):
    """An app on ``folder``/quiz.sqlite3, for building a database file that tests copy."""
    return create_app({"TESTING": True, "SECRET_KEY": "test-only-key",
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'quiz.sqlite3'}",
                       "CONTENT_DIR": str(content)}, instance_path=folder / "instance")


def _close(template) -> None:
    with template.app_context():
        db.session.remove()
        db.engine.dispose()  # every connection closed: the file alone holds everything


@pytest.fixture(scope="session")
def schema_database(tmp_path_factory) -> Path:
    """An empty SQLite file with every table: made once, copied per test (cheaper than creating them)."""
    folder = tmp_path_factory.mktemp("schema-template")
    template = _template_app(folder, CONTENT)
    with template.app_context():
        db.create_all()
    _close(template)
    return folder / "quiz.sqlite3"


@pytest.fixture
def app(tmp_path: Path, content_dir: Path, schema_database: Path):
    """An app with its own database file (every table, no rows), instance folder and content copy."""
    shutil.copyfile(schema_database, tmp_path / "quiz.sqlite3")
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-only-key",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'quiz.sqlite3'}",
        "CONTENT_DIR": str(content_dir),
    }, instance_path=tmp_path / "instance")  # a config.py in the real instance/ must not leak in
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def session(synced):
    """The database session of an app with the project's banks synced."""
    with synced.app_context():
        yield db.session


@pytest.fixture
def clock(synced) -> Clock:
    """The app's clock, standing at T0 until a test moves it."""
    synced.config["CLOCK"] = fixed = Clock(T0)
    return fixed


@pytest.fixture
def host(synced, clock):
    """A signed-in instructor's client, on the standing clock."""
    client = synced.test_client()
    sign_in(synced, client, "teacher", is_instructor=True)
    return client


@pytest.fixture
def client(app):
    """A test client of the app."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner bound to the app."""
    return app.test_cli_runner()


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*"))
            if path.is_file()}


@pytest.fixture(scope="session")
def synced_database(tmp_path_factory, schema_database: Path) -> Path:
    """A SQLite file with the schema and the project's banks synced: made once, copied per test."""
    folder = tmp_path_factory.mktemp("synced-template")
    shutil.copytree(CONTENT, folder / "content")
    shutil.copyfile(schema_database, folder / "quiz.sqlite3")
    template = _template_app(folder, folder / "content")
    result = template.test_cli_runner().invoke(args=["content", "sync"])
    assert result.exit_code == 0, result.output
    _close(template)
    return folder / "quiz.sqlite3"


@pytest.fixture
def synced(app, runner, tmp_path: Path, content_dir: Path, synced_database: Path):
    """The app with the project's banks loaded.

    A sync costs about half a second, so a test whose app is the default one
    (its own SQLite file, the content as committed) gets a copy of a database
    synced once per run; any other app is synced for real.
    """
    database = tmp_path / "quiz.sqlite3"
    if (app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{database}"
            and _tree(content_dir) == _tree(CONTENT)):
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        for leftover in ("-wal", "-shm", "-journal"):
            Path(f"{database}{leftover}").unlink(missing_ok=True)
        shutil.copyfile(synced_database, database)  # into the file the app made: its mode stays
        return app
    result = runner.invoke(args=["content", "sync"])
    assert result.exit_code == 0, result.output
    return app


# ------------------------------------------------------------- PostgreSQL
# A throwaway cluster of the run's own (tests/helpers/postgres.py), on a Unix socket in a temporary folder.
# Under `pytest -n` each worker makes its own in a folder of its own, so one port serves them all:
# it only names the socket file in that folder.

PORT = 5439


@pytest.fixture(scope="session")
def postgres_cluster():
    """A running PostgreSQL cluster of its own, with an empty database ``quiz``."""
    cluster = Cluster.create(PORT)
    try:
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture(scope="session")
def postgres_url(postgres_cluster) -> str:
    """The database URL of the test cluster's database."""
    return postgres_cluster.url


@pytest.fixture
def pg_app(postgres_url, tmp_path):
    """The app on the PostgreSQL database, its tables fresh and the banks synced."""
    app = create_app({"TESTING": True, "SECRET_KEY": "test-only-key", "SQLALCHEMY_DATABASE_URI": postgres_url,
                      "CONTENT_DIR": str(CONTENT)}, instance_path=tmp_path / "instance")
    with app.app_context():
        db.drop_all()
        db.create_all()
    result = app.test_cli_runner().invoke(args=["content", "sync"])
    assert result.exit_code == 0, result.output
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
