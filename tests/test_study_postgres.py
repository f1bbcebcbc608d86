"""Answering quiz questions on a real PostgreSQL server (see conftest): once each, finished, cards moved."""

from __future__ import annotations

import threading

from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from quiz.extensions import db
from quiz.grading import parse_form
from quiz.models import CardState
from quiz.study import service
from tests.helpers.forms import token_in
from tests.helpers.lock_waits import until_someone_waits_on_a_lock
from tests.helpers.sessions import login_key, sign_in
from tests.helpers.study import (
    answer_count,
    attempt_row,
    page,
    question_data,
    question_ids,
    right_fields,
    start_on,
    wrong_single,
)


def _post(client, url: str, fields: dict):
    return client.post(url, data={"csrf_token": token_in(page(client, url)), **fields})


def test_answers_on_postgresql_count_once_finish_the_quiz_and_bring_cards_forward(pg_app):
    client = pg_app.test_client()
    user_id = sign_in(pg_app, client)
    attempt_id = start_on(pg_app, user_id, question_ids(pg_app, "single")[:2])
    url = f"/study/attempts/{attempt_id}/questions/"
    wrong = wrong_single(question_data(pg_app, attempt_id, 1))
    assert _post(client, f"{url}1", wrong).status_code == 302
    # A double submit with another answer: the first stands (the upsert skipped the conflict).
    assert _post(client, f"{url}1", right_fields(question_data(pg_app, attempt_id, 1))).status_code == 302
    assert client.get("/cards").status_code == 200  # where the learner's cards catch up
    with pg_app.app_context():
        due = db.session.scalar(select(func.count()).select_from(CardState).where(
            CardState.user_id == user_id, CardState.due.is_not(None)))
    assert due > 0  # the wrong answer made its concept's cards due
    assert attempt_row(pg_app, attempt_id).finished_at is None
    assert _post(client, f"{url}2", right_fields(question_data(pg_app, attempt_id, 2))).status_code == 302
    assert answer_count(pg_app, attempt_id) == 2
    assert attempt_row(pg_app, attempt_id).finished_at is not None


def test_the_last_two_answers_racing_still_finish_the_quiz(pg_app):
    """Under read committed, only the attempt's row lock lets the later answer's stamp count the earlier."""
    client = pg_app.test_client()
    user_id = sign_in(pg_app, client)
    attempt_id = start_on(pg_app, user_id, question_ids(pg_app, "single")[:2])
    first_in, errors = threading.Event(), []
    with pg_app.app_context():
        keys = {position: login_key(db.session, user_id) for position in (1, 2)}
        db.session.commit()

    def answer(position: int, hold: bool) -> None:
        try:
            with pg_app.app_context():
                slot = service.answer_slot(db.session, attempt_id, position, keys[position], [])
                fields = MultiDict(right_fields(question_data(pg_app, attempt_id, position)))
                service.submit_answer(db.session, slot, parse_form(slot.data, fields))
                if hold:  # recorded and counted, not yet committed: the other answer comes now
                    first_in.set()
                    until_someone_waits_on_a_lock(pg_app)  # the other answer, behind the attempt's row
                db.session.commit()
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            first_in.set()

    def second() -> None:
        first_in.wait(5)
        answer(2, hold=False)

    threads = [threading.Thread(target=answer, args=(1, True)), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)
    assert errors == []
    assert answer_count(pg_app, attempt_id) == 2
    assert attempt_row(pg_app, attempt_id).finished_at is not None
