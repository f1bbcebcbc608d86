"""Sessions have a title: given, or the banks' titles and the date; shown in the lobby, results and list."""

from __future__ import annotations

from datetime import date

import pytest

from quiz.extensions import db
from quiz.live import opening
from quiz.live.models import LiveSession
from tests.helpers.forms import token_in
from tests.helpers.live import create


def _title(app, session_id: int) -> str:
    with app.app_context():
        return db.session.get(LiveSession, session_id).title


def test_a_session_without_a_title_is_named_after_its_banks_and_the_day(synced, host):
    session_id, _ = create(host, banks=["ch01-concepts"])
    assert _title(synced, session_id) == "Virtualization concepts: comparisons and reasoning · 2 Mar 2026"


def test_a_given_title_shows_in_the_lobby_the_list_and_the_results(synced, host):
    session_id, _ = create(host, title="  Week 3   revision ")
    assert _title(synced, session_id) == "Week 3 revision"
    for path in (f"/live/{session_id}/host", "/live", f"/live/{session_id}/results"):
        assert "Week 3 revision" in host.get(path).get_data(as_text=True), path


def test_a_title_too_long_or_with_control_characters_is_refused(synced, host):
    body = host.get("/live").get_data(as_text=True)
    for title, message in (("x" * 121, "at most 120 characters"), ("a\x07b", "control characters")):
        response = host.post("/live", data={"csrf_token": token_in(body), "count": "2", "seconds": "20",
                                            "points": "standard", "title": title}, follow_redirects=True)
        assert message in response.get_data(as_text=True)
    with synced.app_context():
        assert db.session.query(LiveSession).count() == 0


@pytest.mark.parametrize("titles, expected", [
    (["A"], "A · 9 Jan 2027"),
    (["A", "B"], "A, B · 9 Jan 2027"),
    (["x" * 70, "y" * 70], f"{'x' * 60} and 1 more · 9 Jan 2027"),
])
def test_default_titles_fit_the_column(titles, expected):
    made = opening.default_title(titles, date(2027, 1, 9))
    assert made == expected and len(made) <= opening.TITLE_MAX
