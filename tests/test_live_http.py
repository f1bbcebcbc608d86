"""Live sessions through the test client, CSRF on, on an injected clock: join, answer, rejoin, kick."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from quiz import create_app
from quiz.extensions import db
from quiz.live.models import LiveAnswer, LivePlayer, LiveSession
from quiz.models import Answer, Question
from tests.helpers.clock import T0
from tests.helpers.forms import token_in
from tests.helpers.live import act, create, current_question, join, right, send, started, state, wrong
from tests.helpers.sessions import sign_in


def test_only_instructors_create_sessions(synced, clock):
    client = synced.test_client()
    assert client.get("/live").status_code == 302  # to the login page
    sign_in(synced, client, "learner")
    assert client.get("/live").status_code == 403


def test_lobby_shows_pin_qr_and_players(synced, host):
    session_id, pin = create(host)
    join(synced, pin, "Ann")
    body = host.get(f"/live/{session_id}/host").get_data(as_text=True)
    assert pin in body and "<svg" in body and "Ann" in body
    assert f"/live/join?pin={pin}" in body


def test_join_validates_nickname_and_pin(synced, host):
    _, pin = create(host)
    _, first = join(synced, pin, "Ann")
    assert first.status_code == 303
    _, same = join(synced, pin, "  ann ")
    assert same.status_code == 400 and "already called" in same.get_data(as_text=True)
    _, long = join(synced, pin, "x" * 21)
    assert long.status_code == 400 and "at most 20" in long.get_data(as_text=True)
    client = synced.test_client()
    body = client.get(f"/live/join?pin={pin}").get_data(as_text=True)  # the nickname step has the form
    wrong_pin = client.post("/live/join", data={"csrf_token": token_in(body), "pin": "999999",
                                                "nickname": "Bob"})
    assert wrong_pin.status_code == 400 and "No running session" in wrong_pin.get_data(as_text=True)


def test_a_full_round_scores_by_speed_and_streak(synced, host, clock):
    session_id, pin, phones, index, data = started(synced, host, "Ann", "Bob")
    ann = phones["Ann"]
    bob = phones["Bob"]
    clock.now = T0 + timedelta(seconds=10)
    page = send(ann, pin, index, choice=right(data)).get_data(as_text=True)
    assert "Answer locked in" in page
    assert state(host, pin)["answered"] == 1
    send(bob, pin, index, choice=wrong(data))
    # Everyone answered: the question closed without waiting for the clock.
    assert state(host, pin)["phase"] == "reveal"
    page = ann.get(f"/live/{pin}/play").get_data(as_text=True)
    assert "Right" in page and "+750 points" in page
    assert "Wrong" in bob.get(f"/live/{pin}/play").get_data(as_text=True)
    reveal = host.get(f"/live/{session_id}/host").get_data(as_text=True)
    assert "How the room answered" in reveal and str(escape(data["explanation"][:30])) in reveal
    act(host, session_id, "next")
    board = host.get(f"/live/{session_id}/host").get_data(as_text=True)
    assert board.index("Ann") < board.index("Bob")
    # Second question, Ann right again within half a second: 1000 and a 100 streak bonus.
    act(host, session_id, "next")
    index, data = current_question(synced, session_id)
    assert index == 1
    clock.now += timedelta(seconds=0.4)
    send(ann, pin, index, choice=right(data))
    with synced.app_context():  # scores move when the question closes, not with each answer
        player = db.session.scalar(select(LivePlayer).where(LivePlayer.nickname == "Ann"))
        assert (player.score, player.streak) == (750, 1)
    act(host, session_id, "close")
    with synced.app_context():
        player = db.session.scalar(select(LivePlayer).where(LivePlayer.nickname == "Ann"))
        assert (player.score, player.streak) == (750 + 1100, 2)
        bob = db.session.scalar(select(LivePlayer).where(LivePlayer.nickname == "Bob"))
        assert (bob.score, bob.streak) == (0, 0)  # no answer breaks a streak as a wrong one does


def test_an_answer_is_recorded_once_however_often_it_is_sent(synced, host, clock):
    session_id, pin, phones, index, data = started(synced, host, "Ann", "Bob")
    ann = phones["Ann"]
    send(ann, pin, index, choice=right(data))
    send(ann, pin, index, choice=wrong(data))  # a double submit, changed mind: the first counts
    act(host, session_id, "close")
    with synced.app_context():
        answers = list(db.session.scalars(select(LiveAnswer)))
        assert len(answers) == 1 and answers[0].correct
        assert db.session.scalar(select(LivePlayer.score).where(LivePlayer.nickname == "Ann")) == 1000


def test_the_database_refuses_a_second_answer_row(synced, host):
    session_id, pin = create(host)
    join(synced, pin, "Ann")
    act(host, session_id, "start")
    with synced.app_context():
        player = db.session.scalar(select(LivePlayer))
        live = db.session.get(LiveSession, session_id)
        row = {"session_id": live.id, "player_id": player.id, "question_index": 0,
               "question_id": live.question_ids[0], "response": {"value": "x"}, "correct": False,
               "elapsed_ms": 1, "points": 0, "answered_at": T0}
        db.session.add(LiveAnswer(**row))
        db.session.commit()
        db.session.add(LiveAnswer(**row))
        with pytest.raises(Exception, match="UNIQUE"):
            db.session.commit()


def test_a_late_answer_is_refused_with_a_clear_message(synced, host, clock):
    _, pin, phones, _, data = started(synced, host, "Ann")
    ann = phones["Ann"]
    page = ann.get(f"/live/{pin}/play").get_data(as_text=True)
    clock.now = T0 + timedelta(seconds=21)
    response = ann.post(f"/live/{pin}/answer", data={"csrf_token": token_in(page), "question": "0",
                                                     "choice": right(data)}, follow_redirects=True)
    assert "Time was up" in response.get_data(as_text=True)
    with synced.app_context():
        assert db.session.scalar(select(func.count()).select_from(LiveAnswer)) == 0


def test_forged_answers_are_refused(synced, host):
    session_id, pin = create(host)
    ann, _ = join(synced, pin, "Ann")
    act(host, session_id, "start")
    page = send(ann, pin, 0, choice="Not a choice at all").get_data(as_text=True)
    assert "is not one of the choices" in page
    with synced.app_context():
        later = db.session.get(Question, db.session.get(LiveSession, session_id).question_ids[1]).data
    assert "not open" in send(ann, pin, 1, choice=right(later)).get_data(as_text=True)  # a future one
    assert send(ann, pin, 7, choice="x").status_code == 400  # no such question
    stranger = synced.test_client()
    body = stranger.get(f"/live/join?pin={pin}").get_data(as_text=True)
    response = stranger.post(f"/live/{pin}/answer", data={"csrf_token": token_in(body), "question": "0",
                                                          "choice": "x"})
    assert response.status_code == 403  # no token: nobody to answer for
    with synced.app_context():
        assert db.session.scalar(select(func.count()).select_from(LiveAnswer)) == 0


def test_nobody_can_answer_for_another_player(synced, host):
    """The player is the one whose token the cookie holds; there is no field naming a player."""
    _, pin, phones, _, data = started(synced, host, "Ann", "Bob")
    bob = phones["Bob"]
    with synced.app_context():
        ann_id = db.session.scalar(select(LivePlayer.id).where(LivePlayer.nickname == "Ann"))
    send(bob, pin, 0, choice=wrong(data), player=str(ann_id), player_id=str(ann_id))
    with synced.app_context():
        names = list(db.session.scalars(select(LivePlayer.nickname).join(
            LiveAnswer, LiveAnswer.player_id == LivePlayer.id)))
        assert names == ["Bob"]


def test_a_refreshed_or_reconnected_player_keeps_name_score_and_streak(synced, host, clock):
    session_id, pin, phones, _, data = started(synced, host, "Ann", "Bob")
    ann = phones["Ann"]
    send(ann, pin, 0, choice=right(data))
    act(host, session_id, "close")
    page = ann.get(f"/live/{pin}/play").get_data(as_text=True)
    assert "Ann" in page and '<span data-live="score">1000</span> points' in page
    # Joining again from the same phone is a rejoin, not a second player.
    _, again = join(synced, pin, "Someone else", client=ann)
    assert again.status_code == 303 and again.headers["Location"].endswith(f"/live/{pin}/play")
    with synced.app_context():
        assert db.session.scalar(select(func.count()).select_from(LivePlayer)) == 2


def test_a_latecomer_joins_a_running_session(synced, host, clock):
    session_id, pin = create(host)
    join(synced, pin, "Ann")
    act(host, session_id, "start")
    late, response = join(synced, pin, "Late")
    assert response.status_code == 303
    _, data = current_question(synced, session_id)
    clock.now = T0 + timedelta(seconds=5)
    assert "Answer locked in" in send(late, pin, 0, choice=right(data)).get_data(as_text=True)


def test_a_kicked_player_is_out_and_no_longer_awaited(synced, host, clock):
    session_id, pin, phones, _, data = started(synced, host, "Ann", "Bob")
    ann = phones["Ann"]
    bob = phones["Bob"]
    send(ann, pin, 0, choice=right(data))
    with synced.app_context():
        bob_id = db.session.scalar(select(LivePlayer.id).where(LivePlayer.nickname == "Bob"))
    body = host.get(f"/live/{session_id}/host").get_data(as_text=True)
    host.post(f"/live/{session_id}/players/{bob_id}/kick", data={"csrf_token": token_in(body)})
    assert state(host, pin)["phase"] == "reveal"  # the only one left had answered
    removed = bob.get(f"/live/{pin}/play")  # the phone says so, rather than offering to join again
    assert removed.status_code == 403 and "You were removed" in removed.get_data(as_text=True)
    assert state(bob, pin).get("removed") is True


def test_a_question_nobody_answers_moves_on_when_read(synced, host, clock):
    session_id, pin = create(host)
    join(synced, pin, "Ann")
    act(host, session_id, "start")
    assert state(host, pin)["remaining_ms"] == 20_000
    clock.now = T0 + timedelta(seconds=20)  # time is up, but answers that came in time may still wait
    assert state(host, pin)["phase"] == "question"
    assert state(host, pin)["remaining_ms"] == 0
    clock.now = T0 + timedelta(seconds=20 + synced.config["LIVE_ANSWER_GRACE_SECONDS"])
    assert state(host, pin)["phase"] == "reveal"


def test_another_instructor_cannot_run_my_session(synced, host):
    session_id, _ = create(host)
    other = synced.test_client()
    sign_in(synced, other, "colleague", is_instructor=True)
    assert other.get(f"/live/{session_id}/host").status_code == 404


def test_a_signed_in_learner_answers_count_in_their_progress(synced, host, clock):
    session_id, pin = create(host)
    learner = synced.test_client()
    user_id = sign_in(synced, learner, "ada")
    join(synced, pin, "Ada", client=learner)
    act(host, session_id, "start")
    _, data = current_question(synced, session_id)
    send(learner, pin, 0, choice=wrong(data))
    with synced.app_context():
        answers = list(db.session.scalars(select(Answer)))
        assert len(answers) == 1 and not answers[0].correct
        assert answers[0].attempt.user_id == user_id
    # The wrong answer brings the concept's flashcards forward, as one in a quiz of their own does.
    assert "Brought forward by a wrong quiz answer" in learner.get("/cards").get_data(as_text=True)


def test_results_csv_and_statistics(synced, host, clock):
    session_id, pin, phones, _, data = started(synced, host, "Ann", "Bob", count="2")
    ann = phones["Ann"]
    clock.now = T0 + timedelta(seconds=2)
    send(ann, pin, 0, choice=wrong(data))
    act(host, session_id, "finish")
    body = host.get(f"/live/{session_id}/host").get_data(as_text=True)
    assert "Podium" in body
    exported = host.get(f"/live/{session_id}/results.csv").get_data().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert len(rows) == 4  # 2 players x 2 questions
    first = rows[0]
    assert (first["nickname"], first["question"], first["correct"], first["seconds"], first["points"]) == (
        "Ann", "1", "no", "2.00", "0")
    stats = host.get(f"/live/{session_id}/results").get_data(as_text=True)
    assert "0%" in stats and "2.0 s" in stats and str(escape(wrong(data))) in stats
    assert f"/live/{session_id}/results" in host.get("/live").get_data(as_text=True)


def test_two_apps_on_one_database_serve_one_session(synced, host, clock, tmp_path):
    """A second app (as another server process would be) sees and moves the same session."""
    session_id, pin = create(host)
    other = create_app({"TESTING": True, "SECRET_KEY": "test-only-key", "CLOCK": clock,
                        "SQLALCHEMY_DATABASE_URI": synced.config["SQLALCHEMY_DATABASE_URI"],
                        "CONTENT_DIR": synced.config["CONTENT_DIR"]},
                       instance_path=tmp_path / "other-instance")
    ann, _ = join(synced, pin, "Ann")
    bob, _ = join(other, pin, "Bob")  # joins through the other process
    assert state(bob, pin)["players"] == 2
    act(host, session_id, "start")
    _, data = current_question(synced, session_id)
    # Ann's phone talks to the other process: same cookie, same secret, same database.
    other_ann = other.test_client()
    for cookie in ann._cookies.values():
        other_ann.set_cookie(cookie.key, cookie.value, path=cookie.path)
    send(other_ann, pin, 0, choice=right(data))
    send(bob, pin, 0, choice=right(data))
    assert state(host, pin)["phase"] == "reveal"
    with other.app_context():
        assert db.session.scalar(select(func.count()).select_from(LiveAnswer)) == 2
        db.engine.dispose()


def test_one_phone_answers_in_every_session_it_joined(synced, host, clock):
    """Each session leaves a cookie for two days; the tenth session's answer must still find its own."""
    phone = synced.test_client()
    for number in range(10):
        session_id, pin = create(host, count="1")
        join(synced, pin, f"Ann{number}", client=phone)
        act(host, session_id, "start")
        _, data = current_question(synced, session_id)
        body = phone.get(f"/live/{pin}/play").get_data(as_text=True)
        reply = phone.post(f"/live/{pin}/answer", headers={"Accept": "application/json"},
                           data={"csrf_token": token_in(body), "question": "0", "choice": right(data)})
        assert reply.status_code == 200, f"session {number + 1}: {reply.status_code}"
        assert reply.get_json() == {"taken": True, "question": 0}
        act(host, session_id, "finish")
    with synced.app_context():
        assert db.session.scalar(select(func.count()).select_from(LiveAnswer)) == 10
