"""Sessions that really end: logging out, a password change and "sign out everywhere" end every
copy of the session and every remember-me cookie, the answer path included."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from quiz.accounts.models import Login
from quiz.extensions import db
from quiz.models import Answer, User, utcnow
from tests.helpers.accounts import PASSWORD, cookie, login, make_user, signed_in_as
from tests.helpers.forms import token, token_in
from tests.helpers.study import question_data, question_ids, right_fields, start_on

NEW_PASSWORD = "another long passphrase"


def copy_of(app, client, names=("session", "remember_token")):
    """A second browser holding a copy of ``client``'s cookies, as someone who copied them would."""
    other = app.test_client()
    for name in names:
        found = client.get_cookie(name)
        if found is not None:
            other.set_cookie(name, found.value)
    return other


def only(app, client, name: str):
    """A browser holding only ``client``'s cookie ``name`` (e.g. the remember-me cookie alone)."""
    return copy_of(app, client, names=(name,))


def logout(client):
    return client.post("/logout", data={"csrf_token": token(client, "/")})


def signs_in_to_progress(client) -> bool:
    """Whether this browser opens the learner-only progress page (else it is sent to log in)."""
    response = client.get("/progress")
    assert response.status_code in (200, 302), response.status_code
    return response.status_code == 200


def test_a_session_cookie_copied_before_logout_opens_nothing_after(app, client):
    make_user(app)
    login(client)
    stolen = copy_of(app, client, names=("session",))
    assert signs_in_to_progress(stolen)
    logout(client)
    assert not signs_in_to_progress(stolen)
    assert signed_in_as(stolen) is None


def test_a_remember_me_cookie_copied_before_logout_signs_nobody_in_after(app, client):
    make_user(app)
    login(client, remember=True)
    remembered = only(app, client, "remember_token")
    assert signs_in_to_progress(remembered)  # it works as long as the sign-in lasts
    logout(client)
    stale = app.test_client()
    stale.set_cookie("remember_token", remembered.get_cookie("remember_token").value)
    response = stale.get("/progress")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    # The refused cookie is deleted, so that it is not tried on every request.
    gone = cookie(response, "remember_token")
    assert gone is not None and gone["value"] == ""


def test_the_remember_me_token_changes_at_each_sign_in(app, client):
    make_user(app)
    first = cookie(login(client, remember=True), "remember_token")["value"]
    logout(client)
    second = cookie(login(client, remember=True), "remember_token")["value"]
    assert first and second and first != second
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Login)) == 1  # the first one ended


def test_two_browsers_keep_their_own_sign_ins(app):
    make_user(app)
    laptop, phone = app.test_client(), app.test_client()
    login(laptop)
    login(phone)
    logout(laptop)
    assert signed_in_as(phone) == "ada"  # logging out ends this browser's sign-in only
    assert signed_in_as(laptop) is None


def test_an_expired_sign_in_is_refused(app, client):
    make_user(app)
    login(client, remember=True)
    with app.app_context():
        db.session.execute(update(Login).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert signed_in_as(client) is None
    assert signed_in_as(only(app, client, "remember_token")) is None


def test_a_session_from_before_sign_ins_were_recorded_is_refused(app, client):
    user_id = make_user(app)
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)  # what a session held before: the id alone
    assert signed_in_as(client) is None


def change_password(client, current: str, new: str, confirm: str | None = None):
    return client.post("/account/password", data={
        "csrf_token": token(client, "/account"), "current": current, "password": new,
        "confirm": new if confirm is None else confirm})


def test_a_password_change_ends_every_other_sign_in(app, client):
    make_user(app)
    login(client, remember=True)
    other_device = app.test_client()
    login(other_device, remember=True)
    copied = copy_of(app, client)
    old_remember = client.get_cookie("remember_token").value

    response = change_password(client, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    new_remember = cookie(response, "remember_token")
    assert new_remember is not None and new_remember["value"] not in ("", old_remember)

    assert signed_in_as(client) == "ada"  # this browser goes on, under a new sign-in
    assert signed_in_as(other_device) is None
    assert signed_in_as(copied) is None
    assert signed_in_as(only(app, other_device, "remember_token")) is None
    fresh = app.test_client()
    assert login(fresh, "ada", PASSWORD).status_code == 200  # the old password is refused
    assert login(fresh, "ada", NEW_PASSWORD).status_code == 302


def test_a_password_change_needs_the_current_password_and_a_good_new_one(app, client):
    make_user(app)
    login(client)
    wrong = change_password(client, "not my password", NEW_PASSWORD)
    assert wrong.status_code == 400 and "That is not your password." in wrong.get_data(as_text=True)
    common = change_password(client, PASSWORD, "password1")
    assert common.status_code == 400 and "most common" in common.get_data(as_text=True)
    differ = change_password(client, PASSWORD, NEW_PASSWORD, confirm="something else")
    assert differ.status_code == 400
    assert login(app.test_client(), "ada", PASSWORD).status_code == 302  # unchanged


def test_sign_out_everywhere_ends_every_sign_in_and_remember_cookie(app, client):
    make_user(app)
    login(client, remember=True)
    phone = app.test_client()
    login(phone, remember=True)
    kept = [copy_of(app, client), only(app, phone, "remember_token")]

    response = client.post("/account/sign-out-everywhere", data={"csrf_token": token(client, "/account")})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "signed out everywhere (2 sign-ins ended)" in client.get("/login").get_data(as_text=True)
    for browser in (client, phone, *kept):
        assert signed_in_as(browser) is None
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Login)) == 0


def test_the_answer_path_refuses_a_session_copied_before_logout(synced, client):
    make_user(synced)
    login(client)
    with synced.app_context():
        user_id = db.session.scalar(select(User.id))
    attempt_id = start_on(synced, user_id, question_ids(synced, "single")[:2])
    url = f"/study/attempts/{attempt_id}/questions/1"
    form = {"csrf_token": token_in(client.get(url).get_data(as_text=True)),
            **right_fields(question_data(synced, attempt_id, 1))}
    stolen = copy_of(synced, client, names=("session",))
    logout(client)
    assert stolen.post(url, data=form).status_code == 404
    with synced.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Answer)) == 0
    # The same form, from a browser still signed in, is taken.
    login(client)
    form["csrf_token"] = token_in(client.get(url).get_data(as_text=True))
    assert client.post(url, data=form).status_code == 302
