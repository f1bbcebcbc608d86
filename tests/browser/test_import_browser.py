"""The import page says it is working from the moment the file goes until the answer comes."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from tests.helpers.pages import assert_accessible, screenshot
from tests.helpers.paths import PROJECT
from tests.helpers.servers import QUIZ, up_at

PASSWORD = "an instructor's long password"


@pytest.fixture(scope="module")
def import_server(tmp_path_factory, server_env):
    """A server with its own copy of the content, which imports may write to; its URL."""
    folder = tmp_path_factory.mktemp("import-server")
    shutil.copytree(PROJECT / "content", folder / "content")
    env = {**server_env, "QUIZ_SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'quiz.sqlite3'}",
           "QUIZ_CONTENT_DIR": str(folder / "content")}
    for command in (["db", "upgrade"], ["content", "sync"],
                    ["user", "create", "importer", "--instructor", "--password", PASSWORD]):
        subprocess.run([QUIZ, *command], env=env, cwd=folder, check=True, capture_output=True)
    log = folder / "server.log"
    with log.open("wb") as said:
        process = subprocess.Popen([QUIZ, "run", "--host", "127.0.0.1", "--port", "0"], env=env,
                                   cwd=folder, stdout=said, stderr=subprocess.STDOUT)
    try:
        yield up_at(log, process), folder
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.browser
def test_an_import_says_it_is_working_until_the_bank_page_comes(page, import_server, tmp_path):
    url, folder = import_server
    page.goto(url + "/login")
    page.get_by_label("Name").fill("importer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(url + "/import")
    assert_accessible(page)
    # Every one of an instructor's links is in sight, none scrolled off a phone's edge.
    width = page.viewport_size["width"]
    for link in page.locator(".main-nav a").all():
        box = link.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, link.inner_text()
    rows = ["type,prompt,answer,concepts"]
    rows += [f"true_false,A host runs guest {n}.,TRUE,host" for n in range(2000)]
    source = tmp_path / "many.csv"
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    bank = f"many-{page.width_name}"

    # The first submit is stopped after the page's own handler ran, so the waiting state stays
    # on screen to be checked; then the form is sent for real.
    page.evaluate("""() => {
        window.holdSubmit = event => event.preventDefault();
        document.querySelector('[data-import-form]').addEventListener('submit', window.holdSubmit);
    }""")
    page.get_by_label("File").set_input_files(str(source))
    page.get_by_label("New bank id").fill(bank)
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("status")).to_contain_text("Importing: the file is being checked and loaded")
    expect(page.get_by_role("button", name="Importing…")).to_be_disabled()
    screenshot(page, "import-working", full_page=False)
    assert_accessible(page)
    page.evaluate("""() => {
        const form = document.querySelector('[data-import-form]');
        form.removeEventListener('submit', window.holdSubmit);
        form.requestSubmit();
    }""")
    expect(page.get_by_text("Imported 2000 question(s) into the bank")).to_be_visible(timeout=30_000)
    assert (folder / "content" / "banks" / f"{bank}.yaml").is_file()
