"""Running a session: End asks first, Play again, one player's answers, and a CSV that Excel reads right."""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import threading
import time
from datetime import timedelta

from markupsafe import escape
from sqlalchemy import select

from quiz.extensions import db
from quiz.live.models import LivePlayer, LiveSession
from tests.helpers.clock import T0
from tests.helpers.forms import token_in
from tests.helpers.live import act, create, join, right, send, started, state, wrong
from tests.helpers.sessions import sign_in


def _kick(app, host, session_id: int, nickname: str, done: list[float]) -> None:
    with app.app_context():
        player_id = db.session.scalar(select(LivePlayer.id).where(LivePlayer.nickname == nickname))
    body = host.get(f"/live/{session_id}/host").get_data(as_text=True)
    host.post(f"/live/{session_id}/players/{player_id}/kick", data={"csrf_token": token_in(body)})
    done.append(time.monotonic())  # the removal is committed


def test_a_removed_phone_hears_it_on_its_open_stream_at_once(synced, host):
    """A phone's stream wakes for new versions only, so a removal must make one (it used to make none)."""
    synced.config.update(LIVE_WATCH_INTERVAL=0.02, LIVE_HEARTBEAT_SECONDS=0.5, LIVE_STREAM_SECONDS=3)
    session_id, pin = create(host)
    troll, _ = join(synced, pin, "Troll")
    join(synced, pin, "Ann")
    response = troll.get(f"/live/{pin}/events", buffered=False)
    chunks = iter(response.response)
    next(chunks)  # the lobby, as the stream opens
    kicked_at: list[float] = []
    kicker = threading.Timer(0.1, _kick, (synced, host, session_id, "Troll", kicked_at))
    kicker.start()
    told = None
    try:
        for chunk in chunks:  # bounded: the stream lasts LIVE_STREAM_SECONDS at most
            data = [line[6:] for line in chunk.decode().splitlines() if line.startswith("data: ")]
            if data:
                told, told_at = json.loads(data[0]), time.monotonic()
                break
    finally:
        kicker.join(timeout=2)
        response.close()
        synced.extensions["live_watcher"].stop()
    assert told == {"version": 1, "removed": True}
    assert told_at - kicked_at[0] < 1


def test_end_session_asks_before_it_ends_anything(synced, host):
    session_id, pin, _, _, _ = started(synced, host, "Ann")
    page = host.get(f"/live/{session_id}/host").get_data(as_text=True)
    # Mid-question the End control only leads to the question; no form on the page ends the session.
    assert 'value="finish"' not in page
    assert f'href="/live/{session_id}/host?confirm=end"' in page
    asking = host.get(f"/live/{session_id}/host?confirm=end").get_data(as_text=True)
    assert "End the session now?" in asking and "answers given so far count" in asking
    assert re.search(r'<button[^>]*name="action" value="finish"[^>]*>End now</button>', asking)
    assert f'href="/live/{session_id}/host"' in asking  # Keep playing
    assert state(host, pin)["phase"] == "question"  # asking ended nothing
    version = re.search(r'name="version" value="(\d+)"', asking).group(1)
    host.post(f"/live/{session_id}/act", data={"csrf_token": token_in(asking), "action": "finish",
                                               "version": version})
    assert state(host, pin)["phase"] == "finished"


def test_play_again_opens_a_new_lobby_with_the_same_questions_and_settings(synced, host, clock):
    session_id, pin = create(host, count="3", seconds="45", points="double", show_on_devices="",
                             title="Monday quiz")
    join(synced, pin, "Ann")
    act(host, session_id, "finish")
    podium = host.get(f"/live/{session_id}/host").get_data(as_text=True)
    assert "Play again" in podium
    again = host.post(f"/live/{session_id}/again", data={"csrf_token": token_in(podium)})
    assert again.status_code == 303
    new_id = int(re.search(r"/live/(\d+)/host", again.headers["Location"]).group(1))
    with synced.app_context():
        old, new = db.session.get(LiveSession, session_id), db.session.get(LiveSession, new_id)
        assert new.id != old.id and new.pin != old.pin and new.phase == "lobby"
        assert new.question_ids == old.question_ids and new.title == "Monday quiz"
        keep = ("seconds", "points", "show_on_devices", "shuffle")
        assert {k: new.settings[k] for k in keep} == {k: old.settings[k] for k in keep} == {
            "seconds": 45, "points": "double", "show_on_devices": False, "shuffle": True}
        assert db.session.scalar(select(LivePlayer).where(LivePlayer.session_id == new_id)) is None


def test_play_again_of_a_default_title_names_the_new_day(synced, host, clock):
    session_id, _ = create(host, banks=["ch01-concepts"])
    act(host, session_id, "finish")
    clock.now = T0 + timedelta(days=7)
    body = host.get(f"/live/{session_id}/host").get_data(as_text=True)
    again = host.post(f"/live/{session_id}/again", data={"csrf_token": token_in(body)})
    new_id = int(re.search(r"/live/(\d+)/host", again.headers["Location"]).group(1))
    with synced.app_context():
        assert db.session.get(LiveSession, new_id).title.endswith("· 9 Mar 2026")


def test_only_the_host_plays_a_session_again(synced, host):
    session_id, _ = create(host)
    other = synced.test_client()
    sign_in(synced, other, "colleague", is_instructor=True)
    body = other.get("/live").get_data(as_text=True)
    assert other.post(f"/live/{session_id}/again", data={"csrf_token": token_in(body)}).status_code == 404


def test_the_results_open_every_answer_of_one_player(synced, host, clock):
    session_id, pin, phones, index, data = started(synced, host, "Ann", "Bob", count="2")
    clock.now = T0 + timedelta(seconds=3)
    send(phones["Ann"], pin, index, choice=wrong(data))
    send(phones["Bob"], pin, index, choice=right(data))
    act(host, session_id, "finish")
    with synced.app_context():
        ann_id = db.session.scalar(select(LivePlayer.id).where(LivePlayer.nickname == "Ann"))
    results = host.get(f"/live/{session_id}/results").get_data(as_text=True)
    assert f'href="/live/{session_id}/results/players/{ann_id}">Ann</a>' in results
    sheet = host.get(f"/live/{session_id}/results/players/{ann_id}").get_data(as_text=True)
    rows = re.findall(r"<tr class=\"is-(correct|wrong)\">(.*?)</tr>", sheet, re.S)
    assert len(rows) == 2  # both questions, answered or not
    assert str(escape(wrong(data))) in rows[0][1] and "3.0 s" in rows[0][1] and "wrong" in rows[0][1]
    assert "no answer" in rows[1][1]
    assert "0 of 2 right" in sheet


def test_a_player_sheet_is_the_hosts_alone_and_of_that_session(synced, host):
    session_id, _ = create(host)
    other_id, other_pin = create(host)
    join(synced, other_pin, "Cy")
    with synced.app_context():
        cy_id = db.session.scalar(select(LivePlayer.id).where(LivePlayer.nickname == "Cy"))
    assert host.get(f"/live/{session_id}/results/players/{cy_id}").status_code == 404
    assert host.get(f"/live/{other_id}/results/players/{cy_id}").status_code == 200
    stranger = synced.test_client()
    sign_in(synced, stranger, "colleague", is_instructor=True)
    assert stranger.get(f"/live/{other_id}/results/players/{cy_id}").status_code == 404


def test_the_results_csv_starts_with_a_byte_order_mark_for_excel(synced, host, clock):
    session_id, pin, phones, index, data = started(synced, host, "Zoë", "Łukasz", count="1")
    send(phones["Zoë"], pin, index, choice=right(data))
    act(host, session_id, "finish")
    body = host.get(f"/live/{session_id}/results.csv").get_data()
    assert body.startswith(codecs.BOM_UTF8)
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert [row["nickname"] for row in rows] == ["Zoë", "Łukasz"]
