"""Live sessions on a real PostgreSQL server: joins, answers once, and an answer racing the close.

A throwaway cluster is made with the server's own ``initdb`` and ``pg_ctl``
(run as the ``postgres`` user when the tests run as root, since they refuse
root), listening on a Unix socket in a temporary folder only.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from quiz import create_app
from quiz.extensions import db
from quiz.live import service
from quiz.live.models import LiveAnswer, LivePlayer, LiveSession
from tests.test_live_http import (
    T0,
    Clock,
    act,
    create,
    current_question,
    join,
    right,
    send,
    sign_in,
    state,
    wrong,
)

PORT = 5439


def _server_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    assert found, "PostgreSQL's server binaries are missing: `make test` installs them"
    return Path(found[-1]).parent


def _as_owner(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture(scope="module")
def postgres_url():
    """A running PostgreSQL cluster of its own; yields the database URL of an empty database."""
    binaries = _server_bin()
    folder = Path(tempfile.mkdtemp(prefix="quiz-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    data = folder / "data"
    subprocess.run(_as_owner([str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]),
                   check=True, capture_output=True)
    subprocess.run(_as_owner([str(binaries / "pg_ctl"), "-D", str(data), "-w", "-l", str(folder / "log"),
                              "-o", f"-p {PORT} -k {folder} -c listen_addresses=''", "start"]),
                   check=True, capture_output=True)
    try:
        subprocess.run(_as_owner([str(binaries / "createdb"), "-h", str(folder), "-p", str(PORT), "quiz"]),
                       check=True, capture_output=True)
        yield f"postgresql+psycopg://postgres@/quiz?host={folder}&port={PORT}"
    finally:
        subprocess.run(_as_owner([str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                       capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def pg_app(postgres_url, tmp_path):
    """The app on the PostgreSQL database, its tables fresh and the banks synced, on a standing clock."""
    app = create_app({"TESTING": True, "SECRET_KEY": "test-only-key", "SQLALCHEMY_DATABASE_URI": postgres_url,
                      "CONTENT_DIR": str(Path(__file__).resolve().parent.parent / "content"),
                      "CLOCK": Clock(T0)}, instance_path=tmp_path / "instance")
    with app.app_context():
        db.drop_all()
        db.create_all()
    result = app.test_cli_runner().invoke(args=["content", "sync"])
    assert result.exit_code == 0, result.output
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_round_on_postgresql_joins_scores_and_records_each_answer_once(pg_app):
    host = pg_app.test_client()
    sign_in(pg_app, host, "teacher", instructor=True)
    session_id, pin = create(host)
    ann, _ = join(pg_app, pin, "Ann")
    bob, first = join(pg_app, pin, "Bob")
    assert first.status_code == 303
    _, taken = join(pg_app, pin, "ann")  # the same name in another case: refused, on PostgreSQL too
    assert taken.status_code == 400 and "already called ann" in taken.get_data(as_text=True)
    act(host, session_id, "start")
    index, data = current_question(pg_app, session_id)
    send(ann, pin, index, choice=right(data))
    send(ann, pin, index, choice=wrong(data))  # a double submit: the first stands
    send(bob, pin, index, choice=wrong(data))
    assert state(host, pin)["phase"] == "reveal"
    with pg_app.app_context():
        scores = db.session.execute(select(LivePlayer.nickname, LivePlayer.score, LivePlayer.streak)
                                    .order_by(LivePlayer.nickname)).all()
        assert [tuple(row) for row in scores] == [("Ann", 1000, 1), ("Bob", 0, 0)]
        assert db.session.scalar(select(func.count()).select_from(LiveAnswer)) == 2


def test_an_answer_racing_an_uncommitted_close_waits_and_is_refused(pg_app):
    """Under PostgreSQL's read committed, only the insert's FOR SHARE keeps the tally whole."""
    host = pg_app.test_client()
    sign_in(pg_app, host, "teacher", instructor=True)
    session_id, pin = create(host)
    join(pg_app, pin, "Ann")
    act(host, session_id, "start")
    index, data = current_question(pg_app, session_id)
    closing, outcome = threading.Event(), {}

    def close_slowly() -> None:
        with pg_app.app_context():
            live = db.session.get(LiveSession, session_id)
            service.act(db.session, live, "close", T0)  # the compare-and-set and the tally, uncommitted
            closing.set()
            time.sleep(0.5)
            db.session.commit()

    def answer() -> None:
        closing.wait(5)
        with pg_app.app_context():
            player = db.session.scalar(select(LivePlayer).where(LivePlayer.nickname == "Ann"))
            live = db.session.get(LiveSession, session_id)  # the committed state: the question still open
            assert live.phase == "question"
            try:
                service.submit(db.session, live, player, index, right(data), T0)
                db.session.commit()
                outcome["answer"] = "accepted"
            except service.QuestionClosed:
                db.session.rollback()
                outcome["answer"] = "refused"

    threads = [threading.Thread(target=close_slowly), threading.Thread(target=answer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert outcome == {"answer": "refused"}
    with pg_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LiveAnswer)) == 0
        assert db.session.scalar(text("SELECT phase FROM live_sessions")) == "reveal"
