"""A database that fails across a question's deadline costs no player an answer given in time.

Real faults: a SQLite database that refuses every write (``PRAGMA
query_only``, SQLITE_READONLY) and a PostgreSQL server stopped and started
again. The phone's answer meets a 503 in time; by the time it is sent again
the deadline has passed. The old code refused it as late.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event, func, select

from quiz.extensions import db
from quiz.live.models import LiveAnswer, LiveSession
from quiz.live.outages import WORKER_GRACE_SECONDS
from quiz.live.watcher import close_due_questions
from tests.helpers.clock import T0, Clock
from tests.helpers.forms import token_in
from tests.helpers.live import act, create, current_question, join, right
from tests.helpers.sessions import sign_in

JSON = {"Accept": "application/json"}


@contextmanager
def refusing_writes(app):
    """Every new connection of the app's pool refuses to write, as a read-only database does."""
    with app.app_context():
        engine = db.engine

    def read_only(connection, _record):
        connection.execute("PRAGMA query_only = ON")

    event.listen(engine, "connect", read_only)
    engine.dispose()
    try:
        yield
    finally:
        event.remove(engine, "connect", read_only)
        engine.dispose()


def _open_question(app):
    """A running session with Ann on its first 20 s question: (session id, PIN, Ann, her answer's form)."""
    host = app.test_client()
    sign_in(app, host, "teacher", is_instructor=True)
    session_id, pin = create(host)
    ann, _ = join(app, pin, "Ann")
    act(host, session_id, "start")
    token = token_in(ann.get(f"/live/{pin}/play").get_data(as_text=True))
    _, data = current_question(app, session_id)
    return session_id, pin, ann, {"csrf_token": token, "question": "0", "choice": right(data)}


def _deadline(app, session_id: int):
    with app.app_context():
        return db.session.get(LiveSession, session_id).deadline


def _answers(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(LiveAnswer))


def test_an_answer_refused_by_a_read_only_database_counts_when_retried_after_the_deadline(synced, clock):
    session_id, pin, ann, answer = _open_question(synced)
    clock.now = T0 + timedelta(seconds=19)  # in time, but the database refuses to write
    with refusing_writes(synced):
        assert ann.post(f"/live/{pin}/answer", headers=JSON, data=answer).status_code == 503
        clock.now = T0 + timedelta(seconds=30)  # the deadline (20 s) and its grace pass during the fault
    retried = ann.post(f"/live/{pin}/answer", headers=JSON, data=answer)
    assert retried.get_json() == {"taken": True, "question": 0}
    assert _answers(synced) == 1
    assert _deadline(synced, session_id) == T0 + timedelta(seconds=30 + WORKER_GRACE_SECONDS)


def test_the_watcher_gives_the_grace_before_closing_a_question_whose_time_ran_out_in_a_fault(synced, clock):
    session_id, pin, ann, answer = _open_question(synced)
    clock.now = T0 + timedelta(seconds=19)
    with refusing_writes(synced):
        assert ann.post(f"/live/{pin}/answer", headers=JSON, data=answer).status_code == 503
    clock.now = T0 + timedelta(seconds=30)
    close_due_questions(synced, {session_id: T0 + timedelta(seconds=20)}, set())  # its last read, pre-fault
    with synced.app_context():
        assert db.session.get(LiveSession, session_id).phase == "question"  # not closed: the grace runs
    assert ann.post(f"/live/{pin}/answer", headers=JSON, data=answer).get_json()["taken"] is True
    clock.now = T0 + timedelta(seconds=30 + WORKER_GRACE_SECONDS + 5)
    close_due_questions(synced, {session_id: _deadline(synced, session_id)}, set())
    with synced.app_context():
        assert db.session.get(LiveSession, session_id).phase == "reveal"  # and then it closes as always


def test_a_fault_long_before_the_deadline_grants_nothing(synced, clock):
    session_id, pin, ann, answer = _open_question(synced)
    clock.now = T0 + timedelta(seconds=5)
    with refusing_writes(synced):
        assert ann.post(f"/live/{pin}/answer", headers=JSON, data=answer).status_code == 503
    clock.now = T0 + timedelta(seconds=6)  # the database is back long before the deadline
    assert ann.get(f"/live/{pin}/state", headers=JSON).status_code == 200
    assert _deadline(synced, session_id) == T0 + timedelta(seconds=20)
    clock.now = T0 + timedelta(seconds=25)
    late = ann.post(f"/live/{pin}/answer", headers=JSON, data=answer)
    assert late.status_code == 409 and "Time was up" in late.get_json()["error"]
    assert _answers(synced) == 0


def test_an_answer_met_by_a_stopped_postgresql_counts_when_retried_late(pg_app, postgres_cluster):
    pg_app.config["CLOCK"] = clock = Clock(T0)
    session_id, pin, ann, answer = _open_question(pg_app)
    clock.now = T0 + timedelta(seconds=19)
    postgres_cluster.stop()
    try:
        assert ann.post(f"/live/{pin}/answer", headers=JSON, data=answer).status_code == 503
        clock.now = T0 + timedelta(seconds=30)
    finally:
        postgres_cluster.start()
    retried = ann.post(f"/live/{pin}/answer", headers=JSON, data=answer)
    assert retried.get_json() == {"taken": True, "question": 0}
    assert _answers(pg_app) == 1
    assert _deadline(pg_app, session_id) == T0 + timedelta(seconds=30 + WORKER_GRACE_SECONDS)
