"""What phones are told: one snapshot per version, each player's line, JSON answers, the watcher's closes."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from quiz import create_app
from quiz.extensions import db
from quiz.live import snapshot, web
from quiz.live import watcher as watching
from quiz.live.models import LivePlayer, LiveSession
from tests.helpers.clock import T0
from tests.helpers.forms import token_in
from tests.helpers.live import act, create, current_question, join, right, started, state, wrong
from tests.helpers.sessions import sign_in

SHAPES = ["Triangle", "Diamond", "Circle", "Square"]


def _answer_json(phone, pin: str, index: int, **fields):
    token = token_in(phone.get("/login").get_data(as_text=True))  # a page that moves no session on
    return phone.post(f"/live/{pin}/answer", headers={"Accept": "application/json"},
                      data={"csrf_token": token, "question": str(index), **fields})


def test_a_phone_learns_the_question_from_the_state_itself(synced, host, clock):
    session_id, pin = create(host, show_on_devices="")
    ann, _ = join(synced, pin, "Ann")
    act(host, session_id, "start")
    body = state(ann, pin)
    assert (body["phase"], body["question"], body["questions"]) == ("question", 1, 3)
    assert body["remaining_ms"] == 20_000 and body["me"] == {"answered": False}
    ask = body["ask"]
    _, data = current_question(synced, session_id)
    # Questions are not shown on devices here: the buttons carry shapes, and their values the choices.
    assert ask["prompt"] is None
    assert [label for _, label in ask["options"]] == SHAPES[:len(data["choices"])]
    assert sorted(value for value, _ in ask["options"]) == sorted(data["choices"])


def test_the_reveal_tells_each_player_their_own_result_and_rank(synced, host, clock):
    session_id, pin, phones, index, data = started(synced, host, "Ann", "Bob", "Cy")
    ann = phones["Ann"]
    bob = phones["Bob"]
    cy = phones["Cy"]
    assert _answer_json(ann, pin, index, choice=right(data)).get_json() == {"taken": True, "question": index}
    assert _answer_json(bob, pin, index, choice=wrong(data)).status_code == 200
    assert state(ann, pin)["me"] == {"answered": True}
    act(host, session_id, "close")
    mine, theirs, silent = state(ann, pin), state(bob, pin), state(cy, pin)
    assert mine["phase"] == "reveal" and mine["answer"] == data["answer"]
    assert mine["me"] == {"answered": True, "correct": True, "points": 1000, "bonus": 0, "score": 1000,
                          "streak": 1, "rank": 1}
    assert theirs["me"]["correct"] is False and theirs["me"]["rank"] == 2
    assert silent["me"]["answered"] is False and silent["me"]["rank"] == 2  # tied on 0: shared place
    assert "me" not in state(host, pin)  # the presenter is nobody's player


def test_json_answers_refuse_late_closed_and_forged_ones_plainly(synced, host, clock):
    _, pin, phones, index, data = started(synced, host, "Ann", "Bob")
    ann = phones["Ann"]
    bob = phones["Bob"]
    forged = _answer_json(ann, pin, index, choice="not a choice")
    assert forged.status_code == 400 and forged.get_json()["error"]
    clock.now = T0 + timedelta(seconds=25)
    late = _answer_json(bob, pin, index, choice=right(data))
    assert late.status_code == 409 and "Time was up 5.0 s" in late.get_json()["error"]
    stranger = synced.test_client()
    assert _answer_json(stranger, pin, index, choice=right(data)).status_code == 403
    assert _answer_json(stranger, "999999", index, choice=right(data)).status_code == 404


def test_a_kicked_player_is_told_they_were_removed(synced, host, clock):
    session_id, pin = create(host)
    ann, _ = join(synced, pin, "Ann")
    join(synced, pin, "Bob")
    with synced.app_context():
        ann_id = db.session.scalar(select(LivePlayer.id).where(LivePlayer.nickname == "Ann"))
    body = host.get(f"/live/{session_id}/host").get_data(as_text=True)
    host.post(f"/live/{session_id}/players/{ann_id}/kick", data={"csrf_token": token_in(body)})
    assert state(ann, pin) == {"version": 1, "removed": True}  # a removal moves the version on


def test_a_snapshot_is_read_once_per_version_however_many_ask(synced, host, clock):
    session_id, pin = create(host)
    join(synced, pin, "Ann")
    reads = []

    @contextmanager
    def connect():
        reads.append(session_id)  # a connection is taken only to build
        with synced.app_context():
            yield db.session()

    shared = snapshot.Snapshots(connect)
    first = [shared.get(session_id, 0) for _ in range(50)]
    assert reads == [session_id] and all(s is first[0] for s in first)
    act(host, session_id, "start")
    assert shared.get(session_id, 1).phase == "question" and len(reads) == 2
    assert shared.get(session_id, 0).version == 1  # an older version asked for: the newer one serves
    act(host, session_id, "finish")
    assert shared.final(session_id).phase == "finished" and len(reads) == 3
    assert shared.final(session_id) is shared.final(session_id) and len(reads) == 3


def test_the_watcher_closes_questions_past_their_deadline_or_answered_by_all(synced, host, clock):
    session_id, pin = create(host)
    ann, _ = join(synced, pin, "Ann")
    bob, _ = join(synced, pin, "Bob")
    act(host, session_id, "start")
    watcher = watching.watcher_for(synced)
    try:
        watcher.check_once()
        with synced.app_context():
            assert db.session.get(LiveSession, session_id).phase == "question"
        index, data = current_question(synced, session_id)
        _answer_json(ann, pin, index, choice=right(data))
        _answer_json(bob, pin, index, choice=right(data))
        watcher.check_once()  # nobody read the session since: the watcher closes it
        with synced.app_context():
            assert db.session.get(LiveSession, session_id).phase == "reveal"
        act(host, session_id, "next")
        act(host, session_id, "next")  # the second question opens at T0
        watcher.check_once()
        clock.now = T0 + timedelta(seconds=21)
        watcher.check_once()
        with synced.app_context():
            live = db.session.get(LiveSession, session_id)
            assert (live.phase, live.question_index) == ("reveal", 1)
    finally:
        watcher.stop()


def test_a_phone_sleeps_through_counts_and_wakes_for_versions(synced, host, clock):
    session_id, _ = create(host)
    watcher = watching.Watcher(lambda deadlines: dict(current), interval=1)
    current = {session_id: (0, 0, 0)}
    watcher.check_once()
    current[session_id] = (0, 1, 0)  # someone joined
    watcher.check_once()
    assert watcher.wait(session_id, (0, 0, 0), timeout=0.05, versions_only=True) == (0, 0, 0)
    assert watcher.wait(session_id, (0, 0, 0), timeout=0.05) == (0, 1, 0)
    current[session_id] = (1, 1, 0)
    watcher.check_once()
    assert watcher.wait(session_id, (0, 0, 0), timeout=0.05, versions_only=True) == (1, 1, 0)


def test_a_snapshot_waits_for_a_connection_before_its_lock_so_requests_cannot_starve_it(tmp_path: Path,
                                                                                         content_dir):
    """A stream building a snapshot waits for the pool outside the lock; a request builds on its connection.

    With psycopg waiting through the loop, a stream that took the lock and then
    waited for the pool, while the requests that held the pool waited for the
    lock, stalled them all until the pool's timeout (joins failed with 503 at
    2,000 players on PostgreSQL). A pool of one makes that certain here.
    """
    app = create_app({"TESTING": True, "SECRET_KEY": "test-only-key", "CONTENT_DIR": str(content_dir),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'pool.sqlite3'}",
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 1, "max_overflow": 0, "pool_timeout": 2}},
                     instance_path=tmp_path / "instance")
    with app.app_context():
        db.create_all()
    assert app.test_cli_runner().invoke(args=["content", "sync"]).exit_code == 0
    host = app.test_client()
    sign_in(app, host, "teacher", is_instructor=True)
    session_id, _ = create(host)
    shared = watching.snapshots_for(app)
    streamed: dict[str, object] = {}
    with app.test_request_context():
        live = db.session.get(LiveSession, session_id)  # this request now holds the pool's one connection

        def stream() -> None:
            try:
                streamed["snapshot"] = shared.get(session_id, live_version)
            except Exception as exc:  # the old order: the pool's timeout, inside the lock
                streamed["error"] = exc

        live_version = live.version
        streaming = threading.Thread(target=stream)
        streaming.start()
        streaming.join(timeout=0.5)  # the stream waits now (for the pool; the old way, inside the lock)
        mine = web.shared(live)
        db.session.remove()  # the request ends: its connection goes back
    streaming.join(timeout=10)
    assert "error" not in streamed, streamed.get("error")
    assert mine is not None and mine.version == live_version and streamed["snapshot"] is mine
