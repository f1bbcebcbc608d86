"""Self-study pages through the test client, CSRF protection on: quizzes, results, resume, bad input."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from markupsafe import escape

from quiz.content.types import QUESTION_TYPES
from quiz.extensions import db
from quiz.models import Answer, Attempt, Concept, Question, User
from tests.helpers.accounts import PASSWORD
from tests.helpers.clock import T0, Clock
from tests.helpers.forms import token_in
from tests.helpers.sessions import sign_in
from tests.helpers.study import (
    answer,
    answer_count,
    answer_right,
    attempt_row,
    page,
    post_setup,
    question_data,
    question_ids,
    right_fields,
    start_on,
    started,
    visitor_attempt,
    wrong_single,
)


def attempts(app) -> list[Attempt]:
    with app.app_context():
        return list(db.session.scalars(db.select(Attempt)))


def question_id(app, key: str) -> int:
    with app.app_context():
        return db.session.scalar(db.select(Question.id).where(
            Question.bank_id == "ch01-concepts", Question.key == key))


# ------------------------------------------------------------- whole quizzes


def test_a_visitor_takes_a_five_question_quiz_end_to_end(synced, client):
    setup_page = page(client, "/study")
    assert "up to 5 questions" in setup_page
    assert re.search(r'<input[^>]*id="count"[^>]*value="5"', setup_page)
    attempt_id = started(post_setup(client, count="5"))
    attempt = attempt_row(synced, attempt_id)
    assert attempt.user_id is None
    assert len(attempt.question_ids) == 5

    for position in range(1, 6):
        body = page(client, f"/study/attempts/{attempt_id}/questions/{position}")
        assert f"Question {position} of 5" in body
        feedback = answer_right(synced, client, attempt_id, position)
        assert "✔ Correct" in feedback
        if position < 5:
            assert f'href="/study/attempts/{attempt_id}/questions/{position + 1}">Next question' in feedback
        else:
            assert f'href="/study/attempts/{attempt_id}">See the results' in feedback

    response = client.get(f"/study/attempts/{attempt_id}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/study/attempts/{attempt_id}/results"
    results = page(client, f"/study/attempts/{attempt_id}/results")
    assert '<p class="big-score">100%</p>' in results
    assert "5 of 5 answered" in results
    assert "These results are kept in this browser only." in results
    assert 'href="/signup"' in results
    assert answer_count(synced, attempt_id) == 5
    assert attempt_row(synced, attempt_id).finished_at is not None


def test_signing_up_claims_the_visitors_attempts(synced, client):
    attempt_id = visitor_attempt(client, count=2)
    answer_right(synced, client, attempt_id, 1)
    token = token_in(page(client, "/signup"))
    response = client.post("/signup", data={"csrf_token": token, "name": "ada",
                                            "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 302
    with synced.app_context():
        ada = db.session.scalar(db.select(User.id).where(User.name == "ada"))
    assert ada is not None
    assert attempt_row(synced, attempt_id).user_id == ada
    # Still theirs, now as a signed-in user: the quiz goes on at question 2.
    response = client.get(f"/study/attempts/{attempt_id}")
    assert response.headers["Location"] == f"/study/attempts/{attempt_id}/questions/2"
    results = page(client, f"/study/attempts/{attempt_id}/results")
    assert "These results are kept in this browser only." not in results
    assert 'href="/progress"' in results


def test_a_signed_in_user_meets_every_question_type(synced, client):
    user_id = sign_in(synced, client)
    # The hand-written bank asks no ordering (the chapter's orders are the generated bank's).
    ids = [(question_ids(synced, qtype) or question_ids(synced, qtype, "ch01-definitions"))[0]
           for qtype in QUESTION_TYPES]
    attempt_id = start_on(synced, user_id, ids)
    seen = set()
    terms = set()
    for position in range(1, len(ids) + 1):
        body = page(client, f"/study/attempts/{attempt_id}/questions/{position}")
        data = question_data(synced, attempt_id, position)
        seen.add(data["type"])
        assert f'<span class="badge">{QUESTION_TYPES[data["type"]].label}</span>' in body
        feedback = answer_right(synced, client, attempt_id, position)
        assert "✔ Correct" in feedback
        assert "The answer:" not in feedback
        assert str(escape(data["explanation"])) in feedback
        with synced.app_context():
            concepts = db.session.scalars(db.select(Concept).where(Concept.id.in_(data["concepts"])))
            for concept in concepts:
                assert f"<blockquote cite=\"#\">{escape(concept.quote)}</blockquote>" in feedback
                terms.add(concept.term)
    assert seen == set(QUESTION_TYPES)

    results = page(client, f"/study/attempts/{attempt_id}/results")
    assert '<p class="big-score">100%</p>' in results
    assert "7 of 7 answered" in results
    assert "These results are kept in this browser only." not in results
    table = results.split("<h2>By concept</h2>", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td class="num">(\d+)</td>'
                      r'<td class="num">(\d+)%</td></tr>', table)
    assert {term for term, _, _ in rows} == terms
    assert all(percent == "100" for _, _, percent in rows)
    assert "I missed" not in results


def test_resume_goes_to_the_first_unanswered_question(synced, client):
    attempt_id = visitor_attempt(client, count=4)
    answer_right(synced, client, attempt_id, 1)
    answer_right(synced, client, attempt_id, 2)
    response = client.get(f"/study/attempts/{attempt_id}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/study/attempts/{attempt_id}/questions/3"
    results = page(client, f"/study/attempts/{attempt_id}/results")
    assert "2 of 4 answered" in results
    assert f'href="/study/attempts/{attempt_id}">Go on with the quiz' in results


def test_retry_the_ones_i_missed_makes_an_attempt_of_exactly_those(synced, client):
    user_id = sign_in(synced, client)
    ids = question_ids(synced, "single")[:4]
    attempt_id = start_on(synced, user_id, ids)
    for position in (1, 3):
        answer_right(synced, client, attempt_id, position)
    for position in (2, 4):
        url = f"/study/attempts/{attempt_id}/questions/{position}"
        response = answer(client, attempt_id, position,
                          wrong_single(question_data(synced, attempt_id, position)))
        assert response.status_code == 302
        assert "✘ Not quite" in page(client, url)
    missed = sorted(attempt_row(synced, attempt_id).question_ids[i] for i in (1, 3))

    results = page(client, f"/study/attempts/{attempt_id}/results")
    assert '<p class="big-score">50%</p>' in results
    assert "Retry the 2 I missed" in results
    retry = client.post(f"/study/attempts/{attempt_id}/retry", data={"csrf_token": token_in(results)})
    new_id = started(retry)
    assert new_id != attempt_id
    again = attempt_row(synced, new_id)
    assert sorted(again.question_ids) == missed
    assert again.user_id == user_id
    assert again.settings["mode"] == "retry"


def test_the_shortcuts_work_for_a_signed_in_user(synced, client):
    user_id = sign_in(synced, client)
    wrong_key = "why-full-virtualization-is-fastest"  # tests full virtualization alone
    ids = [question_id(synced, "what-is-the-host"), question_id(synced, wrong_key)]
    attempt_id = start_on(synced, user_id, ids)
    for position in (1, 2):
        data = question_data(synced, attempt_id, position)
        fields = wrong_single(data) if data["id"] == wrong_key else right_fields(data)
        assert answer(client, attempt_id, position, fields).status_code == 302

    setup_page = page(client, "/study")
    assert "Retry my mistakes (1)" in setup_page
    assert "Practise my weakest concepts: Full virtualization" in setup_page
    token = token_in(setup_page)

    mistakes = attempt_row(synced, started(client.post("/study/mistakes", data={"csrf_token": token})))
    assert mistakes.question_ids == [question_id(synced, wrong_key)]
    assert (mistakes.user_id, mistakes.settings["mode"]) == (user_id, "mistakes")

    weakest = attempt_row(synced, started(client.post("/study/weakest", data={"csrf_token": token})))
    assert weakest.settings["mode"] == "weakest"
    assert weakest.settings["concepts"][0] == "full-virtualization"
    with synced.app_context():
        for question in db.session.scalars(db.select(Question).where(
                Question.id.in_(weakest.question_ids))):
            assert {c.id for c in question.concepts} & set(weakest.settings["concepts"])

    one = attempt_row(synced, started(client.post(
        "/study/weakest", data={"csrf_token": token, "concept": "host"})))
    assert one.settings["concepts"] == ["host"]
    with synced.app_context():
        for question in db.session.scalars(db.select(Question).where(Question.id.in_(one.question_ids))):
            assert "host" in {c.id for c in question.concepts}


@pytest.mark.parametrize("shortcut", ["/study/mistakes", "/study/weakest"])
def test_the_shortcuts_send_a_visitor_to_log_in(synced, client, shortcut):
    setup_page = page(client, "/study")
    assert "Retry my mistakes" not in setup_page
    response = client.post(shortcut, data={"csrf_token": token_in(setup_page)})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert attempts(synced) == []


def test_the_progress_page_shows_after_answering(synced, client):
    assert client.get("/progress").headers["Location"].startswith("/login")
    user_id = sign_in(synced, client)
    attempt_id = start_on(synced, user_id, [question_id(synced, "what-is-the-host")])
    answer_right(synced, client, attempt_id, 1)
    body = page(client, "/progress")
    assert "Host" in body


def test_answers_to_an_edited_question_still_show(synced, client):
    user_id = sign_in(synced, client)
    attempt_id = start_on(synced, user_id, [question_id(synced, "fastest-method")])
    answer_right(synced, client, attempt_id, 1)
    with synced.app_context():  # an edit keeps the id: rename every choice, the answer too
        question = db.session.get(Question, question_id(synced, "fastest-method"))
        data = dict(question.data)
        data["choices"] = [f"{choice} (renamed)" for choice in data["choices"]]
        data["answer"] = f"{data['answer']} (renamed)"
        question.data = data
        db.session.commit()
    assert "✔ Correct" in page(client, f"/study/attempts/{attempt_id}/questions/1")
    assert '<p class="big-score">100%</p>' in page(client, f"/study/attempts/{attempt_id}/results")


# ---------------------------------------------------------------- bad input


def test_a_forged_choice_is_refused_with_a_message_and_not_recorded(synced, client):
    user_id = sign_in(synced, client)
    attempt_id = start_on(synced, user_id, question_ids(synced, "single")[:1])
    url = f"/study/attempts/{attempt_id}/questions/1"
    response = client.post(url, data={"csrf_token": token_in(page(client, url)),
                                      "choice": "Forged choice"})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "That answer could not be read" in body
    assert "is not one of the choices" in body
    assert 'name="choice"' in body  # the question is offered again
    assert answer_count(synced) == 0


def test_a_position_beyond_the_quiz_is_not_found(synced, client):
    attempt_id = visitor_attempt(client, count=2)
    assert client.get(f"/study/attempts/{attempt_id}/questions/2").status_code == 200
    for position in (0, 3, 999):
        assert client.get(f"/study/attempts/{attempt_id}/questions/{position}").status_code == 404
    token = token_in(page(client, f"/study/attempts/{attempt_id}/questions/1"))
    response = client.post(f"/study/attempts/{attempt_id}/questions/3",
                           data={"csrf_token": token, "choice": "true"})
    assert response.status_code == 404
    assert client.get(f"/study/attempts/{attempt_id + 1}").status_code == 404


def test_another_users_attempt_is_not_found(synced, client):
    bob = sign_in(synced, client, "bob")
    bobs = start_on(synced, bob, question_ids(synced, "single")[:1])
    eve = synced.test_client()
    sign_in(synced, eve, "eve")
    for url in (f"/study/attempts/{bobs}", f"/study/attempts/{bobs}/questions/1",
                f"/study/attempts/{bobs}/results"):
        assert eve.get(url).status_code == 404, url
    eve_token = token_in(page(eve, "/study"))
    data = question_data(synced, bobs, 1)
    response = eve.post(f"/study/attempts/{bobs}/questions/1",
                        data={"csrf_token": eve_token, **right_fields(data)})
    assert response.status_code == 404
    assert eve.post(f"/study/attempts/{bobs}/retry", data={"csrf_token": eve_token}).status_code == 404
    assert answer_count(synced) == 0
    assert len(attempts(synced)) == 1
    # Bob himself still sees it.
    assert client.get(f"/study/attempts/{bobs}/questions/1").status_code == 200


def test_a_visitors_attempt_is_not_found_from_another_browser(synced, client):
    attempt_id = visitor_attempt(client, count=1)
    other = synced.test_client()
    for url in (f"/study/attempts/{attempt_id}", f"/study/attempts/{attempt_id}/questions/1",
                f"/study/attempts/{attempt_id}/results"):
        assert other.get(url).status_code == 404, url
    sign_in(synced, other, "eve")
    assert other.get(f"/study/attempts/{attempt_id}/questions/1").status_code == 404
    assert client.get(f"/study/attempts/{attempt_id}/questions/1").status_code == 200


@pytest.mark.parametrize("token", [None, "not-a-real-token"])
def test_an_answer_without_a_valid_csrf_token_is_refused(synced, client, token):
    attempt_id = visitor_attempt(client, count=1)
    fields = right_fields(question_data(synced, attempt_id, 1))
    if token:
        fields["csrf_token"] = token
    response = client.post(f"/study/attempts/{attempt_id}/questions/1", data=fields)
    assert response.status_code == 400
    assert "The form expired or was not sent by this site" in response.get_data(as_text=True)
    assert answer_count(synced) == 0


def test_a_double_submit_records_one_answer(synced, client):
    attempt_id = visitor_attempt(client, count=2)
    url = f"/study/attempts/{attempt_id}/questions/1"
    body = page(client, url)
    fields = {"csrf_token": token_in(body), **right_fields(question_data(synced, attempt_id, 1))}
    first, second = client.post(url, data=fields), client.post(url, data=fields)
    assert (first.status_code, second.status_code) == (302, 302)
    assert second.headers["Location"] == url
    assert answer_count(synced, attempt_id) == 1
    assert "✔ Correct" in page(client, url)


def test_an_over_long_answer_is_refused_and_not_recorded(synced, client):
    user_id = sign_in(synced, client)
    attempt_id = start_on(synced, user_id, question_ids(synced, "short")[:1])
    url = f"/study/attempts/{attempt_id}/questions/1"
    response = client.post(url, data={"csrf_token": token_in(page(client, url)), "answer": "x" * 2000})
    assert response.status_code == 400
    assert "longer than 1000 characters" in response.get_data(as_text=True)
    assert answer_count(synced) == 0


@pytest.mark.parametrize("count", ["0", "999", "-3", "many"])
def test_a_setup_with_a_bad_count_is_refused(synced, client, count):
    sign_in(synced, client)
    response = post_setup(client, count=count)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert 'class="field-error" id="count-error"' in body
    assert "<h1>Study</h1>" in body
    assert attempts(synced) == []


def test_a_visitor_asking_for_more_than_five_is_told_the_limit(synced, client):
    response = post_setup(client, count="6")
    assert response.status_code == 302
    assert response.headers["Location"] == "/study"
    assert "Choose between 1 and 5 questions." in page(client, "/study")
    assert attempts(synced) == []


def test_a_setup_with_an_unknown_type_is_refused(synced, client):
    response = post_setup(client, count="3", types=["single", "essay"])
    assert response.status_code == 400
    assert "field-error" in response.get_data(as_text=True)
    assert attempts(synced) == []


def test_a_setup_that_matches_nothing_says_so(synced, client):
    with synced.app_context():
        for question in db.session.scalars(db.select(Question).where(Question.type == "ordering")):
            question.retired = True
        db.session.commit()
    response = post_setup(client, count="3", types=["ordering"])
    assert response.status_code == 302
    assert response.headers["Location"] == "/study"
    assert "No question matches that choice" in page(client, "/study")
    assert attempts(synced) == []


def test_a_quiz_keeps_the_time_of_the_apps_clock(synced, client):
    synced.config["CLOCK"] = clock = Clock(T0)
    attempt_id = visitor_attempt(client, count=1)
    clock.now = T0 + timedelta(minutes=3)
    answer_right(synced, client, attempt_id, 1)
    attempt = attempt_row(synced, attempt_id)
    assert attempt.started_at == T0
    assert attempt.finished_at == T0 + timedelta(minutes=3)
    with synced.app_context():
        assert db.session.scalar(db.select(Answer.answered_at).where(Answer.attempt_id == attempt_id)) \
            == T0 + timedelta(minutes=3)
