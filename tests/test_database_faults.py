"""A database out of reach for a moment is a 503 with Retry-After (JSON or a page), never a bare 500.

Real faults on real databases: a SQLite file locked by another process past
the busy timeout, one opened read-only, one that is full, and a PostgreSQL
server stopped and started again.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.pool import NullPool

from quiz import create_app
from quiz.extensions import db
from quiz.live.models import LiveAnswer, LivePlayer
from tests.helpers.clock import T0, Clock
from tests.helpers.forms import token_in
from tests.helpers.live import act, create, current_question, join, right
from tests.helpers.servers import wait_for
from tests.helpers.sessions import sign_in

JSON = {"Accept": "application/json"}


@pytest.fixture
def impatient(tmp_path: Path, content_dir: Path):
    """An app on its own SQLite file that waits only 50 ms for a lock, with the banks synced."""
    app = create_app({"SECRET_KEY": "test-only-key", "SQLITE_BUSY_TIMEOUT_MS": 50, "CLOCK": Clock(T0),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'quiz.sqlite3'}",
                      "CONTENT_DIR": str(content_dir), "TESTING": True},
                     instance_path=tmp_path / "instance")
    with app.app_context():
        db.create_all()
    assert app.test_cli_runner().invoke(args=["content", "sync"]).exit_code == 0
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _open_question(app):
    """A running session with one player, Ann, on its first question: (pin, Ann's client, a form token)."""
    host = app.test_client()
    sign_in(app, host, "teacher", is_instructor=True)
    session_id, pin = create(host)
    ann, _ = join(app, pin, "Ann")
    act(host, session_id, "start")
    token = token_in(ann.get(f"/live/{pin}/play").get_data(as_text=True))
    return session_id, pin, ann, token


def _unavailable(response, *, page: bool) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    if page:
        body = response.get_data(as_text=True)
        assert "Busy for a moment" in body and "Go to the question banks" in body  # the site's layout
        assert "Traceback" not in body and "OperationalError" not in body
    else:
        assert response.get_json()["status"] == 503 and "try again" in response.get_json()["error"]


def _answers(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(LiveAnswer))


def test_a_locked_sqlite_file_answers_503_and_the_retry_is_taken(impatient, tmp_path):
    session_id, pin, ann, token = _open_question(impatient)
    _, data = current_question(impatient, session_id)
    answer = {"csrf_token": token, "question": "0", "choice": right(data)}
    locker = sqlite3.connect(tmp_path / "quiz.sqlite3", isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")  # another process holds the write lock past the busy timeout
    try:
        _unavailable(ann.post(f"/live/{pin}/answer", headers=JSON, data=answer), page=False)
        _unavailable(ann.post(f"/live/{pin}/answer", data=answer), page=True)
    finally:
        locker.rollback()
        locker.close()
    assert _answers(impatient) == 0
    retried = ann.post(f"/live/{pin}/answer", headers=JSON, data=answer)
    assert retried.get_json() == {"taken": True, "question": 0}
    assert _answers(impatient) == 1


def test_a_read_only_sqlite_database_answers_503(impatient):
    session_id, pin, ann, token = _open_question(impatient)
    _, data = current_question(impatient, session_id)
    with impatient.app_context():
        engine = db.engine

    def read_only(connection, _record):
        connection.execute("PRAGMA query_only = ON")  # SQLite refuses every write: SQLITE_READONLY

    event.listen(engine, "connect", read_only)
    engine.dispose()
    try:
        reply = ann.post(f"/live/{pin}/answer", headers=JSON,
                         data={"csrf_token": token, "question": "0", "choice": right(data)})
        _unavailable(reply, page=False)
        bob = impatient.test_client()
        form = token_in(bob.get(f"/live/join?pin={pin}").get_data(as_text=True))
        _unavailable(bob.post("/live/join", data={"csrf_token": form, "pin": pin, "nickname": "Bob"}),
                     page=True)
    finally:
        event.remove(engine, "connect", read_only)
        engine.dispose()
    assert _answers(impatient) == 0


def test_a_full_sqlite_database_answers_503_and_loses_nothing(impatient):
    _, pin, _, _ = _open_question(impatient)
    with impatient.app_context():
        engine = db.engine
        pages = db.session.execute(db.text("PRAGMA page_count")).scalar()

    def capped(connection, _record):
        connection.execute(f"PRAGMA max_page_count = {pages}")  # no page more: SQLITE_FULL

    event.listen(engine, "connect", capped)
    engine.dispose()
    joined, refused = 0, None
    try:
        for number in range(2000):  # each join needs room; sooner or later there is no page left
            _, response = join(impatient, pin, f"Filler{number}")
            if response.status_code != 303:
                refused = response
                break
            joined += 1
    finally:
        event.remove(engine, "connect", capped)
        engine.dispose()
    assert refused is not None, "the database never filled up"
    _unavailable(refused, page=True)
    with impatient.app_context():  # every join that was answered 303 is there, the refused one is not
        assert db.session.scalar(select(func.count()).select_from(LivePlayer)) == joined + 1  # with Ann


def test_a_stopped_postgresql_answers_503_then_serves_again(pg_app, postgres_cluster):
    client = pg_app.test_client()
    assert client.get("/").status_code == 200
    postgres_cluster.stop()
    try:
        _unavailable(client.get("/"), page=True)
        _unavailable(client.get("/study", headers=JSON), page=False)
    finally:
        postgres_cluster.start()
    assert client.get("/").status_code == 200


def test_after_a_postgresql_restart_no_worker_fails_its_first_request(pg_app, postgres_cluster):
    """Connections the pool kept from before the restart are checked before use, not handed out dead."""
    clients = [pg_app.test_client() for _ in range(3)]
    for client in clients:
        assert client.get("/").status_code == 200
    postgres_cluster.stop()
    postgres_cluster.start()
    assert [client.get("/").status_code for client in clients] == [200, 200, 200]


def test_a_terminated_backend_is_replaced_at_checkout_and_no_request_pings(pg_app, monkeypatch):
    """A pooled connection whose backend ended is replaced before use; a healthy one costs no SELECT 1."""
    with pg_app.app_context():
        engine = db.engine
    pings = []
    monkeypatch.setattr(engine.dialect, "do_ping", lambda connection: pings.append(connection) or True)
    client = pg_app.test_client()
    assert [client.get("/").status_code for _ in range(3)] == [200, 200, 200]
    others = text("SELECT pid FROM pg_stat_activity"
                  " WHERE datname = current_database() AND pid <> pg_backend_pid()")
    administrator = create_engine(engine.url, poolclass=NullPool)
    with administrator.connect() as other:  # end the pool's backends, as an administrator or a crash would
        ended = set(other.scalars(others))
        assert ended, "the app's pool holds no connection"
        other.execute(text("SELECT pg_terminate_backend(pid) FROM unnest(CAST(:pids AS int[])) AS pid"),
                      {"pids": list(ended)})

        def exited() -> bool:
            other.commit()  # each read in a new transaction, which sees the activity afresh
            return not ended & set(other.scalars(others))

        wait_for(exited)
    assert [client.get("/").status_code for _ in range(3)] == [200, 200, 200]
    assert pings == []


def test_a_rollback_that_fails_too_still_answers_503(app, monkeypatch):
    """A connection lost so badly that even the rollback fails is invalidated, and the answer is a 503."""
    from flask_sqlalchemy.session import Session
    from sqlalchemy.exc import OperationalError

    def gone(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))

    @app.get("/test-only/gone")
    def lost():
        gone()

    monkeypatch.setattr(Session, "rollback", gone)
    _unavailable(app.test_client().get("/test-only/gone", headers=JSON), page=False)
