"""A live session in real browsers: an instructor and three phones, each in its own context, PIN to podium."""

from __future__ import annotations

import subprocess

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, PROJECT, QUIZ, assert_accessible, screenshot

pytestmark = pytest.mark.browser
NAMES = ("Ada", "Linus", "Grace")


def _context(browser, width: str):
    context = browser.new_context(viewport={"width": 1280 if width == "desktop" else 390, "height": 900})
    page = context.new_page()
    page.width_name = width
    return context, page


def _answer_everywhere(phones) -> None:
    """Each phone taps a different answer button (the first, second, third)."""
    for number, phone in enumerate(phones):
        expect(phone.locator(".answer-option").first).to_be_visible(timeout=10_000)
        buttons = phone.locator("button.answer-option")
        buttons.nth(number % buttons.count()).click()
        # The last one to answer closes the question, so their phone may go straight to the result.
        locked = phone.get_by_role("heading", name="Answer locked in")
        expect(locked.or_(phone.locator(".result"))).to_be_visible()


def test_instructor_and_three_players_from_pin_to_podium(browser, live_server, server_env):
    subprocess.run([QUIZ, "user", "create", "presenter", "--instructor", "--password", PASSWORD],
                   env=server_env, cwd=PROJECT, check=True, capture_output=True)
    contexts = []
    try:
        context, host = _context(browser, "desktop")
        contexts.append(context)
        host.goto(live_server + "/login")
        host.get_by_label("Name").fill("presenter")
        host.get_by_label("Password").fill(PASSWORD)
        host.get_by_role("button", name="Log in").click()
        host.get_by_role("link", name="Live").click()
        host.get_by_label("Single choice").check()
        host.get_by_label("Questions", exact=True).fill("2")
        host.get_by_role("button", name="Create session").click()
        pin = host.locator(".pin").inner_text().strip()
        assert len(pin) == 6 and pin.isdigit()
        expect(host.locator(".qr svg")).to_be_visible()

        phones = []
        for name in NAMES:
            context, phone = _context(browser, "phone")
            contexts.append(context)
            phone.goto(f"{live_server}/live/join?pin={pin}")  # where the QR code leads
            expect(phone.get_by_label("Game PIN")).to_have_value(pin)
            phone.get_by_label("Nickname").fill(name)
            phone.get_by_role("button", name="Join").click()
            expect(phone.get_by_role("heading", name="You're in!")).to_be_visible()
            phones.append(phone)
        assert_accessible(phones[0])
        screenshot(phones[0], "live-phone-lobby")
        for phone in phones:  # a mark that a page load would wipe: phones must redraw in place
            phone.evaluate("window.stayedOnPage = true")

        # The lobby follows joins by itself.
        expect(host.locator(".player-list li")).to_have_count(3, timeout=10_000)
        assert_accessible(host)
        screenshot(host, "live-host-lobby")

        for round_number in (1, 2):
            if round_number == 1:
                host.get_by_role("button", name="Start").click()
            else:
                host.get_by_role("button", name="Next question").click()
            expect(host.locator(".countdown")).to_be_visible()
            if round_number == 1:
                assert_accessible(host)
                screenshot(host, "live-host-question")
                expect(phones[0].locator("button.answer-option").first).to_be_visible(timeout=10_000)
                assert_accessible(phones[0])
                screenshot(phones[0], "live-phone-question")
            _answer_everywhere(phones)
            # Everyone answered: the question closes, and every screen follows.
            expect(host.get_by_text("How the room answered")).to_be_attached(timeout=10_000)
            expect(host.locator(".correct-answer")).to_be_visible()
            expect(phones[0].locator(".result")).to_be_visible(timeout=10_000)
            if round_number == 1:
                assert_accessible(host)
                screenshot(host, "live-host-reveal")
                assert_accessible(phones[0])
                screenshot(phones[0], "live-phone-result")
            host.get_by_role("button", name="Leaderboard").click()
            expect(host.locator(".standings li")).to_have_count(3)
            if round_number == 2:
                assert_accessible(host)
                screenshot(host, "live-host-leaderboard")

        host.get_by_role("button", name="Final results").click()
        expect(host.get_by_role("heading", name="Podium")).to_be_visible()
        expect(host.locator(".podium li")).to_have_count(3)
        assert_accessible(host)
        screenshot(host, "live-host-podium")
        for phone in phones:
            expect(phone.get_by_role("heading", name="Game over")).to_be_visible(timeout=10_000)
            expect(phone.get_by_text("You finished")).to_contain_text("of 3")
            assert phone.evaluate("window.stayedOnPage") is True
        screenshot(phones[0], "live-phone-final")

        host.get_by_role("link", name="Full results and statistics").click()
        expect(host.locator(".live-stats tbody tr")).to_have_count(2)
        assert_accessible(host)
        screenshot(host, "live-host-results")
    finally:
        for context in contexts:
            context.close()


def _answer_what_is_shown(phone) -> None:
    """Answer the question the phone drew, whatever its type."""
    form = phone.locator("form.live-answer")
    expect(form).to_be_visible(timeout=10_000)
    if phone.locator("#answer").count():
        phone.get_by_label("Your answer").fill("hypervisor")
    elif phone.locator("input[type=checkbox]").count():
        phone.locator("input[type=checkbox]").first.check()
    phone.get_by_role("button", name="Send answer").click()


def test_a_phone_draws_typed_chosen_and_ordered_answers_without_reloading(browser, live_server, server_env):
    subprocess.run([QUIZ, "user", "create", "teacher2", "--instructor", "--password", PASSWORD],
                   env=server_env, cwd=PROJECT, check=True, capture_output=True)
    host_context, host = _context(browser, "desktop")
    phone_context, phone = _context(browser, "phone")
    try:
        host.goto(live_server + "/login")
        host.get_by_label("Name").fill("teacher2")
        host.get_by_label("Password").fill(PASSWORD)
        host.get_by_role("button", name="Log in").click()
        host.goto(live_server + "/live")
        for kind in ("Short answer", "Ordering", "Multiple choice"):
            host.get_by_label(kind).check()
        host.get_by_label("Questions", exact=True).fill("24")  # every one of those types there is
        host.get_by_role("button", name="Create session").click()
        pin = host.locator(".pin").inner_text().strip()
        phone.goto(f"{live_server}/live/join?pin={pin}")
        phone.get_by_label("Nickname").fill("Solo")
        phone.get_by_role("button", name="Join").click()
        expect(phone.get_by_role("heading", name="You're in!")).to_be_visible()
        phone.evaluate("window.stayedOnPage = true")
        kinds: set[str] = set()
        host.get_by_role("button", name="Start").click()
        while True:  # the order is shuffled: play until each kind has come up
            form = phone.locator("form.live-answer")
            expect(form).to_be_visible(timeout=10_000)
            kind = form.evaluate("f => f.querySelector('#answer') ? 'short'"
                                 " : f.querySelector('select') ? 'ordering' : 'multiple'")
            if kind not in kinds:
                assert_accessible(phone)
                screenshot(phone, f"live-phone-{kind}")
            kinds.add(kind)
            _answer_what_is_shown(phone)
            # The only player answered: the question closes and the phone shows the verdict.
            expect(phone.locator(".result")).to_be_visible(timeout=10_000)
            expect(phone.get_by_text("Score")).to_be_visible()
            host.get_by_role("button", name="Leaderboard").click()
            if len(kinds) == 3:
                break
            host.get_by_role("button", name="Next question").click()
        host.get_by_role("button", name="End session").click()
        expect(phone.get_by_role("heading", name="Game over")).to_be_visible(timeout=10_000)
        assert phone.evaluate("window.stayedOnPage") is True
    finally:
        host_context.close()
        phone_context.close()
