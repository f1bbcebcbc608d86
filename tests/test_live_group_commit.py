"""The group commit of live answers: many at once recorded once each, a repeat in a batch, failed batches."""

from __future__ import annotations

import threading
from contextlib import contextmanager

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError

from quiz.extensions import db
from quiz.live import service, writer
from quiz.live.models import LiveAnswer, LivePlayer, LiveSession
from tests.helpers.clock import T0
from tests.helpers.live import phone_token, right, started

NAMES = [f"p{n}" for n in range(24)]


def rows(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(LiveAnswer))


def entries(app, session_id: int, data: dict, names: list[str]) -> list[writer.Entry]:
    """Each named player's right answer to the open question, checked and graded as the answer page does."""
    with app.app_context():
        live = db.session.get(LiveSession, session_id)
        found = []
        for name in names:
            player = db.session.scalar(select(LivePlayer).where(LivePlayer.nickname == name))
            found.append(service.entry(db.session, live, player, 0, right(data), T0, data))
        db.session.rollback()
        return found


def at_once(calls) -> list:
    """Run every call in its own thread, released together; each one's result or exception."""
    start, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(n, call):
        start.wait()
        try:
            results[n] = call()
        except Exception as exc:  # the test looks at it
            results[n] = exc

    threads = [threading.Thread(target=run, args=(n, call)) for n, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_a_hall_answering_at_once_is_recorded_once_each_in_few_transactions(synced, host, clock):
    synced.config["LIVE_ANSWER_BATCH_MS"] = 50
    _, pin, phones, _, data = started(synced, host, *NAMES)
    tokens = {name: phone_token(phone, pin) for name, phone in phones.items()}

    def answer(name):
        return lambda: phones[name].post(f"/live/{pin}/answer", headers={"Accept": "application/json"},
                                         data={"csrf_token": tokens[name], "question": "0",
                                               "choice": right(data)})

    # Every phone answers, and a third of them twice more at the same moment (a double tap, a retry).
    responses = at_once([answer(name) for name in NAMES + NAMES[::3] + NAMES[::3]])
    assert all(r.status_code == 200 and r.get_json()["taken"] for r in responses), responses
    assert rows(synced) == len(NAMES)
    assert synced.extensions["live_writer"].batches < len(responses) // 2  # grouped, not one each


def test_a_repeat_in_the_same_batch_gets_the_answer_recorded_once(synced, host, clock):
    session_id, _, _, _, data = started(synced, host, "Ann", "Bob")
    ann, bob = entries(synced, session_id, data, ["Ann", "Bob"])
    with synced.app_context():
        engine = db.engine
    batcher = writer.AnswerWriter(engine.begin, window=0.3)
    first, again, other = at_once([lambda: batcher.write(ann), lambda: batcher.write(ann),
                                   lambda: batcher.write(bob)])
    assert batcher.batches == 1
    assert first == again and isinstance(first, int) and isinstance(other, int) and other != first
    assert rows(synced) == 2


def test_a_row_the_database_refuses_fails_alone_and_the_rest_of_its_batch_is_kept(synced, host, clock):
    session_id, _, _, _, data = started(synced, host, "Ann", "Bob", "Cy")
    ann, bob, cy = entries(synced, session_id, data, ["Ann", "Bob", "Cy"])
    forged = writer.Entry({**bob.row, "question_id": 10**9}, bob.version)  # no such question: a foreign key
    with synced.app_context():
        engine = db.engine
    batcher = writer.AnswerWriter(engine.begin, window=0.3)
    results = at_once([lambda: batcher.write(ann), lambda: batcher.write(forged),
                       lambda: batcher.write(cy)])
    assert isinstance(results[0], int) and isinstance(results[2], int)
    assert isinstance(results[1], IntegrityError)
    assert rows(synced) == 2
    assert batcher.write(bob) is not None  # the player's real answer still goes in, once
    assert rows(synced) == 3


def test_a_batch_the_database_cannot_take_fails_each_request_cleanly_its_retry_counts(synced, host, clock):
    _, pin, phones, _, data = started(synced, host, "Ann")
    ann = phones["Ann"]
    token = phone_token(ann, pin)
    batcher = writer.writer_for(synced)
    real = batcher._connect

    @contextmanager
    def locked():
        with real() as connection:
            yield connection
            raise OperationalError("COMMIT", {}, Exception("database is locked"))

    batcher._connect = locked
    form = {"csrf_token": token, "question": "0", "choice": right(data)}
    refused = ann.post(f"/live/{pin}/answer", data=form, headers={"Accept": "application/json"})
    assert refused.status_code == 503 and refused.headers["Retry-After"]
    assert rows(synced) == 0  # nothing of the failed batch was kept
    batcher._connect = real
    taken = ann.post(f"/live/{pin}/answer", data=form, headers={"Accept": "application/json"})
    assert taken.status_code == 200 and taken.get_json()["taken"] is True
    assert rows(synced) == 1


def test_the_writer_acknowledges_only_after_the_commit(synced, host, clock):
    session_id, _, _, _, data = started(synced, host, "Ann")
    (ann,) = entries(synced, session_id, data, ["Ann"])
    with synced.app_context():
        engine = db.engine
    seen = []

    @contextmanager
    def watched():
        with engine.begin() as connection:
            yield connection
            seen.append(rows(synced))  # still inside the transaction: another connection sees nothing yet
        seen.append(rows(synced))

    assert writer.AnswerWriter(watched, window=0).write(ann) is not None
    assert seen == [0, 1]


def test_an_answer_whose_question_closed_before_its_batch_is_refused_not_lost(synced, host, clock):
    session_id, _, _, _, data = started(synced, host, "Ann")
    (ann,) = entries(synced, session_id, data, ["Ann"])
    with synced.app_context():
        live = db.session.get(LiveSession, session_id)
        assert service.act(db.session, live, "close", T0)
        db.session.commit()
        engine = db.engine
    assert writer.AnswerWriter(engine.begin, window=0).write(ann) is None
    assert rows(synced) == 0
