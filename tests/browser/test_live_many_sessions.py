"""One phone's browser profile in ten live sessions in a row, answering in each (its cookies pile up)."""

from __future__ import annotations

import subprocess

import pytest
from playwright.sync_api import expect

from tests.helpers.pages import PASSWORD, screenshot
from tests.helpers.paths import PROJECT
from tests.helpers.presenter import Presenter
from tests.helpers.servers import QUIZ

pytestmark = pytest.mark.browser


def test_a_phone_answers_in_each_of_ten_sessions_it_joined(browser, live_server, server_env):
    subprocess.run([QUIZ, "user", "create", "tenfold", "--instructor", "--password", PASSWORD],
                   env=server_env, cwd=PROJECT, check=True, capture_output=True)
    presenter = Presenter(live_server, "tenfold")
    context = browser.new_context(viewport={"width": 390, "height": 900})  # one profile throughout
    phone = context.new_page()
    phone.width_name = "phone"
    try:
        for number in range(1, 11):
            session_id, pin = presenter.create()
            phone.goto(f"{live_server}/live/join?pin={pin}")
            phone.get_by_label("Nickname").fill(f"Tenth{number}")
            phone.get_by_role("button", name="Join").click()
            expect(phone.get_by_role("heading", name="You're in!")).to_be_visible()
            presenter.press(session_id, "start")
            phone.locator("button.answer-option").first.click(timeout=10_000)
            # The only player answered, so the question closes: locked in, then the verdict.
            expect(phone.locator(".result")).to_be_visible(timeout=10_000)
            expect(phone.locator("[data-live=error]")).to_be_hidden()
            if number == 10:
                screenshot(phone, "live-phone-tenth-session")
            presenter.press(session_id, "finish")
        live_cookies = [c for c in context.cookies() if c["name"].startswith("live-")]
        assert len(live_cookies) == 10  # the browser sent all ten, oldest first, with each answer
    finally:
        context.close()
        presenter.client.close()
