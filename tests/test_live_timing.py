"""An answer is in time, and scores its speed, by when it reached the server, not when the server took it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from quiz.extensions import db
from quiz.live.models import LiveAnswer
from tests.helpers.clock import T0
from tests.helpers.live import phone_token, right, started, state


def queued_until(app, clock, moment):
    """Make every request wait inside the server, after it arrived, until ``moment`` (the clock moves on)."""
    inner = app.wsgi_app.app  # inside the arrival stamp, where a busy process's queue sits

    def waiting(environ, start_response):
        clock.now = moment
        return inner(environ, start_response)

    app.wsgi_app.app = waiting


def post_answer(phone, pin: str, choice: str):
    return phone.post(f"/live/{pin}/answer", data={"csrf_token": phone_token(phone, pin), "question": "0",
                                                   "choice": choice}, headers={"Accept": "application/json"})


def test_an_answer_in_time_counts_though_the_server_reached_it_after_the_deadline(synced, host, clock):
    _, pin, phones, _, data = started(synced, host, "Ann")
    ann = phones["Ann"]
    token = phone_token(ann, pin)
    clock.now = T0 + timedelta(seconds=19)  # it reaches the server a second before time is up ...
    queued_until(synced, clock, T0 + timedelta(seconds=20.5))  # ... and its turn comes after the deadline
    response = ann.post(f"/live/{pin}/answer", data={"csrf_token": token, "question": "0",
                                                     "choice": right(data)},
                        headers={"Accept": "application/json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["taken"] is True
    with synced.app_context():
        answer = db.session.scalar(select(LiveAnswer))
        assert answer.elapsed_ms == 19_000  # its speed too is counted to when it arrived
        assert answer.answered_at.replace(tzinfo=None) == (T0 + timedelta(seconds=19)).replace(tzinfo=None)


def test_an_answer_that_arrives_after_the_deadline_is_still_late(synced, host, clock):
    _, pin, phones, _, data = started(synced, host, "Ann")
    clock.now = T0 + timedelta(seconds=20.2)  # within the grace, but it arrived after time was up
    response = post_answer(phones["Ann"], pin, right(data))
    assert response.status_code == 409
    assert "Time was up 0.2 s before" in response.get_json()["error"]


def test_the_question_stays_open_for_the_grace_then_closes(synced, host, clock):
    pin = started(synced, host, "Ann", "Bob")[1]
    grace = synced.config["LIVE_ANSWER_GRACE_SECONDS"]
    clock.now = T0 + timedelta(seconds=20 + grace / 2)
    assert state(host, pin)["phase"] == "question"  # an answer that came in time may still be waiting
    clock.now = T0 + timedelta(seconds=20 + grace)
    assert state(host, pin)["phase"] == "reveal"
