"""Sign up, log in and log out through the test client, with CSRF protection left on."""

from __future__ import annotations

import re

import pytest
from flask_login import login_required
from werkzeug.security import check_password_hash

from quiz import create_app
from quiz.accounts.forms import NAME_MAX, NAME_MIN
from quiz.accounts.login import load_user
from quiz.accounts.service import NAME_PATTERN
from quiz.accounts.views import safe_next
from quiz.extensions import db
from quiz.models import Attempt, User
from tests.helpers.accounts import PASSWORD, cookie, login, make_user, signed_in_as, signup, users
from tests.helpers.forms import TOKEN, token

CSRF_SENTENCE = "The form expired or was not sent by this site. Reload the page and try again."


def test_forms_label_every_input_and_ask_for_the_right_autocomplete(client):
    signup_page = client.get("/signup").get_data(as_text=True)
    for field in ("name", "password", "confirm"):
        assert f'<label class="field-label" for="{field}">' in signup_page
    assert 'autocomplete="username"' in signup_page
    assert signup_page.count('autocomplete="new-password"') == 2
    assert TOKEN.search(signup_page)

    login_page = client.get("/login").get_data(as_text=True)
    assert 'autocomplete="username"' in login_page
    assert 'autocomplete="current-password"' in login_page
    assert '<label for="remember">' in login_page
    assert TOKEN.search(login_page)


def test_signup_makes_the_account_and_signs_it_in(app, client):
    response = signup(client, "Ada")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert users(app) == ["Ada"]
    assert "Welcome, Ada" in client.get("/").get_data(as_text=True)
    assert signed_in_as(client) == "Ada"


def test_a_taken_name_is_refused_whatever_its_case(app, client):
    make_user(app, "Ada")
    response = signup(client, "aDA")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "That name is taken" in body
    assert users(app) == ["Ada"]
    assert signed_in_as(client) is None


def test_field_errors_sit_next_to_their_fields_and_are_announced(app, client):
    body = signup(client, "ada", confirm="something else").get_data(as_text=True)
    assert 'id="confirm-error"' in body
    assert re.search(r'<input [^>]*aria-describedby="confirm-error"[^>]*id="confirm"', body)
    assert re.search(r'<input [^>]*aria-invalid="true"[^>]*id="confirm"', body)
    assert '<div class="form-errors" role="alert">' in body
    assert "The two passwords differ." in body
    assert users(app) == []


@pytest.mark.parametrize(("name", "password"), [
    ("a", PASSWORD), ("x" * 41, PASSWORD), ("no spaces", PASSWORD), ("ada", "short"),
])
def test_signup_refuses_what_the_service_would_refuse(app, client, name, password):
    response = signup(client, name, password)
    assert response.status_code == 200
    assert 'class="field-error"' in response.get_data(as_text=True)
    assert users(app) == []


def test_the_form_name_bounds_are_those_of_the_service_pattern():
    assert NAME_PATTERN.match("a" * NAME_MIN) and not NAME_PATTERN.match("a" * (NAME_MIN - 1))
    assert NAME_PATTERN.match("a" * NAME_MAX) and not NAME_PATTERN.match("a" * (NAME_MAX + 1))


def test_login_with_the_right_password_signs_in(app, client):
    make_user(app, "Ada")
    response = login(client, "  ada ")  # any case, stray spaces
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert signed_in_as(client) == "Ada"


def test_a_wrong_password_and_an_unknown_name_get_the_same_answer(app, client):
    make_user(app, "ada")
    answers = []
    for name, password in [("ada", "not the password"), ("nobody", PASSWORD)]:
        response = login(client, name, password)
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        answers.append(re.search(r'<div class="form-errors" role="alert">(.*?)</div>', body, re.S).group(1))
    assert answers[0] == answers[1]
    assert "Wrong name or password" in answers[0]
    assert signed_in_as(client) is None


def test_signed_in_people_skip_the_forms(app, client):
    make_user(app)
    login(client)
    for url in ("/login", "/signup"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"] == "/"


def test_logout_takes_a_post_with_a_csrf_token(app, client):
    make_user(app)
    login(client, remember=True)

    assert client.get("/logout").status_code == 405
    assert signed_in_as(client) == "ada"
    assert client.post("/logout").status_code == 400
    assert signed_in_as(client) == "ada"

    response = client.post("/logout", data={"csrf_token": token(client, "/")})
    assert response.status_code == 302
    remember = cookie(response, "remember_token")
    assert remember is not None and remember["value"] == ""  # the remember cookie is deleted too
    assert signed_in_as(client) is None


@pytest.mark.parametrize("csrf", [None, "forged-token"])
def test_a_post_without_a_valid_csrf_token_is_refused_and_changes_nothing(app, client, csrf):
    client.get("/signup")  # a session exists, as it would in a browser
    data = {"name": "mallory", "password": PASSWORD, "confirm": PASSWORD}
    if csrf:
        data["csrf_token"] = csrf
    response = client.post("/signup", data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert CSRF_SENTENCE in body
    assert 'class="brand"' in body  # inside the site's layout
    assert 'href="/signup">Reload the form' in body
    assert users(app) == []
    assert signed_in_as(client) is None


def test_login_without_a_csrf_token_is_refused(app, client):
    make_user(app)
    response = client.post("/login", data={"name": "ada", "password": PASSWORD})
    assert response.status_code == 400
    assert signed_in_as(client) is None


def test_remember_me_sets_a_lasting_remember_cookie(app, client):
    make_user(app)
    assert cookie(login(client), "remember_token") is None
    client.post("/logout", data={"csrf_token": token(client, "/")})

    remembered = cookie(login(client, remember=True), "remember_token")
    assert remembered is not None and remembered["value"]
    assert "expires" in remembered
    assert "httponly" in remembered
    assert remembered["samesite"] == "Lax"

    # A browser that lost the session but kept the remember cookie is still signed in.
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remembered["value"])
    assert signed_in_as(fresh) == "ada"


def test_the_session_cookie_is_httponly_lax_and_expires(app, client):
    make_user(app)
    session_cookie = cookie(login(client), "session")
    assert session_cookie is not None
    assert "httponly" in session_cookie
    assert session_cookie["samesite"] == "Lax"
    assert "expires" in session_cookie  # permanent: it ends after PERMANENT_SESSION_LIFETIME
    assert "secure" not in session_cookie  # plain HTTP in development, unless configured


def test_secure_cookies_are_one_setting_away(monkeypatch, tmp_path):
    monkeypatch.setenv("QUIZ_SESSION_COOKIE_SECURE", "true")
    monkeypatch.setenv("QUIZ_REMEMBER_COOKIE_SECURE", "true")
    app = create_app({"SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": "sqlite://"},
                     instance_path=tmp_path / "instance")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


@pytest.mark.parametrize("target", [
    "//evil.com", "///evil.com", "http://evil.com/", "https://evil.com", "javascript:alert(1)",
    "/\\evil.com", "\\\\evil.com", "/\t/evil.com", "evil.com", "",
])
def test_login_never_redirects_off_site(app, client, target):
    make_user(app)
    response = login(client, url=f"/login?next={target}" if target else "/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", ["/banks/ch01-core", "/banks/ch01-core?mode=review#q-1", "/"])
def test_a_local_next_is_kept(target):
    assert safe_next(target) == target


def test_login_returns_to_the_page_that_asked_for_it(app, client):
    @login_required
    def private():
        return "private page"

    app.add_url_rule("/private", "private", private)
    make_user(app)
    response = client.get("/private?x=1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Fprivate%3Fx%3D1"

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Log in to see that page." in page
    assert 'action="/login?next=/private?x%3D1"' in page
    assert 'href="/signup?next=/private?x%3D1"' in page

    response = login(client, url="/login?next=%2Fprivate%3Fx%3D1")
    assert response.headers["Location"] == "/private?x=1"


def test_the_header_log_in_link_returns_to_the_current_page(synced, client):
    body = client.get("/banks/ch01-core").get_data(as_text=True)
    assert 'href="/login?next=/banks/ch01-core"' in body
    assert 'href="/signup?next=/banks/ch01-core"' in body
    assert 'href="/login"' in client.get("/").get_data(as_text=True)  # no next back to home


def test_the_password_is_stored_hashed(app, client):
    signup(client, "ada")
    with app.app_context():
        user = db.session.scalars(db.select(User)).one()
        assert user.password_hash != PASSWORD
        assert PASSWORD not in user.password_hash
        assert check_password_hash(user.password_hash, PASSWORD)


@pytest.mark.parametrize("user_id", ["abc", "", "²", "-1", "1.0", "9" * 40, "999"])
def test_the_user_loader_ignores_a_garbage_id(app, client, user_id):
    make_user(app)
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["_fresh"] = True
    assert signed_in_as(client) is None
    with app.app_context():
        assert load_user(user_id) is None


def test_visitor_attempts_move_to_the_new_account(app, client):
    other = make_user(app, "other")
    with app.app_context():
        mine = [Attempt(), Attempt()]
        theirs = Attempt(user_id=other)
        db.session.add_all([*mine, theirs])
        db.session.commit()
        ids = [attempt.id for attempt in [*mine, theirs]]
    with client.session_transaction() as session:
        session["visitor_attempts"] = ids

    assert signup(client, "ada").status_code == 302
    with app.app_context():
        ada = db.session.scalar(db.select(User.id).where(User.name == "ada"))
        owners = [db.session.get(Attempt, attempt_id).user_id for attempt_id in ids]
    assert owners == [ada, ada, other]  # someone else's attempt stays theirs
    with client.session_transaction() as session:
        assert "visitor_attempts" not in session


def test_visitor_attempts_move_on_login_too(app, client):
    make_user(app)
    with app.app_context():
        attempt = Attempt()
        db.session.add(attempt)
        db.session.commit()
        attempt_id = attempt.id
    with client.session_transaction() as session:
        session["visitor_attempts"] = [attempt_id]
    login(client)
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).user_id is not None
    with client.session_transaction() as session:
        assert "visitor_attempts" not in session


def test_an_unknown_address_gets_the_404_page(client):
    response = client.get("/no/such/page")
    body = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Page not found" in body
    assert 'class="brand"' in body
