"""Syncs and imports take turns: two at once both finish, one told not to wait says a sync is running.

Before the lock, two `quiz content sync` started together both planned from an
empty database and the second failed on the bank id, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from quiz import create_app
from quiz.catalog.content_lock import ContentBusy, content_lock
from quiz.content.validate import load_content
from quiz.content.writer import dump_yaml
from quiz.exchange import commands as import_command
from quiz.extensions import db
from tests.helpers.servers import QUIZ
from tests.helpers.sessions import sign_in

CSV = b"type,prompt,answer,concepts\ntrue_false,A host runs guests.,TRUE,host\n"


def questions_in(content_dir: Path) -> int:
    """How many questions the banks under ``content_dir`` hold."""
    return sum(len(bank.questions) for bank in load_content(content_dir).banks)


def big_bank(content_dir: Path, count: int = 4000) -> None:
    """A bank large enough that two syncs started together overlap."""
    questions = [{"id": f"q{n}", "type": "true_false", "prompt": f"A host runs guest number {n}.",
                  "answer": True, "concepts": ["host"]} for n in range(count)]
    (content_dir / "banks" / "many.yaml").write_text(
        dump_yaml({"id": "many", "title": "Many", "questions": questions}), encoding="utf-8")


def two_syncs_at_once(url: str, content_dir: Path, cwd: Path) -> list[subprocess.CompletedProcess]:
    """Start two `quiz content sync` processes together on one database; both results."""
    env = {**os.environ, "QUIZ_SQLALCHEMY_DATABASE_URI": url, "QUIZ_CONTENT_DIR": str(content_dir),
           "QUIZ_SECRET_KEY": "lock-test-key"}
    processes = [subprocess.Popen([QUIZ, "content", "sync"], env=env, cwd=cwd, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return results


def counts(url: str) -> tuple[int, int]:
    """Banks and questions in the database at ``url``."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return (connection.scalar(text("SELECT count(*) FROM banks")),
                    connection.scalar(text("SELECT count(*) FROM questions")))
    finally:
        engine.dispose()


@pytest.mark.slow  # two sync processes of seconds each
def test_two_syncs_at_once_on_sqlite_both_finish(tmp_path, content_dir):
    big_bank(content_dir)
    total = questions_in(content_dir)
    url = f"sqlite:///{tmp_path / 'race.sqlite3'}"
    app = create_app({"SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": url}, instance_path=tmp_path / "i")
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    results = two_syncs_at_once(url, content_dir, tmp_path)
    assert [r.returncode for r in results] == [0, 0], [r.stderr[-800:] for r in results]
    outputs = sorted(r.stdout for r in results)
    assert f"{total} added" in outputs[0] + outputs[1] and f"{total} unchanged" in outputs[0] + outputs[1]
    assert counts(url) == (3, total)


@pytest.mark.slow  # two sync processes of seconds each
def test_two_syncs_at_once_on_postgresql_both_finish(postgres_url, tmp_path, content_dir):
    big_bank(content_dir)
    total = questions_in(content_dir)
    app = create_app({"SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": postgres_url},
                     instance_path=tmp_path / "i")
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    results = two_syncs_at_once(postgres_url, content_dir, tmp_path)
    assert [r.returncode for r in results] == [0, 0], [r.stderr[-800:] for r in results]
    assert counts(postgres_url) == (3, total)


@pytest.fixture(params=["sqlite", "postgresql"])
def any_app(request, app, tmp_path, content_dir):
    """The test app on SQLite, or the same on the PostgreSQL cluster."""
    if request.param == "sqlite":
        yield app
        return
    url = request.getfixturevalue("postgres_url")
    pg = create_app({"TESTING": True, "SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": url,
                     "CONTENT_DIR": str(content_dir)}, instance_path=tmp_path / "pg-instance")
    with pg.app_context():
        db.drop_all()
        db.create_all()
    yield pg
    with pg.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_second_holder_is_refused_while_the_first_holds_it(any_app):
    with any_app.app_context():
        with content_lock(db.engine, wait=0), pytest.raises(ContentBusy), content_lock(db.engine, wait=0.2):
            pass
        with content_lock(db.engine, wait=0):  # released: free again
            pass


def test_a_sync_told_not_to_wait_says_one_is_running(any_app):
    runner = any_app.test_cli_runner()
    with any_app.app_context(), content_lock(db.engine, wait=0):
        result = runner.invoke(args=["content", "sync", "--wait", "0"])
    assert result.exit_code == 1
    assert "a sync or an import of questions is running" in result.output
    with any_app.app_context():
        assert db.session.execute(text("SELECT count(*) FROM questions")).scalar() == 0


def test_a_command_that_waits_says_so_and_then_runs(app, content_dir, tmp_path, monkeypatch):
    source = tmp_path / "waiting.csv"
    source.write_bytes(CSV)
    held, asked = threading.Event(), threading.Event()
    said = import_command.say_waiting

    def say_and_tell() -> None:
        said()
        asked.set()

    monkeypatch.setattr(import_command, "say_waiting", say_and_tell)

    def hold() -> None:
        # Released once the command waits for it, however slow the machine is to get there.
        with app.app_context(), content_lock(db.engine, wait=0):
            held.set()
            asked.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(5)
    result = app.test_cli_runner().invoke(args=["import", str(source), "--bank", "waiting", "--wait", "10"])
    holder.join()
    assert result.exit_code == 0, result.output
    assert "waiting for the sync or import that is running" in result.output
    assert (content_dir / "banks" / "waiting.yaml").is_file()


def test_a_web_import_while_a_sync_runs_says_so_and_writes_nothing(synced, content_dir):
    synced.config["CONTENT_LOCK_WAIT_SECONDS"] = 0.2
    client = synced.test_client()
    sign_in(synced, client, "teacher", is_instructor=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get("/import").get_data(as_text=True)).group(1)
    with synced.app_context(), content_lock(db.engine, wait=0):
        response = client.post("/import", data={"csrf_token": token, "bank": "while-locked",
                                                "file": (io.BytesIO(CSV), "q.csv")})
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert "Another import or a sync of the question banks is running" in response.get_data(as_text=True)
    assert not (content_dir / "banks" / "while-locked.yaml").exists()
