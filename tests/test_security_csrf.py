"""Every POST the app routes is refused without a CSRF token, whoever sends it, and changes nothing.

The list of routes comes from ``app.url_map``, so a new form is covered the
day it is added.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from quiz import create_app
from quiz.extensions import db
from tests.helpers.policy import POLICY
from tests.helpers.roles import build, path_of

CSRF_SENTENCE = "The form expired or was not sent by this site."


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    import shutil

    from tests.helpers.paths import CONTENT
    folder = tmp_path_factory.mktemp("csrf")
    shutil.copytree(CONTENT, folder / "content")
    app = create_app({"TESTING": True, "SECRET_KEY": "csrf-key", "CONTENT_DIR": str(folder / "content"),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'quiz.sqlite3'}"},
                     instance_path=folder / "instance")
    with app.app_context():
        db.create_all()
    assert app.test_cli_runner().invoke(args=["content", "sync"]).exit_code == 0
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def everything(app) -> list:
    """Every row of every table: what a refused request must leave as it was."""
    with app.app_context():
        rows = [(table.name, tuple(row)) for table in db.metadata.sorted_tables
                for row in db.session.execute(select(table))]
        db.session.remove()
        return rows


def posts(app):
    return sorted((rule.endpoint, rule) for rule in app.url_map.iter_rules() if "POST" in rule.methods)


def test_there_are_forms_to_check(app):
    assert len(posts(app)) >= 20


@pytest.mark.parametrize("token", [None, "forged-token"])
def test_every_post_is_refused_without_a_valid_token(app, token):
    for endpoint, rule in posts(app):
        world = build(app)
        role = sorted(POLICY[endpoint])[0]  # someone the route is for: only the token is missing
        client = world.clients[role]
        client.get("/")  # a session exists, as in a browser that opened the site
        before = everything(app)
        data = {"csrf_token": token} if token else {}
        response = client.post(path_of(app, rule, world.values), data=data)
        assert response.status_code == 400, (endpoint, role, response.status_code)
        assert CSRF_SENTENCE in response.get_data(as_text=True), endpoint
        assert everything(app) == before, f"{endpoint} changed the database without a token"


def test_a_script_is_told_in_json(app):
    world = build(app)
    response = world.clients["player"].post(f"/live/{world.values['pin']}/answer", data={"question": "0"},
                                            headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert CSRF_SENTENCE in response.get_json()["error"]
