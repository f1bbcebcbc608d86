"""Self-study in the browser: sign up, every question type, results, progress, keyboard only, visitors."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from quiz.content.types import QUESTION_TYPES, cloze_blanks, cloze_segments
from quiz.content.validate import load_content
from tests.helpers.pages import PASSWORD, assert_accessible, screenshot, sign_up
from tests.helpers.paths import PROJECT

CONTENT = load_content(PROJECT / "content")
CONCEPTS = CONTENT.concepts
QUESTIONS = [question for bank in CONTENT.banks for question in bank.questions]
KEYED_TYPES = ("single", "multiple", "true_false")  # the types answered with keys 1-9


def _words(text: str) -> str:
    return " ".join(text.split())


def _no_overflow(page) -> None:
    """Nothing runs off the side of the screen."""
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def shown_question(page, qtype: str):
    """The content question on the page, found by its prompt (and its parts when prompts repeat)."""
    form = page.locator("form.answer-form")
    shown = _words(form.locator(".prompt").first.inner_text())
    if qtype == "cloze":
        found = [q for q in QUESTIONS if q.type == qtype
                 and _words("".join(cloze_segments(q.prompt))) == shown]
    else:
        found = [q for q in QUESTIONS if q.type == qtype and _words(q.prompt) in shown]
    if qtype == "matching":
        lefts = {_words(text) for text in form.locator(".pair label").all_inner_texts()}
        found = [q for q in found if set(q.fields["pairs"]) == lefts]
    assert len(found) == 1, f"{qtype} question not found in the content: {shown!r}"
    return found[0]


def answer_correctly(page, question) -> None:
    """Fill the answer form with the right answer, as a mouse and keyboard user would."""
    fields, form = question.fields, page.locator("form.answer-form")
    if question.type == "single":
        form.get_by_role("radio", name=fields["answer"], exact=True).check()
    elif question.type == "multiple":
        for choice in fields["answer"]:
            form.get_by_role("checkbox", name=choice, exact=True).check()
    elif question.type == "true_false":
        form.get_by_role("radio", name="True" if fields["answer"] else "False", exact=True).check()
    elif question.type == "short":
        form.get_by_role("textbox").fill(fields["answer"][0])
    elif question.type == "cloze":
        for index, alternatives in enumerate(cloze_blanks(question.prompt)):
            form.get_by_role("textbox", name=f"Blank {index + 1}", exact=True).fill(alternatives[0])
    elif question.type == "matching":
        for left, right in fields["pairs"].items():
            form.get_by_role("combobox", name=left, exact=True).select_option(right)
    elif question.type == "ordering":
        for position, item in enumerate(fields["items"], start=1):
            form.get_by_role("combobox", name=f"Position {position}", exact=True).select_option(item)


def assert_correct_feedback(page, question) -> None:
    """The verdict says Correct and each concept's source quote is the glossary's, verbatim."""
    verdict = page.get_by_role("heading", level=1)
    expect(verdict).to_contain_text("Correct")
    expect(verdict).to_be_focused()  # so a screen reader reads the verdict first
    quotes = page.locator("figure.source blockquote").all_text_contents()
    assert sorted(quotes) == sorted(CONCEPTS[concept].quote for concept in question.concepts)




def start_quiz(page, base: str, types: tuple[str, ...], count: int) -> None:
    """Set up a quiz of `count` questions of the given types and start it."""
    page.goto(base + "/study")
    group = page.get_by_role("group", name="Question types")
    for name in types:
        group.get_by_role("checkbox", name=QUESTION_TYPES[name].label, exact=True).check()
    page.get_by_label("Number of questions").fill(str(count))
    page.get_by_role("button", name="Start the quiz").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Question 1 of {count}")


def test_every_question_type_results_and_progress(page, live_server):
    """A learner signs up, meets all seven types, sees 100% per quiz, then their progress."""
    page.goto(live_server + "/")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("definitions drill")).click()
    assert_accessible(page)
    page.goto(live_server + "/login")
    assert_accessible(page)
    page.goto(live_server + "/signup")
    assert_accessible(page)
    screenshot(page, "signup")
    sign_up(page, live_server, f"learner-{page.width_name}")

    page.goto(live_server + "/study")
    assert_accessible(page)
    screenshot(page, "study-setup")
    _no_overflow(page)

    touched: set[str] = set()
    for qtype in QUESTION_TYPES:
        start_quiz(page, live_server, (qtype,), 1)
        assert page.locator(".badge").inner_text() == QUESTION_TYPES[qtype].label
        expect(page.locator(".keys")).to_have_count(1 if qtype in KEYED_TYPES else 0)
        question = shown_question(page, qtype)
        answer_correctly(page, question)
        screenshot(page, f"study-{qtype}-question")
        assert_accessible(page)
        _no_overflow(page)

        page.get_by_role("button", name="Check answer").click()
        assert_correct_feedback(page, question)
        screenshot(page, f"study-{qtype}-feedback")
        assert_accessible(page)
        _no_overflow(page)

        page.get_by_role("link", name="See the results").click()
        expect(page.locator(".big-score")).to_have_text("100%")
        by_concept = {row.locator("th").inner_text(): row.locator("td").last.inner_text()
                      for row in page.locator("table.counts tbody tr").all()}
        assert by_concept == {CONCEPTS[concept].term: "100%" for concept in question.concepts}
        touched.update(question.concepts)
    screenshot(page, "study-results")
    assert_accessible(page)
    _no_overflow(page)

    page.get_by_role("link", name="My progress").click()
    expect(page.get_by_role("heading", name="My progress")).to_be_visible()
    mastery = page.locator("table.mastery-table tbody tr")
    answers = {row.locator("th").inner_text(): int(row.locator("td.num").inner_text())
               for row in mastery.all()}
    for concept in touched:
        assert answers[CONCEPTS[concept].term] > 0
    chart = page.get_by_role("img", name="Score of each finished quiz, oldest first")
    expect(chart).to_be_visible()
    expect(page.locator("circle.chart-point")).to_have_count(len(QUESTION_TYPES))
    screenshot(page, "progress")
    assert_accessible(page)
    _no_overflow(page)
    if page.width_name == "phone":  # once: both runs would check the same 360 px screen
        page.set_viewport_size({"width": 360, "height": 900})  # the narrowest screen we support
        expect(page.locator(".main-nav a")).to_have_count(5)
        cut_off = page.evaluate("(() => { const list = document.querySelector('.main-nav ul');"
                                " return list.scrollWidth - list.clientWidth; })()")
        assert cut_off <= 0, f"a nav link is cut off by {cut_off} px"
        screenshot(page, "progress-360", full_page=False)


def _focused(page) -> dict:
    return page.evaluate("""() => {
        const element = document.activeElement, style = getComputedStyle(element);
        const label = element.labels && element.labels[0];
        const text = label ? label.innerText : element.type === 'submit' ? element.value : element.innerText;
        return {tag: element.tagName, text: (text || '').trim(),
                type: element.type || '', outline: style.outlineStyle, width: parseFloat(style.outlineWidth)};
    }""")


def tab_to(page, tag: str, text: str, limit: int = 60) -> None:
    """Press Tab until the element of that tag and text has the focus; each stop shows a focus ring."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = _focused(page)
        assert focused["outline"] != "none" and focused["width"] >= 2, f"no focus ring on {focused}"
        if focused["tag"] == tag and focused["text"] == text:
            return
    pytest.fail(f"{tag} {text!r} not reached with {limit} presses of Tab")


def press_and_wait(page, key: str) -> None:
    """Press a key that leads to another page, and wait for it."""
    with page.expect_navigation():
        page.keyboard.press(key)


def _keys_for(page, question) -> list[str]:
    if question.type == "true_false":
        return ["1" if question.fields["answer"] else "2"]
    shown = [_words(text) for text in page.locator("label.choice > span:not(.key)").all_inner_texts()]
    right = question.fields["answer"]
    right = right if isinstance(right, list) else [right]
    return [str(shown.index(choice) + 1) for choice in right]


def test_keyboard_only_visitor_quiz(page, live_server):
    """A visitor reaches the setup with Tab, then starts, answers and finishes with keys alone."""
    page.goto(live_server + "/")
    tab_to(page, "A", "Study")
    press_and_wait(page, "Enter")
    expect(page.get_by_role("heading", name="Study", level=1)).to_be_visible()
    for qtype in KEYED_TYPES:
        tab_to(page, "INPUT", QUESTION_TYPES[qtype].label)
        page.keyboard.press("Space")
    tab_to(page, "INPUT", "Number of questions")
    page.keyboard.press("Control+a")
    page.keyboard.press("3")
    tab_to(page, "INPUT", "Start the quiz")
    screenshot(page, "keyboard-setup", full_page=False)
    press_and_wait(page, "Enter")

    total = 3
    for position in range(1, total + 1):
        expect(page.get_by_text(f"Question {position} of {total}")).to_be_visible()
        qtype = next(name for name in KEYED_TYPES
                     if QUESTION_TYPES[name].label == page.locator(".badge").inner_text())
        question = shown_question(page, qtype)
        for key in _keys_for(page, question):
            page.keyboard.press(key)
        if position == 1:
            screenshot(page, "keyboard-question", full_page=False)
        press_and_wait(page, "Enter")
        assert_correct_feedback(page, question)
        press_and_wait(page, "Enter")

    expect(page.get_by_role("heading", name="Results")).to_be_visible()
    expect(page.locator(".big-score")).to_have_text("100%")
    expect(page.locator(".callout").get_by_role("link", name="Sign up")).to_be_visible()


def test_visitor_quiz_offers_sign_up_and_keeps_results(page, live_server):
    """A visitor's short quiz ends with an offer to sign up; signing up keeps the results."""
    page.goto(live_server + "/study")
    expect(page.get_by_label("Number of questions")).to_have_value("5")
    page.get_by_role("button", name="Start the quiz").click()
    for position in range(1, 6):
        expect(page.get_by_text(f"Question {position} of 5")).to_be_visible()
        label = page.locator(".badge").inner_text()
        qtype = next(name for name, t in QUESTION_TYPES.items() if t.label == label)
        answer_correctly(page, shown_question(page, qtype))
        page.get_by_role("button", name="Check answer").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Correct")
        page.get_by_role("link", name=re.compile("^(Next question|See the results)$")).click()

    expect(page.locator(".big-score")).to_have_text("100%")
    offer = page.locator(".callout")
    expect(offer).to_contain_text("kept in this browser only")
    screenshot(page, "visitor-results")
    assert_accessible(page)
    offer.get_by_role("link", name="Sign up").click()
    page.get_by_label("Name").fill(f"visitor-{page.width_name}")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("link", name="Progress").click()
    expect(page.locator("circle.chart-point")).to_have_count(1)  # the visitor's quiz is kept
