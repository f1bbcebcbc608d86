"""The host's actions carry the version of the screen they were pressed on: a stale one changes nothing."""

from __future__ import annotations

from quiz.extensions import db
from quiz.live import service
from quiz.live.models import LiveSession
from tests.helpers.forms import token_in
from tests.helpers.live import VERSION, act, create, join


def _phase(app, session_id: int) -> tuple[str, int]:
    with app.app_context():
        live = db.session.get(LiveSession, session_id)
        return live.phase, live.question_index


def test_two_next_presses_from_the_reveal_stop_at_the_leaderboard(synced, host):
    session_id, pin = create(host)
    join(synced, pin, "Ann")
    act(host, session_id, "start")
    act(host, session_id, "close")
    reveal = host.get(f"/live/{session_id}/host").get_data(as_text=True)
    press = {"csrf_token": token_in(reveal), "action": "next", "version": VERSION.search(reveal).group(1)}
    first = host.post(f"/live/{session_id}/act", data=press)
    second = host.post(f"/live/{session_id}/act", data=press)  # a double click, or a second tab
    assert first.status_code == second.status_code == 303
    assert _phase(synced, session_id) == ("leaderboard", 0)  # not the next question
    shown = host.get(second.headers["Location"]).get_data(as_text=True)
    assert "Leaderboard" in shown and "already moved on" in shown  # the current screen, and why


def _closed_meanwhile(app, session_id: int) -> None:
    with app.app_context():  # the question closes (everyone answered, time up) meanwhile
        live = db.session.get(LiveSession, session_id)
        service.act(db.session, live, "close", app.config["CLOCK"]())
        db.session.commit()


def test_an_action_from_before_the_question_closed_by_itself_is_refused(synced, host):
    session_id, pin = create(host)
    join(synced, pin, "Ann")
    act(host, session_id, "start")
    page = host.get(f"/live/{session_id}/host").get_data(as_text=True)  # the question, version 1
    _closed_meanwhile(synced, session_id)
    response = host.post(f"/live/{session_id}/act", data={"csrf_token": token_in(page), "action": "close",
                                                          "version": VERSION.search(page).group(1)})
    assert _phase(synced, session_id) == ("reveal", 0)
    assert "already moved on" in host.get(response.headers["Location"]).get_data(as_text=True)


def test_a_confirmed_end_applies_to_the_screen_the_session_has_reached(synced, host):
    session_id, pin = create(host)
    join(synced, pin, "Ann")
    act(host, session_id, "start")
    asking = host.get(f"/live/{session_id}/host?confirm=end").get_data(as_text=True)  # version 1
    _closed_meanwhile(synced, session_id)
    host.post(f"/live/{session_id}/act", data={"csrf_token": token_in(asking), "action": "finish",
                                               "version": VERSION.search(asking).group(1)})
    assert _phase(synced, session_id)[0] == "finished"  # the host confirmed it; nothing was skipped


def test_an_action_without_its_version_is_refused_plainly(synced, host):
    session_id, _ = create(host)
    page = host.get(f"/live/{session_id}/host").get_data(as_text=True)
    response = host.post(f"/live/{session_id}/act", data={"csrf_token": token_in(page), "action": "start"})
    assert response.status_code == 400 and "Reload the page" in response.get_data(as_text=True)
    assert _phase(synced, session_id) == ("lobby", 0)
