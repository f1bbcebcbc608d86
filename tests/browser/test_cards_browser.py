"""Flashcards in the browser: a keyboard-only review, undo, done for today, statistics, settings."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.helpers.pages import WIDTHS, screenshot, sign_up

try:  # added alongside these tests; run it wherever it is there
    from tests.helpers.pages import assert_accessible
except ImportError:  # pragma: no cover
    def assert_accessible(page) -> None:
        """No axe helper in this checkout: nothing to check."""

pytestmark = pytest.mark.browser
INTERVAL = re.compile(r"^(<1m|\d+m|\d+h|\d+d|\d+(\.\d)?mo|\d+(\.\d)?y)$")




def press_and_wait(page, key: str) -> None:
    """Press a key that leads to another page, and wait for it."""
    with page.expect_navigation():
        page.keyboard.press(key)


def tab_to(page, name: str, limit: int = 40) -> None:
    """Press Tab until the link or button with this text has the focus; each stop shows a ring."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => {
            const el = document.activeElement, style = getComputedStyle(el);
            return {tag: el.tagName, text: (el.innerText || el.value || '').trim(),
                    outline: style.outlineStyle};
        }""")
        if focused["tag"] == "BODY":  # the page itself took the first press
            continue
        assert focused["outline"] != "none", f"no focus ring on {focused['text']!r}"
        if focused["text"].startswith(name):
            return
    pytest.fail(f"{name!r} not reached with {limit} presses of Tab")


def no_overflow(page) -> None:
    """Nothing runs off the side of the screen."""
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def counts(page) -> tuple[int, int, int]:
    """The new, learning and due counts above the card."""
    numbers = page.locator(".review-counts strong").all_inner_texts()
    return tuple(int(n) for n in numbers)


def review_one(page, key: str, *, shots: str | None = None) -> str:
    """Show the back with Space, check the four intervals, rate with a number key; the front's text."""
    text = page.locator(".flashcard-front .flashcard-text").inner_text()
    if shots:
        screenshot(page, f"{shots}-front", full_page=False)
        assert_accessible(page)
    press_and_wait(page, "Space")
    expect(page.locator(".flashcard-back")).to_be_visible()
    expect(page.locator(".flashcard-back blockquote").first).to_be_visible()  # the chapter's words
    labels = [text.split()[-1] for text in page.locator(".rate-interval").all_inner_texts()]
    assert len(labels) == 4 and all(INTERVAL.match(label) for label in labels), labels
    if shots:
        screenshot(page, f"{shots}-back", full_page=False)
        assert_accessible(page)
        no_overflow(page)
    press_and_wait(page, key)
    return text


def test_keyboard_only_review_undo_done_and_statistics(page, live_server):
    """Five cards and more reviewed with Space and 1-4 alone; undo with U; then done, and the charts."""
    name = f"cards-{page.width_name}"
    sign_up(page, live_server, name)
    page.goto(live_server + "/settings")
    page.get_by_label("New cards per day").fill("3")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Settings saved.")).to_be_visible()
    screenshot(page, "cards-settings")
    assert_accessible(page)

    tab_to(page, "Cards")
    press_and_wait(page, "Enter")
    expect(page.get_by_role("heading", name="Flashcards")).to_be_visible()
    assert counts(page) == (3, 0, 0)

    first = review_one(page, "3", shots="cards")  # Good: learning, back in 10 minutes
    assert counts(page) == (2, 1, 0)
    second = review_one(page, "4")  # Easy: days away
    press_and_wait(page, "u")  # undo: the same card comes back
    expect(page.get_by_text("Rating undone")).to_be_visible()
    assert page.locator(".flashcard-front .flashcard-text").inner_text() == second
    assert counts(page) == (2, 1, 0)
    review_one(page, "4")
    review_one(page, "1")  # Again: back in a minute
    assert counts(page) == (0, 2, 0)
    # Nothing else left: the learning cards come early rather than keep the learner waiting.
    review_one(page, "3")
    assert review_one(page, "3") == first  # its second step: now it graduates
    review_one(page, "4")

    expect(page.get_by_role("heading", name="Done for today")).to_be_visible()
    expect(page.locator(".done")).to_contain_text(re.compile(r"(due|arrive) (today|tomorrow|on) .*\(in "))
    assert counts(page) == (0, 0, 0)
    screenshot(page, "cards-done")
    assert_accessible(page)

    tab_to(page, "See your statistics")
    press_and_wait(page, "Enter")
    expect(page.get_by_role("heading", name="Flashcard statistics")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("Ratings given"))).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("Cards falling due"))).to_be_visible()
    assert page.locator(".chart-bar").count() >= 2  # today's ratings, and the coming due days
    expect(page.locator("figcaption").first).to_contain_text("6 in all")
    screenshot(page, "cards-stats")
    assert_accessible(page)
    no_overflow(page)
    if page.width_name == "phone":  # the narrowest phones too
        page.set_viewport_size({"width": 360, "height": 800})
        no_overflow(page)


def test_the_device_time_zone_is_offered_and_adopted(browser, live_server):
    """A browser in Tokyo, in dark mode, is offered its zone on the review page; one key press adopts it."""
    context = browser.new_context(viewport={"width": WIDTHS["desktop"], "height": 900},
                                  timezone_id="Asia/Tokyo", color_scheme="dark")
    page = context.new_page()
    page.width_name = "desktop"
    try:
        sign_up(page, live_server, "cards-tokyo")
        page.goto(live_server + "/cards")
        offer = page.locator("[data-zone-offer]")
        expect(offer).to_be_visible()
        expect(offer).to_contain_text("This device is set to Asia/Tokyo")
        tab_to(page, "Use Asia/Tokyo")
        press_and_wait(page, "Enter")
        expect(page.get_by_text("Your days now follow Asia/Tokyo.")).to_be_visible()
        expect(offer).to_be_hidden()
        press_and_wait(page, "Space")
        expect(page.locator(".flashcard-back")).to_be_visible()
        screenshot(page, "cards-back-dark", full_page=False)
        assert_accessible(page)  # the dark colours keep their contrast
        page.goto(live_server + "/settings")
        expect(page.get_by_label("Time zone")).to_have_value("Asia/Tokyo")
    finally:
        context.close()


def test_a_wrong_quiz_answer_brings_the_concept_cards_forward(page, live_server):
    """With no new cards allowed, a missed quiz question on Host puts Host's cards up for review."""
    sign_up(page, live_server, f"cards-quiz-{page.width_name}")
    page.goto(live_server + "/settings")
    page.get_by_label("New cards per day").fill("0")
    page.get_by_role("button", name="Save settings").click()
    page.goto(live_server + "/cards")
    expect(page.get_by_role("heading", name="Done for today")).to_be_visible()

    page.goto(live_server + "/study")
    page.get_by_role("group", name="Concepts").get_by_role("checkbox", name="Host", exact=True).check()
    page.get_by_role("group", name="Question types").get_by_role("checkbox", name="Short answer").check()
    page.get_by_label("Number of questions").fill("1")
    page.get_by_role("button", name="Start the quiz").click()
    page.get_by_role("textbox").fill("no idea")
    page.get_by_role("button", name="Check answer").click()
    expect(page.get_by_role("heading", name=re.compile("Not quite"))).to_be_visible()

    page.get_by_role("link", name="Cards", exact=True).click()
    expect(page.locator(".badge-pushed")).to_contain_text("Brought forward by a wrong quiz answer")
    assert counts(page)[0] > 0  # new cards beyond the limit of none a day
    rule = "A wrong answer in a quiz brings that concept's cards forward"
    expect(page.locator(".rule")).to_contain_text(rule)
    screenshot(page, "cards-pushed", full_page=False)
    assert_accessible(page)
