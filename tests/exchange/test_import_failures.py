"""Every way an import can fail leaves the bank files and the database as they were, with a clear page.

Before: only a validation error removed the bank file, so a database error
gave a 500, a retry said the bank "exists already", and the next sync loaded
the bank the instructor was told had failed.
"""

from __future__ import annotations

import errno
import sqlite3

import pytest
from sqlalchemy.exc import OperationalError

from quiz import create_app
from quiz.content.writer import dump_yaml
from quiz.exchange import publish as publish_module
from quiz.exchange import store as store_module
from quiz.exchange.publish import bank_file
from quiz.extensions import db
from quiz.models import Bank, Question
from tests.helpers.tables import snapshot
from tests.helpers.uploads import bank_files, instructor, upload

CSV = b"type,prompt,answer,concepts\ntrue_false,A host runs guests.,TRUE,host\n"


def rows(app) -> dict:
    with app.app_context():
        taken = snapshot()
        db.session.remove()
        return taken


def locked(*_args, **_kwargs):
    raise OperationalError("INSERT INTO questions ...", {}, sqlite3.OperationalError("database is locked"))


def test_a_database_error_during_the_sync_is_a_clear_page_and_leaves_nothing(synced, content_dir,
                                                                              monkeypatch):
    client = instructor(synced)
    files, before = bank_files(content_dir), rows(synced)
    monkeypatch.setattr(publish_module, "sync_content", locked)
    response = upload(client, CSV, "q.csv", bank="refused")
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    page = response.get_data(as_text=True)
    assert "The database could not save the questions" in page and "Nothing was imported" in page
    assert bank_files(content_dir) == files
    assert rows(synced) == before
    monkeypatch.undo()
    again = upload(client, CSV, "q.csv", bank="refused")  # not "exists already"
    assert again.status_code == 302, again.get_data(as_text=True)
    with synced.app_context():
        assert db.session.get(Bank, "refused") is not None


def test_an_unexpected_failure_during_the_sync_still_removes_the_file(synced, content_dir, monkeypatch):
    client = instructor(synced)
    files = bank_files(content_dir)

    def broken(*_args, **_kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(publish_module, "sync_content", broken)
    with pytest.raises(RuntimeError):  # TESTING propagates it; served, it is the site's 500 page
        upload(client, CSV, "q.csv", bank="buggy")
    assert bank_files(content_dir) == files


def test_a_disk_that_refuses_the_file_is_a_clear_page(synced, content_dir, monkeypatch):
    client = instructor(synced)
    files = bank_files(content_dir)

    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store_module.tempfile, "mkstemp", full)
    response = upload(client, CSV, "q.csv", bank="no-room")
    assert response.status_code == 503
    assert "could not be written (No space left on device)" in response.get_data(as_text=True)
    assert bank_files(content_dir) == files


def test_the_command_line_says_so_when_the_disk_refuses(runner, content_dir, tmp_path, monkeypatch):
    source = tmp_path / "q.csv"
    source.write_bytes(CSV)
    files = bank_files(content_dir)

    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store_module.tempfile, "mkstemp", full)
    result = runner.invoke(args=["import", str(source), "--bank", "no-room"])
    assert result.exit_code == 1
    assert "No space left on device; nothing was written" in result.output
    assert bank_files(content_dir) == files


def test_a_replaced_bank_gets_its_old_text_back_when_what_follows_fails(content_dir):
    target = content_dir / "banks" / "ch01-concepts.yaml"
    original = target.read_text(encoding="utf-8")
    with pytest.raises(RuntimeError), bank_file(content_dir, "ch01-concepts", "id: x\n", replace=True):
        assert target.read_text(encoding="utf-8") == "id: x\n"
        raise RuntimeError("the sync failed")
    assert target.read_text(encoding="utf-8") == original


def test_a_broken_bank_on_the_server_is_said_and_nothing_is_imported(synced, content_dir):
    client = instructor(synced)
    (content_dir / "banks" / "ch01-concepts.yaml").write_text("id: ch01-concepts\ntitle: [\n",
                                                              encoding="utf-8")
    files = bank_files(content_dir)
    response = upload(client, CSV, "q.csv", bank="fine")
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "The question banks on the server have errors" in page and "ch01-concepts.yaml" in page
    assert bank_files(content_dir) == files


def long_title_bank(title: str) -> bytes:
    return dump_yaml({"id": "x", "title": title, "questions": [
        {"id": "q1", "type": "true_false", "prompt": "A host runs guests.", "answer": True,
         "concepts": ["host"]}]}).encode()


def test_a_title_the_validator_allows_imports_on_postgresql(postgres_url, tmp_path, content_dir):
    app = create_app({"TESTING": True, "SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": postgres_url,
                      "CONTENT_DIR": str(content_dir)}, instance_path=tmp_path / "instance")
    with app.app_context():
        db.drop_all()
        db.create_all()
    try:
        assert app.test_cli_runner().invoke(args=["content", "sync"]).exit_code == 0
        title = "A very long title " * 80  # 1,440 characters: over the old 200, within the 2,000 allowed
        response = upload(instructor(app), long_title_bank(title), "long.yaml", bank="long-title")
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        later = app.test_cli_runner().invoke(args=["content", "sync"])
        assert later.exit_code == 0, later.output
        with app.app_context():
            assert db.session.get(Bank, "long-title").title == title
            assert db.session.execute(db.select(db.func.count()).select_from(Question)
                                      .where(Question.bank_id == "long-title")).scalar() == 1
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def big_csv(rows_count: int) -> bytes:
    lines = ["type,prompt,answer,concepts"] + [f"true_false,A host runs guest number {n}.,TRUE,host"
                                               for n in range(rows_count)]
    return ("\n".join(lines) + "\n").encode()


def test_a_20000_row_csv_is_refused_at_once_and_later_imports_work(synced, content_dir):
    data = big_csv(20_000)
    assert len(data) < 2 * 1024 * 1024
    client = instructor(synced)
    files = bank_files(content_dir)
    response = upload(client, data, "huge.csv", bank="huge")
    assert response.status_code == 400
    assert "holds 20,000 questions, and one import takes at most 5,000" in response.get_data(as_text=True)
    assert bank_files(content_dir) == files
    small = upload(client, CSV, "small.csv", bank="small")
    assert small.status_code == 302


def test_the_import_cap_is_a_setting(synced, runner, tmp_path):
    synced.config["IMPORT_MAX_QUESTIONS"] = 10
    source = tmp_path / "eleven.csv"
    source.write_bytes(big_csv(11))
    result = runner.invoke(args=["import", str(source)])
    assert result.exit_code == 1
    assert "holds 11 questions, and one import takes at most 10" in result.output


def test_a_long_web_import_lets_the_worker_serve_others_between_its_steps(synced, monkeypatch):
    """Each question converted, planned and written is a point where gevent may run other requests."""
    from quiz.exchange import upload as upload_module

    yields: list[float] = []
    monkeypatch.setattr(upload_module.time, "sleep", yields.append)
    response = upload(instructor(synced), big_csv(500), "five-hundred.csv", bank="five-hundred")
    assert response.status_code == 302
    assert len(yields) >= 500 and set(yields) == {0}
