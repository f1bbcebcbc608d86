"""A phone in a real browser answering every kind of live question; the class as a whole is in
test_classroom_browser.py."""

from __future__ import annotations

import subprocess

import pytest
from playwright.sync_api import expect

from tests.helpers.pages import PASSWORD, assert_accessible, screenshot
from tests.helpers.paths import PROJECT
from tests.helpers.servers import QUIZ

pytestmark = pytest.mark.browser


def _context(browser, width: str):
    context = browser.new_context(viewport={"width": 1280 if width == "desktop" else 390, "height": 900})
    page = context.new_page()
    page.width_name = width
    return context, page


# Each word of the prompt and the answer buttons whose letters fall on more than one line.
BROKEN_WORDS = """() => {
  const broken = [];
  for (const el of document.querySelectorAll('.answer-option, .live-prompt')) {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        if (lines.size > 1) broken.push(m[0]);
      }
    }
  }
  return broken;
}"""


def _answer_what_is_shown(phone) -> None:
    """Answer the question the phone drew, whatever its type."""
    form = phone.locator("form.live-answer")
    expect(form).to_be_visible(timeout=10_000)
    if phone.locator("#answer").count():
        phone.get_by_label("Your answer").fill("hypervisor")
    elif phone.locator("input[type=checkbox]").count():
        phone.locator("input[type=checkbox]").first.check()
    phone.get_by_role("button", name="Send answer").click()


def _host_and_joined_phone(host, phone, live_server, server_env, teacher: str, nickname: str,
                           labels: tuple[str, ...], count: int) -> None:
    """An instructor creates a session of the questions ``labels`` pick; the phone joins it."""
    subprocess.run([QUIZ, "user", "create", teacher, "--instructor", "--password", PASSWORD],
                   env=server_env, cwd=PROJECT, check=True, capture_output=True)
    host.goto(live_server + "/login")
    host.get_by_label("Name").fill(teacher)
    host.get_by_label("Password").fill(PASSWORD)
    host.get_by_role("button", name="Log in").click()
    host.goto(live_server + "/live")
    for label in labels:
        host.get_by_label(label, exact=True).check()
    host.get_by_label("Questions", exact=True).fill(str(count))
    host.get_by_role("button", name="Create session").click()
    pin = host.locator(".pin").inner_text().replace(" ", "")
    phone.goto(f"{live_server}/live/join?pin={pin}")
    phone.get_by_label("Nickname").fill(nickname)
    phone.get_by_role("button", name="Join").click()
    expect(phone.get_by_role("heading", name="You're in!")).to_be_visible()


def test_a_phone_draws_typed_chosen_and_ordered_answers_without_reloading(browser, live_server, server_env):
    host_context, host = _context(browser, "desktop")
    phone_context, phone = _context(browser, "phone")
    try:
        # 24: every question of those types there is.
        _host_and_joined_phone(host, phone, live_server, server_env, "teacher2", "Solo",
                               ("Short answer", "Ordering", "Multiple choice"), 24)
        phone.evaluate("window.stayedOnPage = true")
        kinds: set[str] = set()
        host.get_by_role("button", name="Start").click()
        while True:  # the order is shuffled: play until each kind has come up
            form = phone.locator("form.live-answer")
            expect(form).to_be_visible(timeout=10_000)
            kind = form.evaluate("f => f.querySelector('#answer') ? 'short'"
                                 " : f.querySelector('select') ? 'ordering' : 'multiple'")
            # A phone's half-width button once cut "Paravirtualiza-tion" in two.
            assert phone.evaluate(BROKEN_WORDS) == []
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
        host.get_by_role("link", name="End session").click()  # which asks first
        host.get_by_role("button", name="End now").click()
        expect(phone.get_by_role("heading", name="Game over")).to_be_visible(timeout=10_000)
        assert phone.evaluate("window.stayedOnPage") is True
    finally:
        host_context.close()
        phone_context.close()


def test_a_phones_answer_buttons_keep_long_words_whole(browser, live_server, server_env):
    # Half a phone's width cut "Paravirtualization" in two; such choices now take a row each.
    host_context, host = _context(browser, "desktop")
    phone_context, phone = _context(browser, "phone")
    try:
        _host_and_joined_phone(host, phone, live_server, server_env, "teacher3", "Narrow",
                               ("Multiple choice", "Paravirtualization"), 3)
        host.get_by_role("button", name="Start").click()
        long_words = 0
        for number in range(3):
            expect(phone.locator("form.live-answer")).to_be_visible(timeout=10_000)
            assert phone.evaluate(BROKEN_WORDS) == []  # as live-phone.js draws it
            if number == 0:  # and as the server draws it
                phone.reload()
                expect(phone.locator("form.live-answer")).to_be_visible(timeout=10_000)
            assert phone.evaluate(BROKEN_WORDS) == []
            long_words += phone.locator(".answer-option", has_text="Paravirtualization ").count()
            screenshot(phone, f"live-phone-long-words-{number}")
            _answer_what_is_shown(phone)
            expect(phone.locator(".result")).to_be_visible(timeout=10_000)
            host.get_by_role("button", name="Leaderboard").click()
            if number < 2:
                host.get_by_role("button", name="Next question").click()
        assert long_words >= 2  # the choices that broke before were on screen
    finally:
        host_context.close()
        phone_context.close()
