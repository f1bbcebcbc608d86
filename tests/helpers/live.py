"""Live sessions through the test client: creating one, joining, the host's buttons, answering."""

from __future__ import annotations

import re

from quiz.extensions import db
from quiz.live.models import LiveSession
from quiz.models import Question
from tests.helpers.forms import TOKEN, token_in


def create(host, **fields) -> tuple[int, str]:
    """Create a session through the form; its id and PIN."""
    body = host.get("/live").get_data(as_text=True)
    data = {"csrf_token": token_in(body), "count": "3", "seconds": "20", "points": "standard",
            "types": ["single"], "show_on_devices": "on", "shuffle": "on", **fields}
    response = host.post("/live", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    session_id = int(re.search(r"/live/(\d+)/host", response.headers["Location"]).group(1))
    with host.application.app_context():
        return session_id, db.session.get(LiveSession, session_id).pin


def join(app, pin: str, nickname: str, client=None):
    """A phone joining with a nickname; returns its client and the response."""
    client = client or app.test_client()
    page = client.get(f"/live/join?pin={pin}")
    if page.status_code == 303:  # this browser is in already: straight back to its game
        return client, page
    body = page.get_data(as_text=True)
    assert f'value="{pin}"' in body  # the PIN comes prefilled, as the QR code opens it
    response = client.post("/live/join", data={"csrf_token": token_in(body), "pin": pin,
                                               "nickname": nickname})
    return client, response


VERSION = re.compile(r'name="version" value="(\d+)"')


def act(host, session_id: int, action: str):
    """Press a host's button on the presenter screen as it is now (its CSRF token and version)."""
    body = host.get(f"/live/{session_id}/host").get_data(as_text=True)
    return host.post(f"/live/{session_id}/act", data={"csrf_token": token_in(body), "action": action,
                                                      "version": VERSION.search(body).group(1)})


def current_question(app, session_id: int) -> tuple[int, dict]:
    """The index of the session's open question and its content as the bank writes it."""
    with app.app_context():
        live = db.session.get(LiveSession, session_id)
        return live.question_index, db.session.get(Question, live.question_ids[live.question_index]).data


def started(app, host, *names: str, **fields):
    """A session made with these form fields, joined by a phone per name, on its first question.

    Returns the session id, the PIN, the phones by name, and the open question's index and content.
    """
    session_id, pin = create(host, **fields)
    phones = {name: join(app, pin, name)[0] for name in names}
    act(host, session_id, "start")
    index, data = current_question(app, session_id)
    return session_id, pin, phones, index, data


def phone_token(phone, pin: str) -> str:
    """The CSRF token of a player's phone, from its play page (which has one with or without a form)."""
    body = phone.get(f"/live/{pin}/play").get_data(as_text=True)
    found = TOKEN.search(body) or re.search(r'data-csrf="([^"]+)"', body)
    assert found, "the play page has no CSRF token"
    return found.group(1)


def send(phone, pin: str, index: int, **fields):
    """Answer question ``index`` from a phone with these form fields; the page it ends on."""
    token = phone_token(phone, pin)
    return phone.post(f"/live/{pin}/answer", data={"csrf_token": token, "question": str(index), **fields},
                      follow_redirects=True)


def right(data: dict) -> str:
    """The right choice of a single-choice question."""
    return data["answer"]


def wrong(data: dict) -> str:
    """A wrong choice of a single-choice question."""
    return next(c for c in data["choices"] if c != data["answer"])


def state(client, pin: str) -> dict:
    """The session's state as a phone or the presenter polls it."""
    response = client.get(f"/live/{pin}/state?v=0")
    assert response.status_code == 200
    return response.get_json()

