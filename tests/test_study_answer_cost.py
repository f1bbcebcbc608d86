"""What answering a question costs the server: SQL statements and cookie writes, per answer POST."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from quiz.accounts.service import create_user
from quiz.extensions import db
from tests.helpers.accounts import PASSWORD
from tests.helpers.forms import token_in
from tests.helpers.sessions import sign_in
from tests.helpers.study import (
    answer_count,
    attempt_row,
    page,
    question_data,
    question_ids,
    right_fields,
    start_on,
    started,
    visitor_attempt,
    wrong_single,
)


@contextmanager
def statements(app):
    """The SQL statements the app runs inside the block, as a growing list."""
    seen: list[str] = []

    def note(_connection, _cursor, statement, *_args) -> None:
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def post_counted(app, client, url: str, fields: dict) -> list[str]:
    """Post an answer with the page's token; the statements the POST ran."""
    token = token_in(page(client, url))
    with statements(app) as seen:
        response = client.post(url, data={"csrf_token": token, **fields})
    assert response.status_code == 302 and response.headers["Location"] == url
    return seen


def test_an_answer_costs_a_handful_of_statements(synced, client):
    # Every answer of every quiz takes this path: one read, the writes. A guard against the lazy
    # loads and extra look-ups that would creep back in. The signed-in user is not loaded: the
    # read checks the attempt's owner against the id in the signed session.
    user_id = sign_in(synced, client)
    attempt_id = start_on(synced, user_id, question_ids(synced, "single")[:3])
    url = f"/study/attempts/{attempt_id}/questions/"
    right = post_counted(synced, client, f"{url}1", right_fields(question_data(synced, attempt_id, 1)))
    assert len(right) == 3, right  # the question, the answer, the finished stamp
    wrong = post_counted(synced, client, f"{url}2", wrong_single(question_data(synced, attempt_id, 2)))
    assert len(wrong) == 3, wrong  # the same: the flashcards move when the cards are next read
    again = post_counted(synced, client, f"{url}2", right_fields(question_data(synced, attempt_id, 2)))
    assert len(again) == 1, again  # a double submit only reads
    last = post_counted(synced, client, f"{url}3", right_fields(question_data(synced, attempt_id, 3)))
    assert len(last) == 3, last
    assert attempt_row(synced, attempt_id).finished_at is not None
    assert answer_count(synced, attempt_id) == 3


def test_a_visitors_answer_costs_fewer_statements(synced, client):
    attempt_id = visitor_attempt(client, count=1)
    url = f"/study/attempts/{attempt_id}/questions/1"
    seen = post_counted(synced, client, url, right_fields(question_data(synced, attempt_id, 1)))
    assert len(seen) == 3, seen  # no flashcards: the question, the answer, the stamp


def session_cookie(response) -> bool:
    """Whether the response sets the session cookie."""
    return any(value.startswith("session=") for value in response.headers.getlist("Set-Cookie"))


def test_an_answer_leaves_the_session_cookie_to_the_pages_around_it(synced, client):
    token = token_in(page(client, "/signup"))
    assert session_cookie(client.post("/signup", data={"csrf_token": token, "name": "ada",
                                                       "password": PASSWORD, "confirm": PASSWORD}))
    token = token_in(page(client, "/study"))
    attempt_id = started(client.post("/study", data={"csrf_token": token, "count": "2",
                                                     "order": "shuffled"}))
    url = f"/study/attempts/{attempt_id}/questions/1"
    shown = client.get(url)
    assert session_cookie(shown)  # a page load pushes the signed-in session's expiry forward
    response = client.post(url, data={"csrf_token": token_in(shown.get_data(as_text=True)),
                                      **right_fields(question_data(synced, attempt_id, 1))})
    assert response.status_code == 302 and not session_cookie(response)
    assert session_cookie(client.get(url))  # and so does the feedback page it leads to
    assert answer_count(synced, attempt_id) == 1


def test_a_post_that_changes_the_session_still_sends_it(synced, client):
    token = token_in(page(client, "/study"))
    response = client.post("/study", data={"csrf_token": token, "count": "1", "order": "shuffled"})
    started(response)
    assert session_cookie(response)  # the visitor's new attempt is kept in the session


def test_a_session_without_the_user_cannot_answer_their_quiz(synced, client):
    user_id = sign_in(synced, client)
    attempt_id = start_on(synced, user_id, question_ids(synced, "single")[:1])
    url = f"/study/attempts/{attempt_id}/questions/1"
    token = token_in(page(client, url))
    for signed_out in (None, "\u00b2", str(user_id + 1)):  # logged out, malformed, someone else
        with client.session_transaction() as session:
            session.pop("_user_id", None)
            if signed_out is not None:
                session["_user_id"] = signed_out
        response = client.post(url, data={"csrf_token": token,
                                          **right_fields(question_data(synced, attempt_id, 1))})
        assert response.status_code == 404, signed_out
    assert answer_count(synced, attempt_id) == 0


def test_a_remembered_user_whose_session_lost_the_id_still_answers(synced, client):
    # The answer path reads the id from the session; without one, the remember-me cookie decides.
    with synced.app_context():
        user_id = create_user(db.session, "ada", PASSWORD).id
        db.session.commit()
    response = client.post("/login", data={"csrf_token": token_in(page(client, "/login")), "name": "ada",
                                           "password": PASSWORD, "remember": "y"})
    assert response.status_code == 302
    attempt_id = start_on(synced, user_id, question_ids(synced, "single")[:1])
    url = f"/study/attempts/{attempt_id}/questions/1"
    token = token_in(page(client, url))
    with client.session_transaction() as session:
        del session["_user_id"]
    response = client.post(url, data={"csrf_token": token,
                                      **right_fields(question_data(synced, attempt_id, 1))})
    assert response.status_code == 302 and response.headers["Location"] == url
    assert answer_count(synced, attempt_id) == 1
