"""Rate limits: sign-in and sign-up per address and per account, PIN look-ups and joins per
address, imports per account; a refusal is a 429 with Retry-After in the site's layout."""

from __future__ import annotations

import time

import pytest

from tests.helpers.accounts import PASSWORD, login, make_user, signed_in_as, signup
from tests.helpers.forms import token, token_in
from tests.helpers.live import create, join

JSON = {"Accept": "application/json"}


def from_address(app, address: str):
    """A browser whose requests come from ``address``."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def wrong_login(client, name: str = "ada"):
    return login(client, name, "not the password")


def test_two_hundred_wrong_passwords_are_not_all_answered_and_the_right_one_waits(app):
    """The issue's reproduction: 200 wrong passwords in a row, then the right one."""
    make_user(app)
    client = app.test_client()
    answers = [wrong_login(client).status_code for _ in range(200)]
    assert answers[:10] == [200] * 10  # each refused with "Wrong name or password"
    assert set(answers[10:]) == {429}
    refused = login(client)
    assert refused.status_code == 429  # the right password too, until the window moves on
    assert signed_in_as(client) is None
    body = refused.get_data(as_text=True)
    assert "Too many wrong passwords for this account." in body and 'class="brand"' in body
    assert 1 <= int(refused.headers["Retry-After"]) <= 15 * 60


def test_the_account_limit_holds_whatever_the_address(app):
    make_user(app)
    app.config["RATELIMIT_ACCOUNT_FAILURES"] = "10 per 15 minutes"
    for number in range(10):
        assert wrong_login(from_address(app, f"198.51.100.{number}")).status_code == 200
    assert login(from_address(app, "203.0.113.7")).status_code == 429
    # Another account is not held up by ada's.
    make_user(app, "grace")
    assert login(from_address(app, "203.0.113.7"), "grace").status_code == 302


def test_a_guesser_at_one_address_does_not_lock_the_owner_out(app):
    # One budget per account from anywhere let any one address lock an account for everyone.
    make_user(app)
    guesser = from_address(app, "198.51.100.9")
    assert [wrong_login(guesser).status_code for _ in range(12)] == [200] * 10 + [429] * 2
    assert login(from_address(app, "203.0.113.7")).status_code == 302  # the owner, at home
    assert login(from_address(app, "198.51.100.9")).status_code == 429  # but not from there


def test_many_addresses_guessing_at_one_account_are_stopped_by_its_own_budget(app):
    make_user(app)
    app.config["RATELIMIT_ACCOUNT_FAILURES"] = "25 per hour"
    statuses = [wrong_login(from_address(app, f"198.51.100.{n // 10}")).status_code for n in range(40)]
    assert statuses == [200] * 25 + [429] * 15
    assert login(from_address(app, "203.0.113.7")).status_code == 429


def test_right_passwords_do_not_use_up_the_account_budget(app):
    make_user(app)
    for _ in range(15):
        client = app.test_client()
        assert login(client).status_code == 302


def test_sign_in_is_limited_per_address_too(app):
    app.config["RATELIMIT_SIGN_IN"] = "5 per minute"
    guesser, neighbour = from_address(app, "192.0.2.1"), from_address(app, "192.0.2.2")
    statuses = [wrong_login(guesser, f"name{n}").status_code for n in range(7)]
    assert statuses == [200] * 5 + [429] * 2  # different names: the address's budget, not an account's
    assert wrong_login(neighbour, "name9").status_code == 200


@pytest.mark.slow  # waits out the limit's window, seconds
def test_the_account_budget_comes_back_after_its_window(app):
    app.config["RATELIMIT_LOGIN_FAILURES"] = "2 per 2 seconds"
    make_user(app)
    client = app.test_client()
    assert [wrong_login(client).status_code for _ in range(3)] == [200, 200, 429]
    refused = login(client)
    time.sleep(float(refused.headers["Retry-After"]) + 0.5)
    assert login(client).status_code == 302


def test_sign_up_is_limited_per_address_and_per_name(app):
    app.config["RATELIMIT_SIGN_UP"] = "3 per hour"
    client = from_address(app, "192.0.2.10")
    for n in range(3):
        assert signup(client, f"pupil{n}").status_code == 302
        client.post("/logout", data={"csrf_token": token(client, "/")})  # out again for the next one
    assert signup(client, "pupil9").status_code == 429
    app.config["RATELIMIT_SIGN_UP_NAME"] = "2 per hour"
    taken = [signup(from_address(app, f"192.0.2.{20 + n}"), "pupil0").status_code for n in range(3)]
    assert taken == [200, 200, 429]  # "that name is taken" twice, then the name's budget is spent


def test_a_refusal_is_json_for_a_script(app):
    app.config["RATELIMIT_SIGN_IN"] = "1 per minute"
    client = app.test_client()
    wrong_login(client)
    data = {"csrf_token": token(client, "/login"), "name": "x", "password": "y"}
    response = client.post("/login", data=data, headers=JSON)
    assert response.status_code == 429 and response.headers["Retry-After"]
    assert response.get_json()["status"] == 429
    assert "Too many sign-in attempts from this address." in response.get_json()["error"]


def post_join(client, pin: str, nickname: str):
    body = client.get("/login").get_data(as_text=True)  # a token from a page that looks no PIN up
    return client.post("/live/join", data={"csrf_token": token_in(body), "pin": pin, "nickname": nickname})


def test_guessed_pins_are_refused_after_the_budget_and_other_addresses_play_on(synced, host):
    _, pin = create(host)
    guesser = from_address(synced, "192.0.2.50")
    guesses = [f"{n:06d}" for n in range(100000, 100031)]
    statuses = [guesser.get(f"/live/{guess}/state").status_code for guess in guesses[:20]]
    statuses += [post_join(guesser, guess, "bot").status_code for guess in guesses[20:30]]
    assert statuses == [404] * 20 + [400] * 10  # thirty PINs that match nothing: the default budget
    assert guesser.get(f"/live/{guesses[30]}/state").status_code == 429
    assert guesser.get(f"/live/{pin}/state").status_code == 429  # even the right one, for a while
    assert post_join(guesser, pin, "bot").status_code == 429
    # A phone elsewhere joins and plays as usual.
    phone = from_address(synced, "192.0.2.51")
    assert post_join(phone, pin, "Ann").status_code == 303
    assert phone.get(f"/live/{pin}/play").status_code == 200


def test_pins_tried_on_the_join_page_count_as_misses_too(synced, host):
    """The join page checks a PIN from its link before it asks for a nickname: that is a look-up too."""
    guesser = from_address(synced, "192.0.2.52")
    statuses = [guesser.get(f"/live/join?pin={n:06d}").status_code for n in range(200000, 200030)]
    assert statuses == [400] * 30
    assert guesser.get("/live/join?pin=200031").status_code == 429


def test_a_running_session_is_not_held_up_by_its_own_players(synced, host):
    """A class behind one NAT address: its phones look the session up far more than the miss budget."""
    _, pin = create(host)
    phones = [join(synced, pin, f"P{n}")[0] for n in range(40)]
    for _ in range(3):
        for phone in phones:
            assert phone.get(f"/live/{pin}/state").status_code == 200


def test_scripted_joins_stop_at_the_join_limit(synced, host):
    """The issue's reproduction: scripted joins from one address were all seated."""
    _, pin = create(host)
    script = synced.test_client()
    statuses = [post_join(synced.test_client(), pin, f"bot{n}").status_code for n in range(70)]
    assert statuses == [303] * 60 + [429] * 10
    refused = post_join(script, pin, "bot99")
    assert refused.status_code == 429 and "Too many players joining from this address." in \
        refused.get_data(as_text=True)


def test_a_lecture_hall_raises_the_join_limit(synced, host):
    synced.config["RATELIMIT_LIVE_JOIN"] = "300 per minute"
    _, pin = create(host)
    assert all(post_join(synced.test_client(), pin, f"S{n}").status_code == 303 for n in range(100))


@pytest.fixture
def instructor(synced):
    client = synced.test_client()
    from tests.helpers.sessions import sign_in
    sign_in(synced, client, "teacher", is_instructor=True)
    return client


def test_imports_are_limited_per_account(synced, instructor):
    synced.config["RATELIMIT_IMPORT"] = "2 per minute"
    statuses = [instructor.post("/import", data={"csrf_token": token(instructor, "/import")}).status_code
                for _ in range(3)]
    assert statuses[:2] == [400, 400]  # no file chosen: refused, but counted
    assert statuses[2] == 429
    assert instructor.get("/import").status_code == 200  # the page itself is not limited


def test_a_wrong_current_password_counts_against_the_account(app):
    make_user(app)
    client = app.test_client()
    login(client)
    app.config["RATELIMIT_LOGIN_FAILURES"] = "2 per hour"
    form = {"current": "wrong", "password": "another long passphrase", "confirm": "another long passphrase"}
    statuses = [client.post("/account/password", data={"csrf_token": token(client, "/account"), **form})
                .status_code for _ in range(3)]
    assert statuses == [400, 400, 429]
    assert login(app.test_client(), "ada", PASSWORD).status_code == 429  # one budget for the account


def _signed_in_from(app, forwarded_for: str):
    client = app.test_client()
    client.environ_base["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return wrong_login(client, "anyone").status_code


def test_a_forwarded_address_counts_only_behind_a_configured_proxy(tmp_path):
    from quiz import create_app

    config = {"SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'q.sqlite3'}",
              "TESTING": True, "RATELIMIT_SIGN_IN": "2 per minute"}
    direct = create_app(config, instance_path=tmp_path / "direct")
    with direct.app_context():
        from quiz.extensions import db
        db.create_all()
    # Without a proxy, X-Forwarded-For is anyone's to write: it changes nothing.
    assert [_signed_in_from(direct, f"198.51.100.{n}") for n in range(3)] == [200, 200, 429]
    proxied = create_app({**config, "PROXY_COUNT": 1}, instance_path=tmp_path / "proxied")
    assert [_signed_in_from(proxied, f"198.51.100.{n}") for n in range(3)] == [200, 200, 200]
    assert _signed_in_from(proxied, "198.51.100.0") == 200
    assert _signed_in_from(proxied, "198.51.100.0") == 429  # that client's third
