"""Property-based fuzzing of every route's parameters: whatever is in the URL, the query string or
the form, as whoever asks, the answer is never a 5xx.

Routes come from ``app.url_map``; numbers, text and the names of the fields
the views read are drawn by Hypothesis. Exceptions propagate (TESTING), so a
failure shows the request that caused it, shrunk to its simplest form.
"""

from __future__ import annotations

import shutil
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import IntegerConverter, PathConverter

from quiz import create_app
from quiz.extensions import db
from tests.helpers.paths import CONTENT
from tests.helpers.roles import ROLES, build

# The names the views read from requests (grep request.args/form in quiz/), and a few of the question
# forms' own (choice, answer, blank-N, match-N, position-N).
FIELDS = ["action", "bank", "banks", "card", "concept", "concepts", "count", "format", "locked", "name",
          "next", "nickname", "pin", "points", "question", "rating", "review", "seconds", "show", "types",
          "version", "tag", "type", "choice", "answer", "blank-0", "match-0", "position-0", "password",
          "confirm", "current", "remember", "time_zone", "desired_retention", "new_cards_per_day", "order",
          "show_on_devices", "shuffle", "v"]
UNLIMITED = "1000000 per minute"

numbers = st.one_of(st.integers(min_value=0, max_value=2**70).map(str), st.just("9" * 40),
                    st.sampled_from(["0", "1", "2", "-1", "007", "1e3", "٣"]))
text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
values = st.one_of(text, numbers, st.sampled_from(["on", "true", "json", "csv", "start", "next", "end",
                                                   "ch01-concepts", "single", "1", "3"]))
fields = st.dictionaries(st.one_of(st.sampled_from(FIELDS), text.filter(bool)),
                         st.one_of(values, st.lists(values, max_size=3)), max_size=5)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(CONTENT, folder / "content")
    names = ("SIGN_IN", "LOGIN_FAILURES", "ACCOUNT_FAILURES", "SIGN_UP", "SIGN_UP_NAME", "LIVE_JOIN",
             "PIN_MISSES", "IMPORT")
    limits = {f"RATELIMIT_{name}": UNLIMITED for name in names}
    app = create_app({"TESTING": True, "SECRET_KEY": "fuzz-key", "WTF_CSRF_ENABLED": False,
                      "CONTENT_DIR": str(folder / "content"),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'quiz.sqlite3'}", **limits},
                     instance_path=folder / "instance")
    with app.app_context():
        db.create_all()
    assert app.test_cli_runner().invoke(args=["content", "sync"]).exit_code == 0
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


RULES = sorted(create_app({"SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": "sqlite://"},
                          instance_path="/nonexistent").url_map.iter_rules(), key=lambda rule: rule.rule)


WORLDS: dict = {}  # one per route, made on its first example


def test_every_route_is_fuzzed():
    assert len(RULES) >= 40


def _argument(rule, name: str, draw, world) -> str:
    converter = rule._converters[name]
    known = world.values.get(name, "")
    if isinstance(converter, IntegerConverter):
        return draw(st.one_of(st.just(known), numbers))
    drawn = draw(st.one_of(st.just(known), text.filter(bool)))
    return quote(drawn, safe="/" if isinstance(converter, PathConverter) else "")


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.endpoint)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(data=st.data())
def test_no_parameters_make_a_route_fail(app, rule, data):
    world = WORLDS.get(rule.endpoint) or WORLDS.setdefault(rule.endpoint, build(app))
    role = data.draw(st.sampled_from(ROLES))
    method = data.draw(st.sampled_from(sorted(rule.methods - {"HEAD", "OPTIONS"})))
    path = rule.rule
    for name in rule.arguments:
        value = _argument(rule, name, data.draw, world)
        path = path.replace(f"<{name}>", value)
        for kind in ("int", "string", "path"):
            path = path.replace(f"<{kind}:{name}>", value)
    query = urlencode(data.draw(fields), doseq=True)
    form = data.draw(fields) if method == "POST" else None
    client = world.clients[role]
    response = client.open(f"{path}?{query}" if query else path, method=method, data=form)
    response.close()
    assert response.status_code < 500, (method, path, query, form, role)

