"""Passwords: common ones and the account's own name refused; sign-in costs the same for any name;
hashing leaves a gevent worker free to answer others."""

from __future__ import annotations

import os
import statistics
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest
from werkzeug.security import generate_password_hash

from quiz.accounts.service import AccountError, create_user
from quiz.extensions import db
from quiz.security.passwords import check_password, hash_password, is_common, weakness
from tests.helpers.accounts import login, make_user, signup, users
from tests.helpers.forms import TOKEN
from tests.helpers.servers import QUIZ, up_at

PROJECT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("password", ["password", "12345678", "Password1", "iloveyou", "QWERTYUIOP"])
def test_common_passwords_are_refused_at_sign_up(app, client, password):
    response = signup(client, "ada", password)
    assert response.status_code == 200
    assert "one of the most common ones" in response.get_data(as_text=True)
    assert users(app) == []


@pytest.mark.parametrize("password", ["adalovelace", "AdaLovelace", " adalovelace "])
def test_a_password_equal_to_the_name_is_refused(app, client, password):
    response = signup(client, "AdaLovelace", password)
    assert "cannot be the account&#39;s name" in response.get_data(as_text=True)
    assert users(app) == []


def test_the_service_refuses_them_too(app):
    with app.app_context():
        for name, password in [("ada", "password"), ("grace-hopper", "Grace-Hopper")]:
            with pytest.raises(AccountError):
                create_user(db.session, name, password)


def test_the_command_line_refuses_a_common_password(app, runner):
    result = runner.invoke(args=["user", "create", "teacher", "--password", "12345678"])
    assert result.exit_code != 0
    assert "most common" in result.output
    assert users(app) == []


def test_the_list_is_the_vendored_one():
    assert is_common("password") and is_common("123456789") and is_common("PaSsWoRd")
    assert not is_common("correct horse battery")
    assert weakness("ada", "a long and unusual sentence") is None


def _timed_login(client, name: str, password: str) -> float:
    data = {"csrf_token": TOKEN.search(client.get("/login").get_data(as_text=True)).group(1),
            "name": name, "password": password}
    start = time.perf_counter()
    response = client.post("/login", data=data)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200 and "Wrong name or password" in response.get_data(as_text=True)
    return elapsed


@pytest.mark.real_hashing
def test_new_hashes_use_werkzeug_s_scrypt_at_its_full_cost():
    """What the tests' cheap hashes stand in for: the product hashes at werkzeug's own scrypt cost."""
    method, salt, digest = hash_password("correct horse battery").split("$")
    assert method == "scrypt:32768:8:1" and len(salt) == 16 and digest
    assert check_password(f"{method}${salt}${digest}", "correct horse battery")


@pytest.mark.timing  # compares medians within 20 %
@pytest.mark.real_hashing
def test_an_unknown_name_costs_what_a_wrong_password_costs(app, client):
    """A name's existence does not show in the time a failed sign-in takes (under 20 % apart)."""
    for number in range(6):
        make_user(app, f"known{number}")
    check_password(None, "warm up")  # the stand-in hash is made once per process
    known, unknown = [], []
    for number in range(6):  # interleaved, so that a burst of other work hits both alike
        known.append(_timed_login(client, f"known{number}", "not the password"))
        unknown.append(_timed_login(client, f"nobody{number}", "not the password"))
    slow, fast = max(statistics.median(known), statistics.median(unknown)), \
        min(statistics.median(known), statistics.median(unknown))
    assert (slow - fast) / slow < 0.20, (known, unknown)


def test_a_wrong_password_is_still_refused_and_the_right_one_accepted(app, client):
    make_user(app)
    assert login(client, "ada", "not the password").status_code == 200
    assert login(client).status_code == 302


def test_an_old_hash_with_other_parameters_still_checks():
    old = generate_password_hash("correct horse battery", method="pbkdf2:sha256")
    assert check_password(old, "correct horse battery")
    assert not check_password(old, "wrong")


@pytest.fixture
def gevent_server(tmp_path):
    """``quiz serve`` with one gevent worker; yields its URL."""
    env = {**os.environ, "QUIZ_SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'quiz.sqlite3'}",
           "QUIZ_SECRET_KEY": "gevent-hash-test"}
    subprocess.run([QUIZ, "db", "upgrade"], env=env, cwd=tmp_path, check=True, capture_output=True)
    log = tmp_path / "serve.log"
    with log.open("wb") as said:
        process = subprocess.Popen([QUIZ, "serve", "--port", "0", "--workers", "1", "--access-log", ""],
                                   env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=said)
    try:
        yield up_at(log, process)
    finally:
        process.terminate()
        process.wait(timeout=15)


@pytest.mark.slow  # a real gevent server
def test_healthz_stays_fast_while_logins_hash_in_a_gevent_worker(gevent_server):
    """Sixteen sign-ins at once in one gevent worker: /healthz is answered while they hash."""
    one_hash = min(_seconds(check_password, generate_password_hash("x"), "y") for _ in range(3))
    clients = [httpx.Client(base_url=gevent_server, timeout=60) for _ in range(16)]
    forms = [{"csrf_token": TOKEN.search(c.get("/login").text).group(1), "name": f"nobody{n}",
              "password": "not the password"} for n, c in enumerate(clients)]
    logins = [threading.Thread(target=c.post, args=("/login",), kwargs={"data": form})
              for c, form in zip(clients, forms, strict=True)]
    latencies = []
    with httpx.Client(base_url=gevent_server, timeout=60) as probe:
        probe.get("/healthz")
        for thread in logins:
            thread.start()
        time.sleep(one_hash / 2)
        while any(thread.is_alive() for thread in logins):
            latencies.append(_seconds(probe.get, "/healthz"))
            time.sleep(0.02)
    for thread in logins:
        thread.join()
    for c in clients:
        c.close()
    # Hashing on the event loop made a probe wait for every hash queued before it (a second or more):
    # now a probe shares the cores with the hashing threads, no more.
    assert len(latencies) >= 3, latencies
    assert statistics.median(latencies) < one_hash / 2, (one_hash, latencies)
    assert max(latencies) < 4 * one_hash, (one_hash, latencies)


def _seconds(work, *args) -> float:
    start = time.perf_counter()
    work(*args)
    return time.perf_counter() - start
