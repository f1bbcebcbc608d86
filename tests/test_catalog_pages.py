"""The home and bank pages, /healthz, 404s and HTML escaping."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from markupsafe import escape

from quiz.catalog.queries import bank_summaries
from quiz.content.types import QUESTION_TYPES, cloze_blanks, cloze_segments
from quiz.content.validate import load_content
from quiz.content.writer import dump_yaml
from quiz.extensions import db
from quiz.models import Question

SCRIPT = "<script>alert(1)</script>"


def html(text: str) -> str:
    """``text`` as an autoescaping template writes it."""
    return str(escape(text))


def page(client, url: str) -> str:
    """The body of a page that must answer 200."""
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def item(body: str, key: str) -> str:
    """The list item of one question on a bank page."""
    match = re.search(rf'<li class="question" id="q-{re.escape(key)}">(.*?)\n  </li>', body, re.S)
    assert match, f"question {key} is not on the page"
    return match.group(1)


def card(body: str, title: str) -> str:
    """The card of one bank on the home page."""
    cards = body.split('<li class="card">')[1:]
    found = [c for c in cards if f">{html(title)}</a>" in c]
    assert len(found) == 1, title
    return found[0]


def write_bank(content_dir: Path, data: dict) -> None:
    """Add a bank file to the test's content copy."""
    (content_dir / "banks" / f"{data['id']}.yaml").write_text(dump_yaml(data), encoding="utf-8")


def test_home_before_any_sync_says_how_to_load_banks(client):
    assert "Run <code>quiz content sync</code>" in page(client, "/")


def test_home_lists_banks_with_question_counts_per_concept(synced, client, content_dir):
    body = page(client, "/")
    content = load_content(content_dir)
    for bank in content.banks:
        section = card(body, bank.title)
        assert f"{len(bank.questions)} questions" in section
        assert f'href="/banks/{bank.id}"' in section
        counts = Counter(c for q in bank.questions for c in q.concepts)
        for concept_id, count in counts.items():
            term = html(content.concepts[concept_id].term)
            assert f'<th scope="row">{term}</th><td class="num">{count}</td>' in section


def test_counts_leave_out_retired_questions(synced, runner, content_dir):
    path = content_dir / "banks" / "ch01-concepts.yaml"
    text = path.read_text(encoding="utf-8")
    total = len(load_content(content_dir).bank("ch01-concepts").questions)
    cut = text.index("  - id: method-with-modified-guest")
    path.write_text(text[:cut], encoding="utf-8")  # keeps only the first question
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    with synced.app_context():
        summary = {s.id: s for s in bank_summaries(db.session)}["ch01-concepts"]
    assert total > 1
    assert summary.questions == 1
    assert {concept.id: n for concept, n in summary.per_concept} == {
        "full-virtualization": 1, "paravirtualization": 1, "software-virtualization": 1}


@pytest.mark.parametrize("qtype", list(QUESTION_TYPES))
def test_every_type_renders_its_prompt_and_answer(synced, client, qtype):
    with synced.app_context():
        row = db.session.execute(
            db.select(Question).where(Question.type == qtype).order_by(Question.id)
        ).scalars().first()
        assert row is not None, f"no {qtype} question in the banks"
        bank_id, key, q = row.bank_id, row.key, row.data
    section = item(page(client, f"/banks/{bank_id}"), key)
    assert html(QUESTION_TYPES[qtype].label) in section
    assert html(q["explanation"]) in section
    if qtype == "cloze":
        blanks = cloze_blanks(q["prompt"])
        for segment in cloze_segments(q["prompt"]):
            assert html(segment) in section
        for alternatives in blanks:
            assert f'<mark class="blank">{html(" / ".join(alternatives))}</mark>' in section
        assert "{{" not in section
    else:
        assert html(q["prompt"]) in section
    expected = {
        "single": lambda: [f'{html(q["answer"])} <span class="mark">(answer)</span>'],
        "multiple": lambda: [f'{html(a)} <span class="mark">(answer)</span>' for a in q["answer"]],
        "true_false": lambda: [f"Answer: <strong>{q['answer']}</strong>"],
        "short": lambda: [f"<strong>{html(a)}</strong>" for a in q["answer"]],
        "cloze": lambda: [],
        "matching": lambda: [f"<dt>{html(left)}</dt><dd>{html(right)}</dd>"
                             for left, right in q["pairs"].items()],
        "ordering": lambda: ["".join(f"<li>{html(i)}</li>" for i in q["items"])],
    }[qtype]()
    for fragment in expected:
        assert fragment in section


def test_bank_page_is_read_only(synced, client, content_dir):
    body = page(client, "/banks/ch01-definitions")
    expected = len(load_content(content_dir).bank("ch01-definitions").questions)
    assert body.count('<li class="question"') == expected
    assert "<form" not in body and "<input" not in body


def test_bank_page_shows_the_concepts_a_question_tests(synced, client):
    section = item(page(client, "/banks/ch01-concepts"), "fastest-method")
    for term in ("Full virtualization", "Paravirtualization", "Software virtualization"):
        assert f'<span class="chip">{term}</span>' in section


def test_bank_page_leaves_out_retired_questions(synced, runner, client, content_dir):
    path = content_dir / "banks" / "ch01-concepts.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  - id: fastest-method")
    end = text.index("  - id: method-with-modified-guest")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    body = page(client, "/banks/ch01-concepts")
    assert 'id="q-fastest-method"' not in body
    assert 'id="q-method-with-modified-guest"' in body


def test_healthz_answers_json(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.is_json
    assert response.get_json() == {"status": "ok"}


def test_unknown_bank_is_404(synced, client):
    assert client.get("/banks/no-such-bank").status_code == 404


def test_retired_bank_is_404_and_off_the_home_page(synced, runner, client, content_dir):
    assert client.get("/banks/ch01-concepts").status_code == 200
    (content_dir / "banks" / "ch01-concepts.yaml").unlink()
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    assert client.get("/banks/ch01-concepts").status_code == 404
    body = page(client, "/")
    assert "/banks/ch01-concepts" not in body
    assert "/banks/ch01-definitions" in body


def test_html_in_content_is_escaped(app, runner, client, content_dir):
    common = {"explanation": f"Why {SCRIPT}", "concepts": ["host"]}
    write_bank(content_dir, {
        "id": "escaping",
        "title": f"Bank {SCRIPT}",
        "questions": [
            {"id": "single", "type": "single", "prompt": f"Pick {SCRIPT}",
             "choices": [f"A {SCRIPT}", "B"], "answer": f"A {SCRIPT}", **common},
            {"id": "short", "type": "short", "prompt": f"Name {SCRIPT}",
             "answer": [f"x{SCRIPT}"], **common},
            {"id": "cloze", "type": "cloze", "prompt": f"Fill {SCRIPT} {{{{a{SCRIPT}}}}}",
             **common},
            {"id": "matching", "type": "matching", "prompt": "Match",
             "pairs": {f"L {SCRIPT}": "R", "M": f"S {SCRIPT}"}, **common},
            {"id": "ordering", "type": "ordering", "prompt": "Order",
             "items": [f"1 {SCRIPT}", "2"], **common},
        ],
    })
    result = runner.invoke(args=["content", "sync"])
    assert result.exit_code == 0, result.output
    for url in ("/", "/banks/escaping"):
        body = page(client, url)
        assert SCRIPT not in body, url
        assert html(SCRIPT) in body, url
    assert page(client, "/banks/escaping").count(html(SCRIPT)) >= 10
