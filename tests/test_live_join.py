"""Joining a game: the short /join address, one PIN field, then the nickname; the link in every header."""

from __future__ import annotations

import re

from tests.helpers.forms import token_in
from tests.helpers.live import act, create, join


def test_every_page_header_links_to_join_a_game(synced, client):
    for path in ("/", "/study", "/login"):
        body = client.get(path).get_data(as_text=True)
        assert re.search(r'<a class="nav-join" href="/join">Join a game</a>', body), path


def test_join_asks_for_the_pin_first_in_one_large_numeric_field(synced, client):
    assert client.get("/join").headers["Location"] == "/live/join"
    page = client.get("/live/join")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert re.search(r'<input[^>]*id="pin"[^>]*inputmode="numeric"', body)
    assert 'id="nickname"' not in body  # the nickname comes second
    assert 'class="site-header"' not in body  # a phone's page: nothing to tap away to


def test_a_pin_in_the_url_skips_to_the_nickname(synced, host):
    _, pin = create(host, title="Friday revision")
    phone = synced.test_client()
    assert phone.get(f"/join?pin={pin}").headers["Location"] == f"/live/join?pin={pin}"
    body = phone.get(f"/live/join?pin={pin}").get_data(as_text=True)
    assert 'id="nickname"' in body and f'name="pin" value="{pin}"' in body
    assert "Friday revision" in body
    # Typed with a space, as the presenter shows it grouped, it is the same PIN.
    spaced = phone.get(f"/live/join?pin={pin[:3]}+{pin[3:]}").get_data(as_text=True)
    assert 'id="nickname"' in spaced


def test_a_wrong_pin_stays_on_the_pin_step_and_says_so(synced, host):
    create(host)
    phone = synced.test_client()
    for wrong in ("123", "abcdef", "999999"):
        page = phone.get(f"/live/join?pin={wrong}")
        body = page.get_data(as_text=True)
        assert page.status_code == 400 and "No running session has that PIN" in body
        assert 'id="nickname"' not in body and 'aria-invalid="true"' in body


def test_a_finished_session_takes_nobody_and_a_player_in_goes_back_to_the_game(synced, host):
    session_id, pin = create(host)
    ann, joined = join(synced, pin, "Ann")
    assert joined.headers["Location"] == f"/live/{pin}/play"
    again = ann.get(f"/live/join?pin={pin}")  # the QR code scanned a second time
    assert again.status_code == 303 and again.headers["Location"] == f"/live/{pin}/play"
    act(host, session_id, "finish")
    late = synced.test_client()
    page = late.get(f"/live/join?pin={pin}")
    assert page.status_code == 400 and "No running session" in page.get_data(as_text=True)


def test_a_locked_session_says_so_at_the_nickname_step(synced, host):
    session_id, pin = create(host)
    body = host.get(f"/live/{session_id}/host").get_data(as_text=True)
    host.post(f"/live/{session_id}/lock", data={"csrf_token": token_in(body), "locked": "on"})
    page = synced.test_client().get(f"/live/join?pin={pin}")
    assert page.status_code == 400 and "locked this session" in page.get_data(as_text=True)
