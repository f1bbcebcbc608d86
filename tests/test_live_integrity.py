"""Live sessions keep their rules under pressure: an answer racing the close, ending mid-question, locking."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from quiz.extensions import db
from quiz.live import service
from quiz.live.models import LiveAnswer, LivePlayer, LiveSession
from tests.helpers.clock import T0
from tests.helpers.forms import token_in
from tests.helpers.live import act, create, join, right, send, started
from tests.helpers.sessions import sign_in


def test_an_answer_racing_the_close_is_refused(synced, host, clock):
    """The insert checks the question is still open at the version read, in the same statement."""
    session_id, pin, _, index, data = started(synced, host, "Ann", "Bob")
    with synced.app_context():
        live = db.session.get(LiveSession, session_id)
        player = db.session.scalar(select(LivePlayer).where(LivePlayer.nickname == "Ann"))
        stale = service.seat(db.session, pin, [player.token])  # read while the question is open
    act(host, session_id, "close")  # another request closes it and tallies the scores
    with synced.app_context():
        live, player = stale
        assert live.phase == "question"  # the stale copy: only the guarded insert knows better
        with pytest.raises(service.QuestionClosed):
            service.submit(db.session, live, player, index, right(data), T0)
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(LiveAnswer)) == 0


def test_ending_mid_question_still_counts_its_answers(synced, host, clock):
    session_id, pin, phones, index, data = started(synced, host, "Ann", "Bob")
    ann = phones["Ann"]
    send(ann, pin, index, choice=right(data))
    act(host, session_id, "finish")
    with synced.app_context():
        assert db.session.scalar(select(LivePlayer.score).where(LivePlayer.nickname == "Ann")) == 1000


def test_a_locked_session_lets_nobody_new_in_not_even_a_removed_player_renamed(synced, host, clock):
    session_id, pin = create(host)
    ann, _ = join(synced, pin, "Ann")
    troll, _ = join(synced, pin, "Troll")
    with synced.app_context():
        troll_id = db.session.scalar(select(LivePlayer.id).where(LivePlayer.nickname == "Troll"))
    body = host.get(f"/live/{session_id}/host").get_data(as_text=True)
    host.post(f"/live/{session_id}/players/{troll_id}/kick", data={"csrf_token": token_in(body)})
    host.post(f"/live/{session_id}/lock", data={"csrf_token": token_in(body), "locked": "on"})
    lobby = host.get(f"/live/{session_id}/host").get_data(as_text=True)
    assert "Unlock joining" in lobby and "nobody new can join" in lobby
    _, again = join(synced, pin, "Not a troll", client=troll)
    assert again.status_code == 400 and "locked this session" in again.get_data(as_text=True)
    _, newcomer = join(synced, pin, "Cy")
    assert newcomer.status_code == 400
    _, back = join(synced, pin, "Ann", client=ann)  # a player already in still comes back
    assert back.status_code == 303
    host.post(f"/live/{session_id}/lock", data={"csrf_token": token_in(lobby), "locked": "off"})
    _, later = join(synced, pin, "Cy")
    assert later.status_code == 303
    with synced.app_context():
        names = set(db.session.scalars(select(LivePlayer.nickname).where(LivePlayer.kicked.is_(False))))
    assert names == {"Ann", "Cy"}


def test_only_the_host_locks_a_session(synced, host, clock):
    session_id, _ = create(host)
    other = synced.test_client()
    sign_in(synced, other, "other-teacher", is_instructor=True)
    token = token_in(other.get("/live").get_data(as_text=True))
    locking = other.post(f"/live/{session_id}/lock", data={"csrf_token": token, "locked": "on"})
    assert locking.status_code == 404
    assert synced.test_client().post(f"/live/{session_id}/lock", data={"locked": "on"}).status_code == 400
    with synced.app_context():
        assert db.session.get(LiveSession, session_id).locked is False
