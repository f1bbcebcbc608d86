"""Who may follow a live session: its seated players and its host; two streams a player; none past the cap."""

from __future__ import annotations

import pytest

from quiz.live import watcher as watching
from tests.helpers.live import act, create, join
from tests.helpers.streams import state_events

JSON = {"Accept": "application/json"}


@pytest.fixture
def fast(synced):
    """Short streams and heartbeats; the watcher stopped after the test."""
    synced.config.update(LIVE_WATCH_INTERVAL=0.02, LIVE_HEARTBEAT_SECONDS=0.2, LIVE_STREAM_SECONDS=3)
    yield synced
    found = synced.extensions.get("live_watcher")
    if found is not None:
        found.stop()


def test_a_stranger_with_the_pin_can_neither_stream_nor_read_the_state(fast, host):
    _, pin = create(host)
    join(fast, pin, "Ann")
    stranger = fast.test_client()
    assert stranger.get(f"/live/{pin}/events").status_code == 403
    refused = stranger.get(f"/live/{pin}/state", headers=JSON)
    assert refused.status_code == 403 and "Join with a nickname" in refused.get_json()["error"]
    watcher = fast.extensions.get("live_watcher")
    assert watcher is None or watcher.streams == 0  # nothing was held open for them


def test_players_and_the_host_stream_and_read_the_state(fast, host):
    _, pin = create(host)
    ann, _ = join(fast, pin, "Ann")
    for client in (ann, host):
        assert client.get(f"/live/{pin}/state").status_code == 200
        response = client.get(f"/live/{pin}/events", buffered=False)
        assert response.status_code == 200 and state_events([next(iter(response.response))])
        response.close()


def test_a_player_holds_two_streams_and_a_third_polls_instead(fast, host):
    _, pin = create(host)
    ann, _ = join(fast, pin, "Ann")
    first = ann.get(f"/live/{pin}/events", buffered=False)
    second = ann.get(f"/live/{pin}/events", buffered=False)
    assert first.status_code == second.status_code == 200
    assert ann.get(f"/live/{pin}/events").status_code == 204  # EventSource gives up: the page polls
    assert ann.get(f"/live/{pin}/state").status_code == 200
    bob, _ = join(fast, pin, "Bob")  # someone else's phone is not held back by Ann's
    third = bob.get(f"/live/{pin}/events", buffered=False)
    assert third.status_code == 200
    first.close()  # a tab closed: its place is free again
    again = ann.get(f"/live/{pin}/events", buffered=False)
    assert again.status_code == 200
    for response in (second, third, again):
        response.close()
    assert fast.extensions["live_watcher"].streams == 0


def test_past_the_process_cap_every_new_stream_polls(fast, host):
    _, pin = create(host)
    fast.config["LIVE_MAX_STREAMS"] = 2
    phones = [join(fast, pin, name)[0] for name in ("Ann", "Bob", "Cy")]
    held = [phone.get(f"/live/{pin}/events", buffered=False) for phone in phones[:2]]
    assert [r.status_code for r in held] == [200, 200]
    assert phones[2].get(f"/live/{pin}/events").status_code == 204
    assert phones[2].get(f"/live/{pin}/state").status_code == 200
    for response in held:
        response.close()


def test_a_stopping_process_ends_each_stream_with_a_reconnect_event(fast, host):
    session_id, pin = create(host)
    ann, _ = join(fast, pin, "Ann")
    response = ann.get(f"/live/{pin}/events", buffered=False)
    chunks = iter(response.response)
    assert state_events([next(chunks)])[0]["phase"] == "lobby"
    watching.drain_streams(fast)
    rest = b"".join(chunks).decode()  # the stream ends by itself, at once
    assert "event: reconnect" in rest and "retry: " in rest
    response.close()
    late = ann.get(f"/live/{pin}/events").get_data(as_text=True)  # a stream opened while stopping
    assert late.startswith("retry: ") and "event: reconnect" in late and "event: state" not in late
    assert fast.extensions["live_watcher"].streams == 0
    act(host, session_id, "finish")
