"""A real `quiz serve` stopped and started again under open pages: the phone says so, recovers, answers.

The same server has QUIZ_PUBLIC_URL set: the lobby's QR code, read back with
zbarimg, must be the join URL on that address, and a forged Host header is
refused rather than written into a link.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from tests.helpers.classroom import PHONE, SMALL_PROJECTOR, new_screen, read_qr, shoot
from tests.helpers.pages import PASSWORD
from tests.helpers.paths import PROJECT
from tests.helpers.servers import QUIZ, free_port, wait_until_up

pytestmark = pytest.mark.browser
PUBLIC_HOST = "quiz.example.test"  # named in links only: nothing ever connects to it


class Server:
    """`quiz serve` on one port of 127.0.0.1, which can be stopped and started again."""

    def __init__(self, env: dict, folder: Path):
        # A port known before the first start, not port 0: QUIZ_PUBLIC_URL names it, and the page
        # open in the browser must find the server again there after the restart.
        self.env, self.folder, self.port = env, folder, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        """Start it, its words to standard output kept in serve-N.log, and wait until it answers."""
        self.starts += 1
        log = (self.folder / f"serve-{self.starts}.log").open("w")
        self.process = subprocess.Popen(
            [QUIZ, "serve", "--port", str(self.port), "--workers", "1", "--access-log", ""],
            env=self.env, cwd=PROJECT, stdout=log, stderr=subprocess.STDOUT)
        wait_until_up(self.url, self.process, seconds=30)

    def stop(self) -> None:
        """A quick shutdown, open event streams and all."""
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=20)

    def said(self) -> str:
        """What the first start printed."""
        return (self.folder / "serve-1.log").read_text()


@pytest.fixture
def server(tmp_path):
    """A served database with an instructor, QUIZ_PUBLIC_URL naming the server's port on PUBLIC_HOST."""
    env = {**os.environ, "QUIZ_SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'quiz.sqlite3'}",
           "QUIZ_SECRET_KEY": "reconnect-test-key"}
    for command in (["db", "upgrade"], ["content", "sync"],
                    ["user", "create", "teacher", "--instructor", "--password", PASSWORD]):
        subprocess.run([QUIZ, *command], env=env, cwd=PROJECT, check=True, capture_output=True)
    served = Server(env, tmp_path)
    served.env["QUIZ_PUBLIC_URL"] = f"http://{PUBLIC_HOST}:{served.port}"
    served.start()
    try:
        yield served
    finally:
        if served.process.poll() is None:
            served.stop()


def test_the_phone_says_reconnecting_recovers_by_itself_and_still_answers(browser, server, tmp_path):
    public = f"http://{PUBLIC_HOST}:{server.port}"
    assert f"Phones join at {public}/join" in server.said()
    assert f"presenter on this machine at http://127.0.0.1:{server.port}/live" in server.said()
    forged = httpx.get(server.url + "/live/join", headers={"Host": "evil.example"})
    assert forged.status_code == 400 and "evil.example" not in forged.text

    host_context, host = new_screen(browser, SMALL_PROJECTOR)
    phone_context, phone = new_screen(browser, PHONE)
    try:
        host.goto(server.url + "/login")
        host.get_by_label("Name").fill("teacher")
        host.get_by_label("Password").fill(PASSWORD)
        host.get_by_role("button", name="Log in").click()
        host.goto(server.url + "/live")
        host.get_by_label("Single choice").check()
        host.get_by_label("Questions", exact=True).fill("2")
        host.get_by_label("Seconds per question").fill("120")
        host.get_by_role("button", name="Create session").click()
        pin = host.locator(".pin").inner_text().replace(" ", "")
        assert read_qr(host, ".qr", tmp_path) == f"{public}/live/join?pin={pin}"
        expect(host.locator(".join-url")).to_have_text(f"{PUBLIC_HOST}:{server.port}/join")

        phone.goto(f"{server.url}/live/join?pin={pin}")
        phone.get_by_label("Nickname").fill("Ada")
        phone.get_by_role("button", name="Join").click()
        expect(phone.get_by_role("heading", name="You're in!")).to_be_visible()
        expect(host.locator(".player-list li")).to_have_count(1, timeout=10_000)
        phone.evaluate("window.stayedOnPage = true")
        reconnecting = phone.get_by_text("Reconnecting…")
        expect(reconnecting).to_be_hidden()

        server.stop()
        expect(reconnecting).to_be_visible(timeout=10_000)
        expect(host.get_by_text("Reconnecting…")).to_be_visible(timeout=10_000)
        shoot(phone, "reconnect-phone-reconnecting")
        server.start()
        expect(reconnecting).to_be_hidden(timeout=15_000)  # EventSource came back by itself
        expect(host.get_by_text("Reconnecting…")).to_be_hidden(timeout=15_000)

        host.get_by_role("button", name="Start").click()
        choice = phone.locator("button.answer-option").first
        expect(choice).to_be_visible(timeout=10_000)
        chosen = choice.get_attribute("value")
        choice.click()
        expect(phone.locator(".result")).to_be_visible(timeout=10_000)  # the only player: it closes
        assert phone.evaluate("window.stayedOnPage") is True
        shoot(phone, "reconnect-phone-answered")
    finally:
        host_context.close()
        phone_context.close()
    engine = create_engine(server.env["QUIZ_SQLALCHEMY_DATABASE_URI"])
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT response FROM live_answers")).all()
    engine.dispose()
    assert len(rows) == 1 and re.search(re.escape(f'"{chosen}"'), rows[0][0])
