"""A live session's questions stay closed to the study pages until the session ends."""

from __future__ import annotations

from markupsafe import escape
from sqlalchemy import func, select

from quiz.extensions import db
from quiz.live.models import LivePlayer
from quiz.models import Answer, Attempt, Question
from tests.helpers.forms import token_in
from tests.helpers.live import act, create, join
from tests.helpers.sessions import sign_in


def test_a_signed_in_player_cannot_read_or_answer_the_questions_before_they_open(synced, host):
    session_id, pin = create(host)
    learner = synced.test_client()
    sign_in(synced, learner, "ada")
    join(synced, pin, "Ada", client=learner)
    with synced.app_context():
        attempt_id = db.session.scalar(select(LivePlayer.attempt_id).where(LivePlayer.nickname == "Ada"))
        attempt = db.session.get(Attempt, attempt_id)
        first = db.session.get(Question, attempt.question_ids[0]).data
    page = f"/study/attempts/{attempt_id}/questions/1"
    shown = learner.get(page)
    assert shown.status_code == 403
    assert "live session that is still running" in shown.get_data(as_text=True)
    assert str(escape(first["prompt"])) not in shown.get_data(as_text=True)
    for path in (f"/study/attempts/{attempt_id}", f"/study/attempts/{attempt_id}/results"):
        assert learner.get(path).status_code == 403
    token = token_in(learner.get("/study").get_data(as_text=True))
    posted = learner.post(page, data={"csrf_token": token, "choice": first["answer"]})
    assert posted.status_code == 403
    with synced.app_context():
        assert db.session.scalar(select(func.count()).select_from(Answer)) == 0

    act(host, session_id, "finish")  # once the session is over, the attempt is the learner's to review
    assert learner.get(f"/study/attempts/{attempt_id}/results").status_code == 200
    assert learner.get(page).status_code == 200
