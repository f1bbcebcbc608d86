"""Live sessions' event streams: the per-process watcher and GET /live/<pin>/events."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import update

from quiz.extensions import db
from quiz.live import snapshot
from quiz.live import watcher as watching
from quiz.live.models import LiveSession
from tests.helpers.clock import T0, Clock
from tests.helpers.live import act, create, join
from tests.helpers.sessions import sign_in
from tests.helpers.streams import state_events


@pytest.fixture
def host(synced):
    """A signed-in instructor's client, on a clock that stands still."""
    synced.config["CLOCK"] = Clock(T0)
    client = synced.test_client()
    sign_in(synced, client, "teacher", is_instructor=True)
    return client


@pytest.fixture
def fast(synced):
    """Tiny intervals, so a stream answers within a fraction of a second; the watcher stopped after."""
    synced.config.update(LIVE_WATCH_INTERVAL=0.02, LIVE_HEARTBEAT_SECONDS=0.5, LIVE_STREAM_SECONDS=3)
    yield synced
    found = synced.extensions.get("live_watcher")
    if found is not None:
        found.stop()


def _reader(app):
    def read(deadlines):
        with app.app_context(), db.engine.connect() as connection:
            return watching.signatures(connection, deadlines=deadlines)
    return read


def _bump(app, session_id: int) -> None:
    with app.app_context():
        db.session.execute(update(LiveSession).where(LiveSession.id == session_id)
                           .values(version=LiveSession.version + 1))
        db.session.commit()


def test_the_watcher_notices_a_version_change_and_wakes_a_waiter(fast, host):
    session_id, pin = create(host)
    watcher = watching.Watcher(_reader(fast), interval=1)
    assert watcher.check_once() == {session_id}
    before = watcher.wait(session_id, None, timeout=0)
    assert before == (0, 0, 0)
    assert watcher.check_once() == set()  # nothing moved

    woken = []
    waiter = threading.Thread(target=lambda: woken.append(watcher.wait(session_id, before, timeout=2)))
    waiter.start()
    _bump(fast, session_id)
    assert watcher.check_once() == {session_id}
    waiter.join(timeout=2)
    assert woken == [(1, 0, 0)]

    join(fast, pin, "Ada")  # a join moves no version, but the lobby must redraw
    assert watcher.check_once() == {session_id}
    assert watcher.wait(session_id, (1, 0, 0), timeout=0) == (1, 1, 0)


def test_a_waiter_learns_when_its_session_finishes(fast, host):
    session_id, _ = create(host)
    watcher = watching.Watcher(_reader(fast), interval=1)
    watcher.check_once()
    woken = []
    waiter = threading.Thread(target=lambda: woken.append(watcher.wait(session_id, (0, 0, 0), 2)))
    waiter.start()
    act(host, session_id, "finish")
    assert watcher.check_once() == {session_id}
    # Whether the waiter began before or after that check, the next one settles it.
    for _ in range(100):
        if not waiter.is_alive():
            break
        watcher.check_once()
        waiter.join(timeout=0.02)
    assert woken == [None]


def test_a_wait_times_out_unchanged(fast, host):
    session_id, _ = create(host)
    watcher = watching.Watcher(_reader(fast), interval=1)
    watcher.check_once()
    started = time.monotonic()
    assert watcher.wait(session_id, (0, 0, 0), timeout=0.05) == (0, 0, 0)
    assert time.monotonic() - started < 1


def test_the_stream_sends_a_state_event_when_the_session_moves(fast, host):
    session_id, pin = create(host)
    phone, _ = join(fast, pin, "Ada")
    response = phone.get(f"/live/{pin}/events", buffered=False)
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["X-Accel-Buffering"] == "no"
    chunks = iter(response.response)
    first = next(chunks).decode()
    assert first.startswith("retry: ")
    [hello] = state_events([first])
    assert hello == {"version": 0, "phase": "lobby", "question": 1, "questions": 3, "remaining_ms": 0,
                     "players": 1, "answered": 0, "me": snapshot.NEWCOMER}

    mover = threading.Timer(0.1, act, (host, session_id, "start"))
    mover.start()
    started, seen = time.monotonic(), []
    for chunk in chunks:  # bounded: the stream lasts LIVE_STREAM_SECONDS at most
        seen.extend(state_events([chunk]))
        if seen:
            break
    mover.join(timeout=2)
    response.close()
    assert seen and seen[0]["version"] == 1 and seen[0]["phase"] == "question"
    assert seen[0]["ask"]["index"] == 0 and seen[0]["ask"]["options"]  # enough to draw the buttons
    assert time.monotonic() - started < 2.5
    assert fast.extensions["live_watcher"].streams == 0  # closing the response counted it out


def test_the_stream_ends_when_the_session_finishes(fast, host):
    session_id, pin = create(host)
    response = host.get(f"/live/{pin}/events", buffered=False)  # the presenter's screen
    finisher = threading.Timer(0.1, act, (host, session_id, "finish"))
    finisher.start()
    started = time.monotonic()
    chunks = list(response.response)  # the stream ends by itself
    finisher.join(timeout=2)
    response.close()
    last = state_events(chunks)[-1]
    assert last["finished"] is True and last["phase"] == "finished"
    assert time.monotonic() - started < 2.5


def test_a_finished_session_answers_once_and_ends(fast, host):
    session_id, pin = create(host)
    act(host, session_id, "finish")
    response = host.get(f"/live/{pin}/events")
    assert response.mimetype == "text/event-stream"
    [only] = state_events([response.get_data(as_text=True)])
    assert (only["version"], only["phase"], only["finished"]) == (1, "finished", True)


def test_past_the_stream_limit_the_answer_is_no_content(fast, host):
    _, pin = create(host)
    fast.config["LIVE_MAX_STREAMS"] = 0
    assert host.get(f"/live/{pin}/events").status_code == 204


def test_an_unknown_pin_is_not_found(fast):
    assert fast.test_client().get("/live/123456/events").status_code == 404


def test_a_quiet_stream_sends_keepalive_comments(fast, host):
    _, pin = create(host)
    fast.config["LIVE_HEARTBEAT_SECONDS"] = 0.05
    response = host.get(f"/live/{pin}/events", buffered=False)
    chunks = iter(response.response)
    next(chunks)
    assert next(chunks) == b": keepalive\n\n"
    response.close()


def test_quiz_serve_caps_streams_only_where_each_holds_a_thread():
    from quiz.serve import QuizServer, options

    config = {"SECRET_KEY": "test-only-key", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    threaded = QuizServer(options("127.0.0.1", 0, 1, 6, None, "gthread"), dict(config)).load()
    assert threaded.config["LIVE_MAX_STREAMS"] == 3  # half the threads stay for pages
    greened = options("127.0.0.1", 0, 1, 6, None)
    assert greened["worker_class"].endswith("GeventWorker") and greened["worker_connections"] >= 2000
    assert QuizServer(greened, dict(config)).load().config["LIVE_MAX_STREAMS"] == 4000  # of 5,000
    with pytest.raises(ValueError):
        options("127.0.0.1", 0, 1, 6, None, "eventlet")
