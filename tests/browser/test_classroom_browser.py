"""A class in real browsers: a projector at 1920x1080 and phones at 390x844, each in its own context.

From the lobby to the podium, every screen is photographed on both (the
projector also at 1280x720, a phone also at 360 px), checked for fit and
type size, and run through axe-core. The lobby's QR code is read back with
zbarimg and must be the join URL on this machine's network address.
"""

from __future__ import annotations

import fcntl
import re
import socket
import struct
import subprocess
import time

import pytest
from playwright.sync_api import expect

from tests.helpers.classroom import (
    NARROW_PHONE,
    PHONE,
    PROJECTOR,
    SMALL_PROJECTOR,
    assert_fits,
    font_px,
    new_screen,
    read_qr,
    resize,
    shoot,
)
from tests.helpers.pages import PASSWORD, assert_accessible
from tests.helpers.paths import PROJECT
from tests.helpers.servers import QUIZ

pytestmark = pytest.mark.browser
NAMES = ("Ada", "Linus", "Grace")
SIOCGIFADDR = 0x8915

# Records what the page asks of the Screen Wake Lock API, around the browser's own.
WAKE_LOCK_PROBE = """
window.wakeLockLog = [];
if (navigator.wakeLock) {
  const request = navigator.wakeLock.request.bind(navigator.wakeLock);
  navigator.wakeLock.request = (type) => {
    window.wakeLockLog.push('request');
    return request(type).then((lock) => {
      lock.addEventListener('release', () => window.wakeLockLog.push('release'));
      return lock;
    });
  };
}
"""


def interface_addresses() -> set[str]:
    """This machine's IPv4 addresses but loopback, read from the kernel (not the way the app reads them)."""
    found = set()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        for _, name in socket.if_nameindex():
            try:
                answer = fcntl.ioctl(probe.fileno(), SIOCGIFADDR, struct.pack("256s", name[:15].encode()))
            except OSError:  # an interface without an IPv4 address
                continue
            address = socket.inet_ntoa(answer[20:24])
            if not address.startswith(("127.", "169.254.")):
                found.add(address)
    return found


def _log_in(page, base: str, name: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def _both_projectors(host, name: str) -> None:
    """Photograph the presenter at 1920x1080 and 1280x720, checking it fits and passes axe at each."""
    for size in (PROJECTOR, SMALL_PROJECTOR):
        resize(host, size)
        shoot(host, name)  # before the checks, so that a failure has its picture
        assert_fits(host, downwards=True)
    assert_accessible(host)
    resize(host, PROJECTOR)


def _both_phones(phone, name: str) -> None:
    """Photograph a phone at 390 and 360 px wide, checking it fits and passes axe."""
    for size in (PHONE, NARROW_PHONE):
        resize(phone, size)
        shoot(phone, name)
        assert_fits(phone, downwards=False)
    assert_accessible(phone)
    resize(phone, PHONE)


def _answer(phones) -> None:
    """Each phone taps a different answer button."""
    for number, phone in enumerate(phones):
        buttons = phone.locator("button.answer-option")
        expect(buttons.first).to_be_visible(timeout=10_000)
        buttons.nth(number % buttons.count()).click()
        locked = phone.get_by_role("heading", name="Answer locked in")
        expect(locked.or_(phone.locator(".result"))).to_be_visible()


def _join(phone, base: str, path: str, nickname: str) -> None:
    phone.goto(base + path)
    phone.get_by_label("Nickname").fill(nickname)
    phone.get_by_role("button", name="Join").click()
    expect(phone.get_by_role("heading", name="You're in!")).to_be_visible()


def test_a_class_from_the_lobby_to_the_podium_on_a_projector_and_phones(browser, live_server, server_env,
                                                                         tmp_path):
    subprocess.run([QUIZ, "user", "create", "projector", "--instructor", "--password", PASSWORD],
                   env=server_env, cwd=PROJECT, check=True, capture_output=True)
    contexts = []
    try:
        context, host = new_screen(browser, PROJECTOR)
        contexts.append(context)
        _log_in(host, live_server, "projector")
        host.goto(live_server + "/live")
        host.get_by_label("Title").fill("Friday revision")
        host.get_by_label("Single choice").check()
        host.get_by_label("Questions", exact=True).fill("2")
        host.get_by_role("button", name="Create session").click()
        expect(host.locator(".stage-title")).to_have_text("Friday revision")
        assert host.locator(".site-header").count() == 0  # the projector shows the game only
        pin = host.locator(".pin").inner_text().replace(" ", "")
        assert re.fullmatch(r"\d{6}", pin)

        # The QR code, as a phone's camera reads it: the join URL on this machine's network address.
        scanned = read_qr(host, ".qr", tmp_path)
        port = live_server.rsplit(":", 1)[1]
        addresses = interface_addresses()
        assert addresses, "this machine has no network address to serve a class on"
        match = re.fullmatch(rf"http://([\d.]+):{port}/live/join\?pin={pin}", scanned)
        assert match and match.group(1) in addresses, scanned
        expect(host.locator(".join-url")).to_have_text(f"{match.group(1)}:{port}/join")
        expect(host.locator(".lobby-note")).to_contain_text(f"network address, http://{match.group(1)}:{port}")
        join_path = scanned.split(port, 1)[1]  # the phones here reach the server on loopback
        host.evaluate("window.stayedOnPage = true")  # a reload would end full screen: it must never come

        host.keyboard.press("f")
        host.wait_for_function("document.fullscreenElement !== null")
        resize(host, PROJECTOR)

        phones = []
        for number, name in enumerate(NAMES):
            context, phone = new_screen(browser, PHONE)
            contexts.append(context)
            phone.add_init_script(WAKE_LOCK_PROBE)
            if number == 0:  # typed, as a student without a camera would: /join, the PIN, the nickname
                phone.goto(live_server + "/join")
                phone.get_by_label("Game PIN").fill(f"{pin[:3]} {pin[3:]}")
                phone.get_by_role("button", name="Enter").click()
                expect(phone.get_by_role("heading", name=re.compile("Game PIN"))).to_contain_text(pin)
                phone.get_by_label("Nickname").fill(name)
                phone.get_by_role("button", name="Join").click()
                expect(phone.get_by_role("heading", name="You're in!")).to_be_visible()
            else:
                _join(phone, live_server, join_path, name)
            assert phone.locator(".site-header, nav, footer").count() == 0  # no tap leaves the game
            phone.evaluate("window.stayedOnPage = true")
            phones.append(phone)
        first = phones[0]

        # A fourth joins and is removed: their phone says so within a second.
        context, troll = new_screen(browser, PHONE)
        contexts.append(context)
        _join(troll, live_server, join_path, "Troll")
        expect(host.locator(".player-list li")).to_have_count(4, timeout=10_000)
        removed_at = time.monotonic()
        host.get_by_role("button", name="Remove Troll").click()
        removed = troll.get_by_role("heading", name="You were removed from this game")
        expect(removed).to_be_visible(timeout=5_000)
        # From the click, so the presenter's own request and redraw are in it too: 2 s on a loaded
        # machine; tests/test_live_running.py times the stream alone against 1 s.
        took = time.monotonic() - removed_at
        assert took < 2.0, f"the removed phone took {took:.2f} s to say so"
        expect(host.locator(".player-list li")).to_have_count(3, timeout=10_000)
        shoot(troll, "classroom-phone-removed")

        _both_projectors(host, "classroom-host-lobby")
        assert font_px(host, ".pin") >= 0.09 * PROJECTOR["height"]  # the PIN reads from the back row
        _both_phones(first, "classroom-phone-lobby")

        for round_number in (1, 2):
            host.get_by_role("button", name="Start" if round_number == 1 else "Next question").click()
            expect(host.locator(".countdown")).to_be_visible()
            expect(first.locator("button.answer-option").first).to_be_visible(timeout=10_000)
            first.wait_for_function("window.wakeLockLog.includes('request')")  # a question keeps it awake
            if round_number == 1:
                _both_projectors(host, "classroom-host-question")
                for size in (PROJECTOR, SMALL_PROJECTOR):
                    resize(host, size)
                    assert font_px(host, ".stage-prompt") >= 0.045 * size["height"]
                    assert font_px(host, ".stage-answers .answer-option") >= 0.03 * size["height"]
                resize(host, PROJECTOR)
                _both_phones(first, "classroom-phone-question")
                grid = first.locator(".answer-grid").bounding_box()
                assert grid["y"] + grid["height"] >= 0.85 * PHONE["height"]  # the buttons fill the screen
                for box in (b.bounding_box() for b in first.locator("button.answer-option").all()):
                    assert box["height"] >= 72 and box["width"] >= 150
            _answer(phones)
            expect(host.locator(".correct-answer")).to_be_visible(timeout=10_000)
            expect(host.locator(".distribution > svg")).to_be_visible()
            expect(first.locator(".result")).to_be_visible(timeout=10_000)
            if round_number == 1:
                _both_projectors(host, "classroom-host-reveal")
                _both_phones(first, "classroom-phone-reveal")
            host.get_by_role("button", name="Leaderboard").click()
            expect(host.locator(".standings li")).to_have_count(3)
            if round_number == 2:
                _both_projectors(host, "classroom-host-leaderboard")
                expect(host.locator(".standing-change").first).to_be_attached()
                _both_phones(first, "classroom-phone-leaderboard")

        ended_at = time.monotonic()
        host.get_by_role("button", name="Final results").click()
        expect(host.get_by_role("heading", name="Podium")).to_be_visible()
        for phone in phones:
            expect(phone.get_by_role("heading", name="Game over")).to_be_visible(timeout=5_000)
        took = time.monotonic() - ended_at
        assert took < 2.0, f"the phones took {took:.2f} s to show the end"
        expect(host.locator(".podium li")).to_have_count(3)
        _both_projectors(host, "classroom-host-podium")
        _both_phones(first, "classroom-phone-podium")
        assert "release" in first.evaluate("window.wakeLockLog")  # let go once no question is open

        assert host.evaluate("window.stayedOnPage") is True
        assert host.evaluate("document.fullscreenElement !== null")  # full screen stayed on throughout
        for phone in phones:
            assert phone.evaluate("window.stayedOnPage") is True

        host.keyboard.press("f")  # out of full screen, to the site's own pages
        host.get_by_role("link", name="Full results and statistics").click()
        expect(host.locator(".live-stats tbody tr")).to_have_count(2)
        host.width_name = "desktop"
        assert_accessible(host)
        host.get_by_role("link", name="Grace").click()
        expect(host.get_by_role("heading", name="Grace")).to_be_visible()
        expect(host.locator(".live-player-answers tbody tr")).to_have_count(2)
        assert_accessible(host)
        shoot(host, "classroom-host-player-answers")
    finally:
        for context in contexts:
            context.close()
