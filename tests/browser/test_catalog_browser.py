"""The home and bank pages as a person sees them, at phone and desktop widths."""

from __future__ import annotations

import re

from tests.helpers.pages import screenshot


def test_home_lists_banks_with_counts_per_concept(page, live_server):
    page.goto(live_server + "/")
    assert page.get_by_role("heading", name="Question banks").is_visible()
    cards = page.locator(".card")
    assert cards.count() == 2
    definitions = cards.filter(has_text="definitions drill")
    assert definitions.get_by_role("row", name=re.compile(r"^Hypervisor \d+$")).is_visible()
    screenshot(page, "home")
    # Nothing runs off the side of a phone screen.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


def test_bank_page_shows_questions_and_answers(page, live_server):
    page.goto(live_server + "/")
    page.get_by_role("link", name=re.compile("definitions drill")).click()
    assert page.get_by_role("heading", level=1).inner_text().endswith("definitions drill")
    first = page.locator(".question").first
    assert first.get_by_text("(answer)").is_visible()
    screenshot(page, "bank", full_page=False)
    # The clozes are the hand-written bank's: six of them, each of two blanks or more.
    page.goto(live_server + "/banks/ch01-concepts")
    assert page.locator("mark.blank").count() >= 12
    page.locator(".question", has=page.locator("mark.blank")).first.scroll_into_view_if_needed()
    screenshot(page, "bank-cloze", full_page=False)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
