"""A real server on 127.0.0.1 and headless Chromium (Debian's) driven by Playwright."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers.pages import WIDTHS
from tests.helpers.paths import PROJECT
from tests.helpers.servers import QUIZ, up_at

CHROMIUM = os.environ.get("QUIZ_CHROMIUM", "/usr/bin/chromium")


def pytest_collection_modifyitems(items) -> None:
    """Every test in this folder is slow: each drives Chromium against a real server."""
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def server_env(tmp_path_factory) -> dict[str, str]:
    """Environment of a server with its own instance folder and SQLite database."""
    folder = tmp_path_factory.mktemp("server")
    env = {**os.environ, "QUIZ_SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'quiz.sqlite3'}",
           "QUIZ_SECRET_KEY": "browser-tests-only",
           # Every browser of the suite comes from 127.0.0.1 to this one server, in a few minutes:
           # the per-address budgets are for the world, and tests/test_security_limits.py holds them.
           "QUIZ_RATELIMIT_SIGN_IN": "10000 per minute", "QUIZ_RATELIMIT_SIGN_UP": "10000 per hour",
           "QUIZ_RATELIMIT_LIVE_JOIN": "10000 per minute"}
    for command in (["db", "upgrade"], ["content", "sync"]):
        subprocess.run([QUIZ, *command], env=env, cwd=PROJECT, check=True, capture_output=True)
    return env


@pytest.fixture(scope="session")
def live_server(server_env, tmp_path_factory) -> str:
    """The app served by `quiz run` on a port of 127.0.0.1 it picks itself; yields its base URL.

    Its log goes to ``server.log`` in the test's temporary folder, for a failure to be read.
    """
    log = tmp_path_factory.mktemp("server-log") / "server.log"
    with log.open("wb") as said:
        process = subprocess.Popen(
            [QUIZ, "run", "--host", "127.0.0.1", "--port", "0"],
            env=server_env, cwd=PROJECT, stdout=said, stderr=subprocess.STDOUT,
        )
    try:
        yield up_at(log, process)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium from Debian's package (Playwright downloads no browser here)."""
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def refused_by_the_csp(browser, monkeypatch):
    """Every page of every browser test obeys the Content-Security-Policy: Chromium logs what it refuses."""
    refused: list[str] = []
    new_context = browser.new_context

    def watched_context(*args, **kwargs):
        context = new_context(*args, **kwargs)
        context.on("console", lambda message: refused.append(f"{message.location.get('url')}: {message.text}")
                   if "Content Security Policy" in message.text else None)
        return context

    monkeypatch.setattr(browser, "new_context", watched_context)
    yield refused
    assert not refused, "the Content-Security-Policy refused:\n" + "\n".join(refused)


@pytest.fixture(params=list(WIDTHS))
def page(request, browser):
    """A fresh page (own cookies) at phone or desktop width."""
    width = WIDTHS[request.param]
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.width_name = request.param
    yield page
    context.close()










