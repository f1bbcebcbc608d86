"""Serving a class: where phones join (PUBLIC_URL, else the network address), trusted hosts, serve's words."""

from __future__ import annotations

import re

import pytest

from quiz import create_app, hosts, network
from quiz.extensions import db
from quiz.live.address import GIVEN, LOOPBACK_ONLY, NETWORK, NO_NETWORK, REQUEST, join_address
from quiz.serve import announcement
from tests.helpers.live import create
from tests.helpers.sessions import sign_in

QR_URL = re.compile(r'aria-label="QR code that opens ([^"]+)"')


@pytest.fixture
def classroom(tmp_path, content_dir):
    """Make an app with these settings (on its own database, banks synced) and an instructor's client."""
    made = []

    def make(**settings):
        app = create_app({"TESTING": True, "SECRET_KEY": "k", "CONTENT_DIR": str(content_dir),
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / f'quiz{len(made)}.sqlite3'}",
                          **settings}, instance_path=tmp_path / "instance")
        with app.app_context():
            db.create_all()
        assert app.test_cli_runner().invoke(args=["content", "sync"]).exit_code == 0
        made.append(app)
        host = app.test_client()
        sign_in(app, host, "teacher", is_instructor=True)
        return app, host

    yield make
    for app in made:
        with app.app_context():
            db.engine.dispose()


def _lobby(host, session_id: int, host_header: str = "localhost") -> str:
    """The presenter's lobby as opened at ``host_header`` (signed in there too)."""
    cookie = host.get_cookie("session", domain="localhost")
    host.set_cookie("session", cookie.value, domain=host_header.rsplit(":", 1)[0])
    page = host.get(f"/live/{session_id}/host", headers={"Host": host_header})
    assert page.status_code == 200, page.status_code
    return page.get_data(as_text=True)


def test_a_lobby_opened_over_loopback_sends_phones_to_the_network_address(classroom):
    _, host = classroom(MACHINE_ADDRESSES=["192.0.2.50", "198.51.100.7"])
    session_id, pin = create(host)
    body = _lobby(host, session_id, "127.0.0.1:5000")
    assert QR_URL.search(body).group(1) == f"http://192.0.2.50:5000/live/join?pin={pin}"
    assert '<strong class="join-url">192.0.2.50:5000/join</strong>' in body
    assert ("this machine's network address, http://192.0.2.50:5000, since this page is open at "
            "127.0.0.1:5000") in body


def test_public_url_fixes_the_join_address_whatever_the_page_was_opened_at(classroom):
    _, host = classroom(PUBLIC_URL="https://quiz.example.org/", MACHINE_ADDRESSES=["192.0.2.50"])
    session_id, pin = create(host)
    for opened_at in ("localhost", "192.0.2.50:8000", "quiz.example.org"):
        body = _lobby(host, session_id, opened_at)
        assert QR_URL.search(body).group(1) == f"https://quiz.example.org/live/join?pin={pin}", opened_at
        assert '<strong class="join-url">quiz.example.org/join</strong>' in body


def test_a_forged_host_is_refused_and_never_reaches_a_join_link(classroom):
    _, host = classroom(MACHINE_ADDRESSES=["192.0.2.50"])
    session_id, _ = create(host)
    for path in (f"/live/{session_id}/host", "/live/join", "/"):
        response = host.get(path, headers={"Host": "evil.example"})
        body = response.get_data(as_text=True)
        assert response.status_code == 400, path
        assert "evil.example" not in body
        assert "does not answer to that address" in body and 'class="site-header"' in body  # the layout
    json = host.get("/live/join", headers={"Host": "evil.example", "Accept": "application/json"})
    assert json.status_code == 400 and json.get_json()["status"] == 400
    # The machine's own address, as a phone on the network sends it, is served.
    assert _lobby(host, session_id, "192.0.2.50:5000").count("192.0.2.50:5000/join") == 1


def test_a_server_bound_to_loopback_says_phones_cannot_reach_it(classroom):
    app, host = classroom(BIND_HOST="127.0.0.1", MACHINE_ADDRESSES=["192.0.2.50"])
    assert app.config["TRUSTED_HOSTS"] == ["127.0.0.1", "localhost"]
    session_id, _ = create(host)
    body = _lobby(host, session_id, "127.0.0.1:5000")
    assert "listens on 127.0.0.1:5000 only, so phones cannot reach it" in body and "make serve" in body
    assert host.get("/", headers={"Host": "192.0.2.50:5000"}).status_code == 400


def test_trusted_hosts_come_from_the_public_url_and_the_addresses_served(tmp_path):
    def trusted(**settings):
        return create_app({"SECRET_KEY": "k", **settings}, instance_path=tmp_path).config["TRUSTED_HOSTS"]

    assert trusted(BIND_HOST="0.0.0.0", MACHINE_ADDRESSES=["192.0.2.50"],
                   PUBLIC_URL="http://quiz.example.org:8000") == [
        "quiz.example.org", "127.0.0.1", "localhost", "192.0.2.50"]
    assert trusted(BIND_HOST="192.0.2.50", MACHINE_ADDRESSES=["192.0.2.50", "198.51.100.7"]) == ["192.0.2.50"]
    assert trusted(MACHINE_ADDRESSES=["192.0.2.50"]) == ["127.0.0.1", "localhost", "192.0.2.50"]  # quiz run
    assert trusted(TRUSTED_HOSTS=["quiz.internal"]) == ["quiz.internal"]  # set outright, it stands


def test_a_public_url_without_a_host_adds_no_none_to_the_trusted_hosts():
    assert hosts.trusted_hosts("http://", ["127.0.0.1"]) == ["127.0.0.1"]


@pytest.mark.parametrize("value", ["quiz.example.org", "ftp://quiz.example.org", "http://quiz.example.org/quiz",
                                   "http://", "http://quiz.example.org/?pin=1"])
def test_a_public_url_that_is_not_an_origin_stops_the_app_with_the_reason(value):
    with pytest.raises(ValueError, match="PUBLIC_URL must look like"):
        hosts.check_public_url(value)


@pytest.mark.parametrize("public, host, bind, machine, origin, source", [
    ("https://q.example.org", "127.0.0.1:8000", None, ["192.0.2.5"], "https://q.example.org", GIVEN),
    (None, "192.0.2.5:8000", None, ["192.0.2.5"], "http://192.0.2.5:8000", REQUEST),
    (None, "localhost:8000", "0.0.0.0", ["192.0.2.5", "10.0.0.2"], "http://192.0.2.5:8000", NETWORK),
    (None, "[::1]:8000", None, ["192.0.2.5"], "http://192.0.2.5:8000", NETWORK),
    (None, "127.0.0.1", None, ["192.0.2.5"], "http://192.0.2.5", NETWORK),
    (None, "127.0.0.1:5000", "127.0.0.1", ["192.0.2.5"], "http://127.0.0.1:5000", LOOPBACK_ONLY),
    (None, "127.0.0.1:5000", None, [], "http://127.0.0.1:5000", NO_NETWORK),
])
def test_where_phones_join(public, host, bind, machine, origin, source):
    found = join_address(public, "http", host, bind, machine)
    assert (found.origin, found.source) == (origin, source)


def test_the_machine_addresses_are_its_own_and_never_loopback():
    found = network.machine_addresses()
    assert all(not network.is_loopback(a) and not a.startswith("169.254.") for a in found)
    assert all(network.is_loopback(name) for name in ("localhost", "127.0.1.1", "[::1]"))
    assert not network.is_loopback("192.0.2.5") and not network.is_loopback("quiz.example.org")


def test_serve_says_where_phones_join_and_where_the_presenter_opens():
    lines = announcement("0.0.0.0", 8000, None, ["192.0.2.5", "10.0.0.2"])
    assert "  http://192.0.2.5:8000/join" in lines and "  http://10.0.0.2:8000/join" in lines
    assert any("presenter on this machine at http://127.0.0.1:8000/live" in line for line in lines)
    public = announcement("0.0.0.0", 8000, "https://quiz.example.org", ["192.0.2.5"])
    assert any("Phones join at https://quiz.example.org/join" in line for line in public)
    alone = announcement("127.0.0.1", 8000, None, ["192.0.2.5"])
    assert any("phones cannot reach it" in line and "--host 0.0.0.0" in line for line in alone)
    assert not any("192.0.2.5" in line for line in alone)
    offline = announcement("0.0.0.0", 8000, None, [])
    assert any("no network address" in line for line in offline)
