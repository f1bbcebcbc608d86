"""Live sessions on a real PostgreSQL server (see conftest): joins, answers once, a racing close."""

from __future__ import annotations

import re
import threading
import warnings
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select, text

from quiz.database import reads_stand_alone
from quiz.extensions import db
from quiz.live import service, writer
from quiz.live.models import LiveAnswer, LivePlayer, LiveSession
from quiz.models import Answer
from tests.helpers.clock import T0, Clock
from tests.helpers.forms import token_in
from tests.helpers.live import (
    act,
    create,
    current_question,
    join,
    phone_token,
    right,
    send,
    started,
    state,
    wrong,
)
from tests.helpers.lock_waits import until_someone_waits_on_a_lock
from tests.helpers.sessions import sign_in


@pytest.fixture
def pg_app(pg_app):
    """The PostgreSQL app on a clock that stands still."""
    pg_app.config["CLOCK"] = Clock(T0)
    return pg_app


def test_a_round_on_postgresql_joins_scores_and_records_each_answer_once(pg_app):
    host = pg_app.test_client()
    sign_in(pg_app, host, "teacher", is_instructor=True)
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
    sign_in(pg_app, host, "teacher", is_instructor=True)
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
            until_someone_waits_on_a_lock(pg_app)  # the answer's insert, behind the close's row lock
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


def test_a_batch_on_postgresql_keeps_repeats_and_progress_rows_once(pg_app):
    """The group commit's batch write: a repeat gets the first answer's id, a learner's answer counts once."""
    host = pg_app.test_client()
    sign_in(pg_app, host, "teacher", is_instructor=True)
    session_id, pin = create(host)
    learner = pg_app.test_client()
    sign_in(pg_app, learner, "ada")
    join(pg_app, pin, "Ada", client=learner)
    join(pg_app, pin, "Bob")
    act(host, session_id, "start")
    index, data = current_question(pg_app, session_id)
    with pg_app.app_context():
        live = db.session.get(LiveSession, session_id)
        players = {p.nickname: p for p in db.session.scalars(select(LivePlayer))}
        ada, bob = (service.entry(db.session, live, players[name], index, right(data), T0, data)
                    for name in ("Ada", "Bob"))
        db.session.rollback()
        assert ada.progress is not None and bob.progress is None
        with db.engine.begin() as connection:
            first = writer.record_all(connection, [ada, bob, ada])
        with db.engine.begin() as connection:
            again = writer.record_all(connection, [bob, ada])
        assert first[0] == first[2] and None not in first and again == [first[1], first[0]]
        assert db.session.scalar(select(func.count()).select_from(LiveAnswer)) == 2
        assert db.session.scalar(select(func.count()).select_from(Answer)) == 1  # Ada's own progress
        service.act(db.session, live, "close", T0)
        db.session.commit()
        # A player who never answered (no such row: the closed question refuses it before any key would).
        late = writer.Entry({**bob.row, "player_id": 10**6}, bob.version)
        with db.engine.begin() as connection:
            assert writer.record_all(connection, [late, late]) == [None, None]


JSON = {"Accept": "application/json"}
ROUND_TRIP = re.compile(r"^\S+ \S+\tF\t\d+\t(Query|Sync)\b", re.MULTILINE)  # each ends one


@contextmanager
def round_trips(app, folder):
    """A list, filled on leaving, of the round trips the app's pooled connections made meanwhile.

    Read off libpq's own trace of the messages each connection sends. The
    answer writer's connection is its own, and not traced.
    """
    with app.app_context():
        engine = db.engine
    path = folder / "libpq.trace"
    trace, found = path.open("w"), []

    def traced(dbapi_connection, _record, _proxy) -> None:
        dbapi_connection.pgconn.trace(trace.fileno())

    event.listen(engine, "checkout", traced)
    try:
        yield found
    finally:
        event.remove(engine, "checkout", traced)
        engine.dispose()  # the traced connections go, and the trace with them
        trace.close()
    found.extend(ROUND_TRIP.findall(path.read_text()))


def test_an_answer_costs_the_pool_one_round_trip(pg_app, tmp_path):
    """The seat's read stands alone: no ping, BEGIN or ROLLBACK beside it (the group commit writes)."""
    host = pg_app.test_client()
    sign_in(pg_app, host, "teacher", is_instructor=True)
    _, pin, phones, index, data = started(pg_app, host, "Ann", "Bob")
    token = phone_token(phones["Ann"], pin)  # also builds this process's snapshot of the session
    with round_trips(pg_app, tmp_path) as trips:
        form = {"csrf_token": token, "question": str(index), "choice": right(data)}
        response = phones["Ann"].post(f"/live/{pin}/answer", data=form, headers=JSON)
    assert response.get_json() == {"taken": True, "question": index}
    assert len(trips) == 1, trips
    with pg_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LiveAnswer)) == 1


def test_a_join_costs_four_round_trips(pg_app, tmp_path):
    """BEGIN, the session by its PIN, the player's insert, COMMIT: nothing is read again after the commit."""
    host = pg_app.test_client()
    sign_in(pg_app, host, "teacher", is_instructor=True)
    _, pin = create(host)
    phone = pg_app.test_client()
    body = phone.get(f"/live/join?pin={pin}").get_data(as_text=True)
    with round_trips(pg_app, tmp_path) as trips:
        form = {"csrf_token": token_in(body), "pin": pin, "nickname": "Ann"}
        response = phone.post("/live/join", data=form)
    assert response.status_code == 303 and phone.get_cookie("live-1", path="/live") is not None
    assert trips == ["Query", "Sync", "Sync", "Query"]


def test_reads_stand_alone_leave_an_open_transaction_as_it_is(pg_app):
    """A request that began a transaction (an outage's mend that found it done) reads on in it, unwarned."""
    with pg_app.app_context():
        db.session.connection()  # as Interruption.mend takes it before its lock
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            reads_stand_alone(db.session())
        assert db.session.execute(text("SELECT 1")).scalar() == 1
        db.session.rollback()
