"""The account pages: download my data, delete my account (after its password), and what goes with it."""

from __future__ import annotations

import json
import re

from sqlalchemy import func, inspect, select

from quiz.accounts.data import REFERENCES
from quiz.accounts.models import Login
from quiz.extensions import db
from quiz.live.models import LiveAnswer, LivePlayer, LiveSession
from quiz.models import Answer, Attempt, CardState, Review, User
from tests.helpers.accounts import PASSWORD, login, make_user, signed_in_as
from tests.helpers.forms import token, token_in
from tests.helpers.live import act, create, current_question, join, right, send
from tests.helpers.study import answer as answer_question
from tests.helpers.study import answer_right, question_data, question_ids, start_on, wrong_single


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def user_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.name == name))


RATE_FORM = re.compile(r'action="/cards/(\d+)/rate".*?name="version" value="(\d+)"', re.S)


def learner_with_history(app, client, name: str = "ada") -> int:
    """An account signed in on ``client`` with a finished quiz (one answer wrong) and a card review."""
    make_user(app, name)
    login(client, name)
    learner = user_id(app, name)
    attempt_id = start_on(app, learner, question_ids(app, "single")[:2])
    answer_right(app, client, attempt_id, 1)
    wrong = wrong_single(question_data(app, attempt_id, 2))
    assert answer_question(client, attempt_id, 2, wrong).status_code == 302
    front = client.get("/cards").get_data(as_text=True)
    reveal = re.search(r'href="/cards\?card=(\d+)&amp;show=1"', front).group(1)
    review = client.get(f"/cards?card={reveal}&show=1").get_data(as_text=True)
    card_id, version = RATE_FORM.search(review).groups()
    rated = client.post(f"/cards/{card_id}/rate", data={"csrf_token": token_in(review), "rating": "3",
                                                        "version": version})
    assert rated.status_code == 303
    return learner


def test_the_account_page_is_for_signed_in_people(app, client):
    assert client.get("/account").headers["Location"].startswith("/login")
    make_user(app)
    login(client)
    body = client.get("/account").get_data(as_text=True)
    for words in ("Change your password", "Sign out everywhere", "Download my data", "Delete my account"):
        assert words in body
    assert 'href="/account"' in client.get("/").get_data(as_text=True)  # linked from every page


def test_my_data_downloads_as_json_with_attempts_answers_reviews(synced, client):
    learner_with_history(synced, client)
    response = client.get("/account/data.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == 'attachment; filename="virtualization-quiz-ada.json"'
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["name"] == "ada"
    [attempt] = data["attempts"]
    assert attempt["finished_at"] and [a["correct"] for a in attempt["answers"]] == [True, False]
    assert attempt["answers"][0]["bank"] == "ch01-concepts"
    assert len(data["reviews"]) == 1 and data["reviews"][0]["rating"] == 3
    assert data["flashcards"]
    assert data["live_results"] == [] and data["live_sessions_hosted"] == []
    assert PASSWORD not in response.get_data(as_text=True)
    assert "password" not in json.dumps(data["account"])


def test_my_data_holds_my_live_results(synced, host, clock):
    session_id, pin = create(host)
    learner = synced.test_client()
    make_user(synced)
    login(learner)
    join(synced, pin, "Ada", client=learner)
    act(host, session_id, "start")
    _, question = current_question(synced, session_id)
    send(learner, pin, 0, choice=right(question))
    data = learner.get("/account/data.json").get_json()
    [played] = data["live_results"]
    assert played["session"] == session_id and played["nickname"] == "Ada"
    assert [a["correct"] for a in played["answers"]] == [True]
    hosted = host.get("/account/data.json").get_json()["live_sessions_hosted"]
    assert [(s["session"], s["players"]) for s in hosted] == [(session_id, 1)]


def delete(client, password: str):
    return client.post("/account/delete", data={"csrf_token": token(client, "/account/delete"),
                                                "password": password})


def test_deleting_needs_the_password(synced, client):
    learner_with_history(synced, client)
    page = client.get("/account/delete").get_data(as_text=True)
    assert "This cannot be undone" in page and "Download your data" in page
    response = delete(client, "not my password")
    assert response.status_code == 400 and "That is not your password." in response.get_data(as_text=True)
    assert count(synced, User) == 1
    assert signed_in_as(client) == "ada"


def test_deleting_removes_the_account_and_its_data_and_nobody_elses(synced, client):
    ada = learner_with_history(synced, client)
    bob_client = synced.test_client()
    bob = learner_with_history(synced, bob_client, "bob")
    kept = synced.test_client()
    login(kept, "ada")  # another browser of ada's
    owned = (Attempt, Review, CardState, Login)
    bobs = {model: count(synced, model, model.user_id == bob) for model in owned}
    assert all(bobs.values()) and count(synced, Answer) == 4

    response = delete(client, PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "The account ada and its data are deleted." in client.get("/").get_data(as_text=True)
    assert signed_in_as(client) is None and signed_in_as(kept) is None
    assert count(synced, User, User.id == ada) == 0
    for model in owned:
        assert count(synced, model, model.user_id == ada) == 0, model
        assert count(synced, model, model.user_id == bob) == bobs[model], model
    assert count(synced, Answer) == 2  # bob's
    assert login(synced.test_client(), "ada").status_code == 200  # no such account now
    assert signed_in_as(bob_client) == "bob"


def test_deleting_a_player_keeps_the_hosts_results_without_the_account(synced, host, clock):
    session_id, pin = create(host)
    learner = synced.test_client()
    make_user(synced)
    login(learner)
    join(synced, pin, "Ada", client=learner)
    act(host, session_id, "start")
    _, question = current_question(synced, session_id)
    send(learner, pin, 0, choice=right(question))
    assert delete(learner, PASSWORD).status_code == 302
    with synced.app_context():
        player = db.session.scalars(select(LivePlayer)).one()
        assert (player.nickname, player.user_id, player.attempt_id) == ("Ada", None, None)
    assert count(synced, LiveAnswer) == 1
    assert host.get(f"/live/{session_id}/results").status_code == 200


def test_deleting_an_instructor_deletes_the_sessions_they_ran(synced, clock):
    teacher = synced.test_client()
    make_user(synced, "teacher")
    with synced.app_context():
        db.session.execute(db.update(User).values(is_instructor=True))
        db.session.commit()
    login(teacher, "teacher")
    _, pin = create(teacher)
    join(synced, pin, "Ann")
    assert delete(teacher, PASSWORD).status_code == 302
    assert count(synced, LiveSession) == 0 and count(synced, LivePlayer) == 0


def test_every_reference_to_an_account_is_handled_when_it_is_deleted(app):
    """A new table pointing at users fails here until delete_account and export handle it."""
    with app.app_context():
        found = {f"{table.name}.{column.name}" for table in db.metadata.tables.values()
                 for column in table.columns for key in column.foreign_keys
                 if key.column.table.name == "users"}
        assert found == set(REFERENCES)
        assert inspect(db.engine).get_table_names()  # the schema is there to check against
