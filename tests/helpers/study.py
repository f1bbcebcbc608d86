"""Self-study through the test client: starting a quiz, reading its pages, answering with their tokens."""

from __future__ import annotations

import random
import re

from markupsafe import escape

from quiz.content.types import cloze_blanks
from quiz.extensions import db
from quiz.models import Answer, Attempt, Question
from quiz.study import service
from tests.helpers.forms import token_in

QUESTION_URL = re.compile(r"^/study/attempts/(\d+)/questions/(\d+)$")


def page(client, url: str) -> str:
    """The text of a page that must answer 200."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def post_setup(client, **fields):
    """Send the quiz setup form with the token of a freshly fetched copy."""
    token = token_in(page(client, "/study"))
    return client.post("/study", data={"csrf_token": token, "order": "shuffled", **fields})


def started(response) -> int:
    """The id of the attempt a start redirected to; it must open on question 1."""
    assert response.status_code == 302, response.get_data(as_text=True)
    found = QUESTION_URL.match(response.headers["Location"])
    assert found, response.headers["Location"]
    assert found.group(2) == "1"
    return int(found.group(1))


def attempt_row(app, attempt_id: int) -> Attempt:
    """The attempt's row, detached from the session so a test can read it after."""
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        db.session.expunge(attempt)
        return attempt


def answer_count(app, attempt_id: int | None = None) -> int:
    """How many answers are recorded, in one attempt or in all."""
    with app.app_context():
        query = db.select(db.func.count()).select_from(Answer)
        if attempt_id is not None:
            query = query.where(Answer.attempt_id == attempt_id)
        return db.session.scalar(query)


def question_data(app, attempt_id: int, position: int) -> dict:
    """The question at a position of an attempt, as its bank writes it."""
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        return db.session.get(Question, attempt.question_ids[position - 1]).data


def right_fields(data: dict) -> dict:
    """The form fields that answer a question fully right, as the grading module reads them."""
    qtype = data["type"]
    if qtype == "single":
        return {"choice": data["answer"]}
    if qtype == "multiple":
        return {"choice": list(data["answer"])}
    if qtype == "true_false":
        return {"choice": "true" if data["answer"] else "false"}
    if qtype == "short":
        return {"answer": data["answer"][0]}
    if qtype == "cloze":
        return {f"blank-{n}": alts[0] for n, alts in enumerate(cloze_blanks(data["prompt"]))}
    if qtype == "matching":
        return {f"match-{n}": right for n, right in enumerate(data["pairs"].values())}
    assert qtype == "ordering", qtype
    return {f"position-{n}": item for n, item in enumerate(data["items"])}


def wrong_single(data: dict) -> dict:
    """The form fields that answer a single-choice question wrong."""
    return {"choice": next(c for c in data["choices"] if c != data["answer"])}


def answer(client, attempt_id: int, position: int, fields: dict):
    """Open a question page, check it offers these fields, and post them with its token."""
    url = f"/study/attempts/{attempt_id}/questions/{position}"
    body = page(client, url)
    for name, value in fields.items():
        assert f'name="{name}"' in body, (url, name)
        if name == "answer" or name.startswith("blank-"):
            continue  # typed, not picked from the page
        for one in value if isinstance(value, list) else [value]:
            assert f'value="{escape(one)}"' in body, (url, name, one)
    return client.post(url, data={"csrf_token": token_in(body), **fields})


def answer_right(app, client, attempt_id: int, position: int) -> str:
    """Answer a question fully right; the feedback page it leads to."""
    url = f"/study/attempts/{attempt_id}/questions/{position}"
    response = answer(client, attempt_id, position, right_fields(question_data(app, attempt_id, position)))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"] == url
    return page(client, url)


def start_on(app, user_id: int | None, ids: list[int]) -> int:
    """An attempt on exactly these questions (in bank order) for a user; its id."""
    with app.app_context():
        attempt = service.start_attempt(
            db.session, user_id, service.Selection(question_ids=tuple(ids), count=len(ids),
                                                   shuffle=False), random.Random(5))
        db.session.commit()
        return attempt.id


def question_ids(app, qtype: str, bank: str = "ch01-concepts") -> list[int]:
    """Ids of a bank's questions of one type, in file order."""
    with app.app_context():
        return list(db.session.scalars(db.select(Question.id).where(
            Question.type == qtype, Question.bank_id == bank).order_by(Question.position)))


def visitor_attempt(client, count: int = 2) -> int:
    """A visitor's attempt of ``count`` questions, started through the setup form; its id."""
    return started(post_setup(client, count=str(count)))

