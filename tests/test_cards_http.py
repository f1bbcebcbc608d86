"""Flashcard pages through the test client, CSRF on, on an injected clock."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from quiz.cards import queue, service
from quiz.cards import scheduler as fsrs
from quiz.extensions import db
from quiz.models import Card, CardState, Question, Review, User, utcnow
from tests.helpers.forms import TOKEN
from tests.helpers.sessions import sign_in

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
REVEAL = re.compile(r'href="(/cards\?card=(\d+)&amp;show=1)"')


class Clock:
    """A clock that stands still until a test moves it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(synced) -> Clock:
    """The app's clock, fixed at T0."""
    fixed = Clock(T0)
    synced.config["CLOCK"] = fixed
    return fixed


@pytest.fixture
def learner(synced, client, clock) -> int:
    """A signed-in learner on the client; their id."""
    return sign_in(synced, client)


def text(response) -> str:
    """The body of a response."""
    return response.get_data(as_text=True)


def get(client, url: str) -> str:
    """The body of a page that must answer 200."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return text(response)


def front(client) -> tuple[str, int, str]:
    """The review page on a card's front: its body, the card id and the reveal link."""
    body = get(client, "/cards")
    found = REVEAL.search(body)
    assert found, "no card to reveal"
    return body, int(found.group(2)), unescape(found.group(1))


def back(client) -> tuple[str, int, dict]:
    """Reveal the next card: the back page, the card id and its rating form's fields."""
    _, card_id, link = front(client)
    body = get(client, link)
    fields = {"csrf_token": TOKEN.search(body).group(1),
              "version": re.search(r'name="version" value="(\d+)"', body).group(1)}
    return body, card_id, fields


def reviews(app, user_id: int | None = None) -> int:
    """How many reviews are logged, for one learner or for all."""
    with app.app_context():
        query = select(func.count()).select_from(Review)
        if user_id is not None:
            query = query.where(Review.user_id == user_id)
        return db.session.scalar(query)


def state(app, user_id: int, card_id: int) -> CardState | None:
    """A learner's state of a card, detached from the session."""
    with app.app_context():
        found = queue.state_of(db.session, user_id, card_id)
        if found is not None:
            db.session.expunge(found)
        return found


# --------------------------------------------------------------------- pages


def test_cards_and_settings_need_an_account(client, synced):
    for url in ("/cards", "/cards/stats", "/settings"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_front_then_the_back_with_the_quote_and_four_intervals(client, learner):
    body, card_id, link = front(client)
    assert "What is this?" in body and '<p class="flashcard-text is-term">Virtualization</p>' in body
    assert re.search(r"<strong>10</strong> new", body)
    assert 'name="rating"' not in body  # no rating before the answer is seen
    assert "A wrong answer in a quiz brings that concept" in body  # the rule, on the page
    page = get(client, link)
    assert 'class="flashcard-back"' in page
    with client.application.app_context():
        card = db.session.get(Card, card_id)
        quote = card.concept.quote
    assert f"<blockquote>{escape(quote)}</blockquote>" in page
    buttons = re.findall(r'data-rating="(\d)">\s*<span class="rate-name">(\w+)</span>\s*<span '
                         r'class="rate-interval"><span class="visually-hidden">, next in </span>([^<]+)<',
                         page)
    assert buttons == [("1", "Again", "1m"), ("2", "Hard", "6m"), ("3", "Good", "10m"), ("4", "Easy", "8d")]


def test_show_reveals_only_the_card_whose_front_was_seen(client, learner, synced):
    _, card_id, fields = back(client)
    client.post(f"/cards/{card_id}/rate", data={**fields, "rating": "4"})  # due in 8 days
    body = get(client, f"/cards?card={card_id}&show=1")
    assert 'class="flashcard-back"' not in body  # another card took its place: its front first
    assert REVEAL.search(body).group(2) != str(card_id)


def test_rating_goes_to_the_next_card_and_is_logged(client, learner, synced):
    _, card_id, fields = back(client)
    response = client.post(f"/cards/{card_id}/rate", data={**fields, "rating": "3"})
    assert response.status_code == 303 and response.headers["Location"] == "/cards"
    assert state(synced, learner, card_id).state == fsrs.LEARNING
    body, next_id, _ = front(client)
    assert next_id != card_id
    assert re.search(r"<strong>9</strong> new", body) and re.search(r"<strong>1</strong> learning", body)
    assert "Undo the last rating" in body


def test_a_double_submit_is_counted_once(client, learner, synced):
    _, card_id, fields = back(client)
    first = client.post(f"/cards/{card_id}/rate", data={**fields, "rating": "4"})
    again = client.post(f"/cards/{card_id}/rate", data={**fields, "rating": "4"})
    assert first.status_code == again.status_code == 303
    assert reviews(synced) == 1
    assert "counted once" in get(client, "/cards")


def test_ratings_that_are_not_yours_not_due_or_malformed_are_refused(client, learner, synced):
    _, card_id, fields = back(client)
    assert client.post(f"/cards/{card_id}/rate", data={**fields, "rating": "4"}).status_code == 303
    fresh = {**fields, "version": "1"}
    # Not due: the card went to review 8 days away; a forged form with the right version.
    response = client.post(f"/cards/{card_id}/rate", data={**fresh, "rating": "3"})
    assert response.status_code == 409 and "not due" in text(response)
    assert client.post("/cards/999999/rate", data={**fresh, "rating": "3"}).status_code == 404
    for bad in ({"rating": "5"}, {"rating": "x"}, {"rating": ""}):
        assert client.post(f"/cards/{card_id}/rate", data={**fresh, **bad}).status_code == 400
    no_token = {k: v for k, v in fresh.items() if k != "csrf_token"}
    assert client.post(f"/cards/{card_id}/rate", data={**no_token, "rating": "3"}).status_code == 400
    # Another learner replaying this learner's form: their own state has another version.
    other = synced.test_client()
    other_id = sign_in(synced, other, "eve", new_cards_per_day=0)
    token = TOKEN.search(get(other, "/cards")).group(1)
    response = other.post(f"/cards/{card_id}/rate", data={"csrf_token": token, "version": "1", "rating": "1"})
    assert response.status_code == 303
    assert reviews(synced, other_id) == 0 and state(synced, other_id, card_id) is None
    response = other.post(f"/cards/{card_id}/rate", data={"csrf_token": token, "version": "0", "rating": "1"})
    assert response.status_code == 409  # a new card, but eve takes no new cards a day
    assert reviews(synced) == 1 and state(synced, learner, card_id).reps == 1


def test_undo_shows_the_card_again_and_only_once(client, learner, synced):
    _, card_id, fields = back(client)
    client.post(f"/cards/{card_id}/rate", data={**fields, "rating": "1"})
    body = get(client, "/cards")
    review_id = re.search(r'name="review" value="(\d+)"', body).group(1)
    token = TOKEN.search(body).group(1)
    response = client.post("/cards/undo", data={"csrf_token": token, "review": review_id})
    assert response.status_code == 303 and response.headers["Location"] == f"/cards?card={card_id}"
    assert reviews(synced) == 0 and state(synced, learner, card_id).state == fsrs.NEW
    assert f"card={card_id}&amp;show=1" in get(client, f"/cards?card={card_id}")
    again = client.post("/cards/undo", data={"csrf_token": token, "review": review_id})
    assert again.status_code == 303 and "only your last rating" in get(client, "/cards").lower()
    assert state(synced, learner, card_id).version == 2


def test_done_for_today_says_when_the_next_card_is_due(client, synced, clock):
    sign_in(synced, client, "bo", new_cards_per_day=2)
    for _ in range(2):
        _, card_id, fields = back(client)
        client.post(f"/cards/{card_id}/rate", data={**fields, "rating": "4"})
    body = get(client, "/cards")
    assert "Done for today" in body and not REVEAL.search(body)
    assert "Your next new cards arrive <strong>tomorrow at 00:00 (in 15 hours)</strong>" in body
    with synced.app_context():
        user = db.session.scalar(select(User).where(User.name == "bo"))
        service.update_settings(db.session, user, "UTC", 0.9, 0)
        db.session.commit()
    when = "on Tuesday 10 March at 09:00 (in 8 days)"
    assert f"The next card is due <strong>{when}</strong>" in get(client, "/cards")
    clock.now = T0 + timedelta(days=8)
    assert REVEAL.search(get(client, "/cards"))  # due again, on the clock, without waiting


# ------------------------------------------------------- quizzes move the cards


def quiz_wrong_answer(client, concept: str) -> str:
    """Take a one-question short-answer quiz on the concept and answer it wrong; the feedback page."""
    body = get(client, "/study")
    response = client.post("/study", data={"csrf_token": TOKEN.search(body).group(1), "concepts": concept,
                                           "types": "short", "count": "1", "order": "in-order"})
    assert response.status_code == 302, text(response)
    url = response.headers["Location"]
    page = get(client, url)
    response = client.post(url, data={"csrf_token": TOKEN.search(page).group(1), "answer": "no idea"})
    assert response.status_code == 302
    feedback = get(client, url)
    assert "Not quite" in feedback
    return feedback


def test_a_wrong_quiz_answer_makes_the_concept_cards_due_now(client, synced):
    # The quiz records answers on the real clock; the cards read theirs a minute later.
    synced.config["CLOCK"] = Clock(utcnow() + timedelta(minutes=1))
    user_id = sign_in(synced, client, "cy", new_cards_per_day=0)
    assert "Done for today" in get(client, "/cards")
    feedback = quiz_wrong_answer(client, "paravirtualization")
    assert "makes the flashcards of" in feedback and 'href="/cards"' in feedback
    with synced.app_context():
        expected = service.concept_card_ids(db.session, ["paravirtualization"])
        tested = db.session.scalars(select(Question.id).where(Question.type == "short")).all()
        assert expected and tested
    body, card_id, _ = front(client)
    assert card_id in expected
    assert "Brought forward by a wrong quiz answer" in body
    assert f"<strong>{len(expected)}</strong> new" in body  # beyond the limit of none a day
    with synced.app_context():
        moved = db.session.scalars(select(CardState.card_id).where(
            CardState.user_id == user_id, CardState.pushed_at.is_not(None))).all()
    assert set(expected) <= set(moved)


def test_the_statistics_page_counts_cards_a_wrong_answer_brought_forward(client, synced):
    synced.config["CLOCK"] = Clock(utcnow() + timedelta(minutes=1))
    sign_in(synced, client, "di", new_cards_per_day=0)
    assert "Today: 0 new, 0 learning and 0 due." in get(client, "/cards/stats")
    quiz_wrong_answer(client, "paravirtualization")
    with synced.app_context():
        expected = service.concept_card_ids(db.session, ["paravirtualization"])
    # The statistics page is the first the learner opens: the cards catch up there, once.
    assert f"Today: {len(expected)} new, 0 learning and 0 due." in get(client, "/cards/stats")
    assert f"<strong>{len(expected)}</strong> new" in get(client, "/cards")


def test_a_right_quiz_answer_or_a_visitor_moves_no_card(client, synced, clock):
    feedback = quiz_wrong_answer(client, "host")  # a visitor: no account, no cards, no error
    assert "makes the flashcards of" not in feedback
    with synced.app_context():
        assert db.session.scalar(select(func.count()).select_from(CardState)) == 0


# ------------------------------------------------------------------ settings


def settings_form(client) -> dict:
    """The settings page's fields, with its token and the default values."""
    body = get(client, "/settings")
    assert "Desired retention" in body and "review about" in body
    return {"csrf_token": TOKEN.search(body).group(1), "time_zone": "UTC",
            "desired_retention": "0.90", "new_cards_per_day": "10"}


def test_settings_are_saved_and_bad_values_explained(client, learner, synced):
    form = settings_form(client)
    response = client.post("/settings", data={**form, "time_zone": "Europe/Paris",
                                              "desired_retention": "0.85", "new_cards_per_day": "4"})
    assert response.status_code == 303
    with synced.app_context():
        user = db.session.get(User, learner)
        assert (user.time_zone, user.desired_retention, user.new_cards_per_day) == ("Europe/Paris", 0.85, 4)
    assert 'value="Europe/Paris"' in get(client, "/settings")
    for field, value, message in (("time_zone", "Mars/Base", "not a time zone name"),
                                  ("desired_retention", "0.99", "Choose from 0.70 to 0.97"),
                                  ("desired_retention", "0.5", "Choose from 0.70 to 0.97"),
                                  ("new_cards_per_day", "-1", "Choose from 0 to 500")):
        response = client.post("/settings", data={**form, field: value})
        assert response.status_code == 400 and message in text(response), (field, value)
    with synced.app_context():
        assert db.session.get(User, learner).time_zone == "Europe/Paris"


def test_the_browser_time_zone_can_be_adopted_from_the_review_page(client, learner, synced):
    body = get(client, "/cards")
    assert "data-zone-offer" in body and "hidden" in body  # offered only by the script
    token = TOKEN.search(body).group(1)
    response = client.post("/settings/time-zone", data={"csrf_token": token, "time_zone": "Asia/Tokyo"})
    assert response.status_code == 303
    assert "Your days now follow Asia/Tokyo" in get(client, "/cards")
    client.post("/settings/time-zone", data={"csrf_token": token, "time_zone": "Nowhere"})
    with synced.app_context():
        assert db.session.get(User, learner).time_zone == "Asia/Tokyo"


# ---------------------------------------------------------------- statistics


def test_statistics_draw_the_charts(client, learner, synced, clock):
    for rating in ("4", "3", "1"):
        _, card_id, fields = back(client)
        client.post(f"/cards/{card_id}/rate", data={**fields, "rating": rating})
    body = get(client, "/cards/stats")
    assert body.count('role="img"') == 2 and 'class="chart-bar"' in body
    assert "3 ratings in 30 days" in body
    assert "No reviews of review cards yet." in body  # true retention counts review-state cards only
    assert re.search(r"<th scope=\"row\">Virtualization</th>\s*<td class=\"num\">\d+</td>", body)
    clock.now = T0 + timedelta(days=8, hours=1)
    for _ in range(3):  # the two learning cards, then the review card
        _, card_id, fields = back(client)
        client.post(f"/cards/{card_id}/rate", data={**fields, "rating": "3"})
    body = get(client, "/cards/stats")
    assert "<strong>100.0%</strong>" in body and "1 passed of 1" in body
