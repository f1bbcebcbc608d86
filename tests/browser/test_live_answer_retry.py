"""A phone rides out a fault: it sends its answer again until the server says it has it, and never reloads."""

from __future__ import annotations

import contextlib
import re
import sqlite3
import subprocess

import pytest
from playwright.sync_api import expect

from tests.helpers.pages import PASSWORD, screenshot
from tests.helpers.paths import PROJECT
from tests.helpers.presenter import Presenter
from tests.helpers.servers import QUIZ

pytestmark = pytest.mark.browser
BOUNDARY = re.compile(r"-+WebKitFormBoundary\w+")


def _recorded(server_env, session_id: int) -> int:
    database = server_env["QUIZ_SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as connection:
        return connection.execute("SELECT count(*) FROM live_answers WHERE session_id = ?",
                                  (session_id,)).fetchone()[0]


def _joined(browser, base: str, pin: str):
    context = browser.new_context(viewport={"width": 390, "height": 900})
    phone = context.new_page()
    phone.width_name = "phone"
    phone.goto(f"{base}/live/join?pin={pin}")
    phone.get_by_label("Nickname").fill("Steady")
    phone.get_by_role("button", name="Join").click()
    expect(phone.get_by_role("heading", name="You're in!")).to_be_visible()
    phone.evaluate("window.stayedOnPage = true")  # a page load would wipe it
    return context, phone


def test_an_answer_whose_reply_was_lost_is_sent_again_and_counted_once(browser, live_server, server_env):
    subprocess.run([QUIZ, "user", "create", "retrier", "--instructor", "--password", PASSWORD],
                   env=server_env, cwd=PROJECT, check=True, capture_output=True)
    presenter = Presenter(live_server, "retrier")
    session_id, pin = presenter.create(count=2)
    context, phone = _joined(browser, live_server, pin)
    tries: list[str] = []

    def lose_the_first_reply(route):
        tries.append(BOUNDARY.sub("", route.request.post_data))  # the form's fields, not its separators
        if len(tries) == 1:
            route.fetch()  # the server records the answer...
            route.abort("connectionreset")  # ...and its reply never arrives
        else:
            route.continue_()

    try:
        phone.route(f"**/live/{pin}/answer", lose_the_first_reply)
        presenter.press(session_id, "start")
        phone.locator("button.answer-option").first.click(timeout=10_000)
        # The only player answered: locked in, then the question closes and the verdict shows. The
        # verdict may come before the second try does: the phone still sends it, until the server says.
        expect(phone.locator(".result")).to_be_visible(timeout=15_000)
        for _ in range(100):
            if len(tries) >= 2:
                break
            phone.wait_for_timeout(100)
        assert len(tries) == 2 and tries[0] == tries[1]  # the same answer, sent again
        assert _recorded(server_env, session_id) == 1
        expect(phone.locator("[data-live=error]")).to_be_hidden()
        assert phone.evaluate("window.stayedOnPage") is True
        phone.unroute(f"**/live/{pin}/answer")

        # The next question while the server is "restarting": a proxy's HTML error page, then a
        # 503 with Retry-After, as the app answers when its database is out of reach; then it is back.
        presenter.press(session_id, "next")
        presenter.press(session_id, "next")
        faults = [{"status": 502, "content_type": "text/html", "body": "<h1>Bad Gateway</h1>"},
                  {"status": 503, "content_type": "application/json", "headers": {"Retry-After": "1"},
                   "body": '{"error": "The database is not answering just now.", "status": 503}'}]

        def fail_twice(route):
            if faults:
                route.fulfill(**faults.pop(0))
            else:
                route.continue_()

        phone.route(f"**/live/{pin}/answer", fail_twice)
        phone.locator("button.answer-option").first.click(timeout=10_000)
        notice = phone.locator("[data-live=error]")
        expect(notice).to_contain_text("sending your answer again")
        screenshot(phone, "live-phone-answer-retrying")
        expect(phone.locator(".result")).to_be_visible(timeout=15_000)
        assert faults == [] and _recorded(server_env, session_id) == 2
        expect(notice).to_be_hidden()
        assert phone.evaluate("window.stayedOnPage") is True  # no reload into an error page
        presenter.press(session_id, "finish")
    finally:
        context.close()
        presenter.client.close()
