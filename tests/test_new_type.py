"""A question type added as one class and one macro file works in every mode and every format.

The fixture registers ``numeric`` (a number typed in) the way a new module in
``quiz/questions/`` would, and gives it its macro file in a folder of its own:
nothing else in the app learns of it, yet it validates, shows on the bank
page, is studied and graded, plays live (or is refused with its reason), and
exports or is reported as a stated loss in every format.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from jinja2 import ChoiceLoader, FileSystemLoader
from sqlalchemy import select

from quiz.content.errors import ContentInvalid
from quiz.content.validate import check_paths, load_content
from quiz.exchange.exporting import export
from quiz.exchange.formats import SKIPPED
from quiz.exchange.registry import FORMATS
from quiz.exchange.selection import select as select_questions
from quiz.extensions import db
from quiz.grading import grade, parse_form
from quiz.live.models import LiveAnswer, LiveSession
from quiz.models import Card, Question
from quiz.questions import QUESTION_TYPES, QuestionType
from quiz.questions.responses import InvalidResponse, one, quote, whole
from tests.helpers.forms import TOKEN
from tests.helpers.sessions import sign_in

VERSION = re.compile(r'name="version" value="(\d+)"')


class Numeric(QuestionType):
    """A number typed in, right when it equals the answer."""

    name = "numeric"
    label = "Number"
    fields = {"answer": {"type": "number"}}
    required = ("answer",)
    live_prompt_on_phone = True

    def check(self, question):
        answer = question.get("answer")
        if isinstance(answer, int | float) and answer < 0:
            yield ("answer",), "a count cannot be negative"

    def answer_text(self, question):
        return format(question["answer"], "g")

    def grade(self, question, response):
        if not isinstance(response, str):
            raise InvalidResponse(f"expected a number as text, not {quote(response)}")
        try:
            value = float(response.replace(",", "."))
        except ValueError:
            raise InvalidResponse(f"{quote(response)} is not a number") from None
        return whole(value == question["answer"])

    def parse_form(self, question, form):
        return one(form, "answer")


MACROS = """\
{% macro input(q, layout) -%}
<div class="field"><label class="prompt" for="answer">{{ q.prompt }}</label>
<input type="text" inputmode="decimal" id="answer" name="answer" required></div>
{%- endmacro %}
{% macro feedback(q, layout, marked, given) -%}
<p class="prompt">{{ q.prompt }}</p><p>You gave <strong class="numeric-given">{{ given }}</strong>.</p>
{%- endmacro %}
{% macro readonly(q) -%}
<p class="prompt">{{ q.prompt }}</p>
<p class="answer">Answer: <strong class="numeric-answer">{{ q.answer }}</strong></p>
{%- endmacro %}
{% macro live_input(ask) -%}
<input class="input input-big numeric-live" type="text" inputmode="decimal" id="answer" name="answer"
  aria-label="Your number" required><button class="button button-big" type="submit">Send answer</button>
{%- endmacro %}
{% macro card_ask(card) -%}<p class="flashcard-ask">Which number?</p>{%- endmacro %}
{% macro card_back(card) -%}<p class="flashcard-text is-term">{{ card.back }}</p>{%- endmacro %}
"""

BANK = """\
id: numbers
title: "Numbers"
questions:
  - id: guests-in-example
    type: numeric
    prompt: "How many guests run on the host in the example?"
    answer: 4
    concepts: [host]
"""


@pytest.fixture
def numeric(app, runner, content_dir: Path, tmp_path: Path, monkeypatch):
    """The app with the ``numeric`` type registered, its macro file found, and a bank of it synced."""
    monkeypatch.setitem(QUESTION_TYPES, "numeric", Numeric())
    folder = tmp_path / "type-templates"
    (folder / "questions").mkdir(parents=True)
    (folder / "questions" / "numeric.html").write_text(MACROS, encoding="utf-8")
    monkeypatch.setattr(app.jinja_env, "loader",
                        ChoiceLoader([FileSystemLoader(folder), app.jinja_env.loader]))
    (content_dir / "banks" / "numbers.yaml").write_text(BANK, encoding="utf-8")
    result = runner.invoke(args=["content", "sync"])
    assert result.exit_code == 0, result.output
    return app


def token_in(body: str) -> str:
    """The CSRF token of the first form on a page."""
    found = TOKEN.search(body)
    assert found, "the page has no csrf_token input"
    return found.group(1)


def question_data(app) -> dict:
    """The synced numeric question as the database holds it."""
    with app.app_context():
        return db.session.scalars(select(Question).where(Question.type == "numeric")).one().data


def test_it_validates(numeric, content_dir):
    content = load_content(content_dir)
    [bank] = [b for b in content.banks if b.id == "numbers"]
    assert [q.type for q in bank.questions] == ["numeric"]
    (content_dir / "banks" / "numbers.yaml").write_text(
        BANK.replace("answer: 4", "answer: four") + BANK.split("questions:\n")[1]
        .replace("guests-in-example", "negative").replace("answer: 4", "answer: -1"), encoding="utf-8")
    with pytest.raises(ContentInvalid) as caught:
        load_content(content_dir)
    messages = [str(error) for error in caught.value.errors]
    assert any("numbers.yaml:" in m and "questions[0].answer: expected a number, got text" in m
               for m in messages), messages
    assert any("questions[1].answer: a count cannot be negative" in m for m in messages), messages


def test_its_own_lint_warnings_are_reported_with_the_others(numeric, content_dir, monkeypatch):
    assert not [w for w in check_paths([content_dir]).warnings if "numbers.yaml" in str(w)]

    def lint(self, question):
        if question["answer"] == 4:
            yield ("answer",), "the example's own count gives the answer away", "example-count"

    monkeypatch.setattr(Numeric, "lint", lint)
    warnings = [str(w) for w in check_paths([content_dir]).warnings]
    assert any("numbers.yaml:" in w and "questions[0].answer: the example's own count gives the answer "
               "away [example-count]" in w for w in warnings), warnings


def test_it_grades_and_parses_its_form(numeric):
    question = question_data(numeric)
    assert grade(question, "4.0").correct and grade(question, "4.0").expected == "4"
    assert not grade(question, "5").correct
    assert parse_form(question, {"answer": ["4"]}) == "4"
    with pytest.raises(InvalidResponse):
        parse_form(question, {"answer": ["four"]})


def test_it_shows_on_the_bank_page_and_is_studied(numeric):
    client = numeric.test_client()
    sign_in(numeric, client)
    assert 'class="numeric-answer">4<' in client.get("/banks/numbers").get_data(as_text=True)
    setup = client.get("/study").get_data(as_text=True)
    assert 'value="numeric"' in setup and ">Number<" in setup
    started = client.post("/study", data={"csrf_token": token_in(setup), "order": "shuffled",
                                          "types": "numeric", "count": "1"})
    assert started.status_code == 302, started.get_data(as_text=True)
    url = started.headers["Location"]
    body = client.get(url).get_data(as_text=True)
    assert 'inputmode="decimal"' in body and '<span class="badge">Number</span>' in body
    forged = client.post(url, data={"csrf_token": token_in(body), "answer": "four"})
    assert forged.status_code == 400
    assert "That answer could not be read: &#39;four&#39; is not a number" in forged.get_data(as_text=True)
    answered = client.post(url, data={"csrf_token": token_in(body), "answer": "5"}, follow_redirects=True)
    text = answered.get_data(as_text=True)
    assert 'class="numeric-given">5<' in text and "The answer: <strong>4</strong>" in text


def _host(app):
    client = app.test_client()
    sign_in(app, client, "teacher", is_instructor=True)
    return client


def _create(host, types: list[str]):
    body = host.get("/live").get_data(as_text=True)
    return host.post("/live", data={"csrf_token": token_in(body), "count": "1", "seconds": "20",
                                    "points": "standard", "types": types, "show_on_devices": "on",
                                    "shuffle": "on"}, follow_redirects=False)


def test_it_plays_live(numeric):
    host = _host(numeric)
    form = host.get("/live").get_data(as_text=True)
    assert 'id="type-numeric"' in form
    created = _create(host, ["numeric"])
    assert created.status_code == 302, created.get_data(as_text=True)
    session_id = int(re.search(r"/live/(\d+)/host", created.headers["Location"]).group(1))
    with numeric.app_context():
        pin = db.session.get(LiveSession, session_id).pin
    phone = numeric.test_client()
    join = phone.get(f"/live/join?pin={pin}").get_data(as_text=True)
    phone.post("/live/join", data={"csrf_token": token_in(join), "pin": pin, "nickname": "ada"})
    screen = host.get(f"/live/{session_id}/host").get_data(as_text=True)
    host.post(f"/live/{session_id}/act", data={"csrf_token": token_in(screen), "action": "start",
                                               "version": VERSION.search(screen).group(1)})
    assert "Type your answer on your phone." in host.get(f"/live/{session_id}/host").get_data(as_text=True)
    play = phone.get(f"/live/{pin}/play").get_data(as_text=True)
    assert 'class="input input-big numeric-live"' in play
    assert '<template id="live-input-numeric">' in play
    assert "How many guests run on the host in the example?" in play
    sent = phone.post(f"/live/{pin}/answer", data={"csrf_token": token_in(play), "question": "0",
                                                   "answer": "4"})
    assert sent.status_code in (200, 302, 303), sent.get_data(as_text=True)
    with numeric.app_context():
        assert db.session.scalars(select(LiveAnswer.correct)).all() == [True]


def test_a_type_live_play_cannot_ask_is_refused_with_its_reason(numeric, monkeypatch):
    monkeypatch.setattr(Numeric, "live_refusal", "a number needs a keypad the phones lack")
    host = _host(numeric)
    form = host.get("/live").get_data(as_text=True)
    assert 'id="type-numeric"' not in form
    assert "Number (a number needs a keypad the phones lack)" in form
    refused = _create(host, ["numeric"])
    assert refused.status_code == 302 and refused.headers["Location"].endswith("/live")
    page = host.get("/live").get_data(as_text=True)
    assert "Live play does not support: numeric (Number: a number needs a keypad the phones lack)." in page
    with numeric.app_context():
        assert db.session.scalars(select(LiveSession)).all() == []


@pytest.mark.parametrize("name", list(FORMATS))
def test_it_exports_or_is_a_stated_loss_in_every_format(numeric, content_dir, name):
    fmt = FORMATS[name]
    content = load_content(content_dir)
    chosen = select_questions(content, banks=("numbers", "ch01-concepts"))
    data, report = export(fmt, chosen)
    others = export(fmt, chosen.without_types({"numeric"}))[1].exported
    assert report.by_type["numeric"] == 1
    if fmt.support_of("numeric").kind == SKIPPED:
        assert any(note.startswith("skipped 1 numeric question(s): ") and "Number" in note
                   for note in report.notes), report.notes
        assert report.exported == others
    else:
        assert report.exported == others + 1
        assert fmt.parse is not None
        imported = fmt.parse(data, f"numbers{fmt.extension}", chosen.concepts)
        back = next(q.data for q in imported.questions if q.data["type"] == "numeric")
        assert (back["answer"], back["prompt"]) == (4, "How many guests run on the host in the example?")
    assert data


def test_a_type_that_makes_flashcards_gets_its_card_at_the_next_sync(numeric, runner, monkeypatch):
    monkeypatch.setattr(Numeric, "card_label", "Number", raising=False)
    monkeypatch.setattr(Numeric, "card", lambda self, q: (q["prompt"], self.answer_text(q)), raising=False)
    result = runner.invoke(args=["content", "sync"])
    assert result.exit_code == 0, result.output
    with numeric.app_context():
        card = db.session.scalars(select(Card).where(Card.kind == "numeric")).one()
        assert (card.front, card.back, card.retired) == (
            "How many guests run on the host in the example?", "4", False)
    monkeypatch.setattr(Numeric, "card_label", None)
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    with numeric.app_context():
        assert db.session.scalars(select(Card.retired).where(Card.kind == "numeric")).one() is True


def test_the_live_form_names_the_built_in_types_it_leaves_out_with_their_reasons(synced):
    form = _host(synced).get("/live").get_data(as_text=True)
    for name in ("cloze", "matching"):
        qtype = QUESTION_TYPES[name]
        assert f'id="type-{name}"' not in form
        assert f"{qtype.label} ({qtype.live_refusal})" in form
    played = ("single", "multiple", "true_false", "short", "ordering")
    assert all(f'id="type-{name}"' in form for name in played)
