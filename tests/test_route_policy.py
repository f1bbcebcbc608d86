"""Who may use each route: each endpoint is declared in tests/helpers/policy.py and tried as every role.

A route missing from POLICY fails the test, so a new route cannot ship
before someone decides who may use it. A role that may use a route must get
past its checks (any answer but 401, 403, 404 or a redirect to log in or to
join); every other role must be stopped by one of those.
"""

from __future__ import annotations

import pytest

from quiz import create_app
from quiz.extensions import db
from tests.helpers.policy import POLICY
from tests.helpers.roles import ROLES, build, path_of

# Routes that only send everyone on elsewhere: every role must be sent to the same place.
FORWARDS = {"live.short_join": "/live/join"}

# Query strings some routes need to do their work rather than ask for it.
QUERIES = {"exchange.download": "?format=json", "exchange.export_page": "?format=json"}


@pytest.fixture(scope="module")
def app(tmp_path_factory, content_copy):
    folder = tmp_path_factory.mktemp("policy")
    app = create_app({"TESTING": True, "SECRET_KEY": "policy-key", "WTF_CSRF_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'quiz.sqlite3'}",
                      "CONTENT_DIR": str(content_copy), "RATELIMIT_ENABLED": True},
                     instance_path=folder / "instance")
    with app.app_context():
        db.create_all()
    assert app.test_cli_runner().invoke(args=["content", "sync"]).exit_code == 0
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def content_copy(tmp_path_factory):
    import shutil

    from tests.helpers.paths import CONTENT
    target = tmp_path_factory.mktemp("content") / "content"
    shutil.copytree(CONTENT, target)
    return target


def routes(app):
    """Every (endpoint, method, rule) the app answers, HEAD and OPTIONS aside."""
    return sorted(((rule.endpoint, method, rule) for rule in app.url_map.iter_rules()
                   for method in rule.methods - {"HEAD", "OPTIONS"}), key=lambda item: item[:2])


def test_every_route_declares_who_may_use_it(app):
    endpoints = {endpoint for endpoint, _, _ in routes(app)}
    assert endpoints - set(POLICY) == set(), "declare these routes in POLICY"
    assert set(POLICY) - endpoints == set(), "these declared routes no longer exist"


def stopped(response) -> bool:
    """Whether the response refuses the request for who is asking."""
    if response.status_code in (401, 403, 404):
        return True
    location = response.headers.get("Location", "")
    # Log in to see it (Flask-Login adds where to come back to), or join with a nickname first.
    return response.status_code in (302, 303) and location.startswith(("/login?next=", "/live/join"))


def pytest_generate_tests(metafunc):
    if "endpoint" in metafunc.fixturenames:
        metafunc.parametrize("endpoint", sorted(POLICY))


def test_each_role_may_use_what_it_is_allowed_and_nothing_else(app, endpoint):
    found = [(method, rule) for name, method, rule in routes(app) if name == endpoint]
    assert found, f"{endpoint} is declared but not routed"
    for method, rule in found:
        for role in ROLES:
            world = build(app)  # each its own: a POST may change what the next would find
            url = path_of(app, rule, world.values) + QUERIES.get(endpoint, "")
            response = world.clients[role].open(url, method=method)
            response.close()  # an event stream would otherwise stay open
            assert response.status_code < 500, (endpoint, method, role, response.status_code)
            if endpoint in FORWARDS:
                assert response.status_code in (301, 302, 303, 308), (method, url, role)
                assert response.headers["Location"].startswith(FORWARDS[endpoint]), (method, url, role)
                continue
            allowed = role in POLICY[endpoint]
            assert stopped(response) != allowed, (
                f"{method} {url} as {role}: {response.status_code} {response.headers.get('Location', '')}"
                f" but the policy says {'allowed' if allowed else 'refused'}")
