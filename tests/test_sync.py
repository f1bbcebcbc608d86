"""`quiz content sync`: add, update in place, retire, never delete; all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy
import yaml

from quiz.catalog import sync as sync_module
from quiz.content.validate import load_content
from quiz.content.writer import dump_yaml
from quiz.extensions import db
from quiz.models import Answer, Attempt, Bank, Card, Concept, Question, QuestionConcept
from tests.helpers.tables import snapshot

BANK = "ch01-concepts"


def bank_file(content_dir: Path, bank_id: str = BANK) -> Path:
    """The file of a bank in the test's content copy."""
    return content_dir / "banks" / f"{bank_id}.yaml"


def edit_bank(content_dir: Path, change, bank_id: str = BANK) -> None:
    """Rewrite a bank file after ``change(data)`` has edited its parsed YAML in place."""
    path = bank_file(content_dir, bank_id)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(dump_yaml(data), encoding="utf-8")


def find(data: dict, key: str) -> dict:
    """The question with this id in parsed bank data."""
    return next(q for q in data["questions"] if q["id"] == key)


def question(bank_id: str, key: str) -> Question:
    """The database row of one question."""
    return db.session.execute(
        db.select(Question).where(Question.bank_id == bank_id, Question.key == key)
    ).scalar_one()


def sync(runner):
    """Run `quiz content sync` and end the session, so later reads see the database."""
    result = runner.invoke(args=["content", "sync"])
    db.session.remove()
    return result


@pytest.fixture
def ctx(synced):
    """An app context on the synced app, for reading the database."""
    with synced.app_context():
        yield


@pytest.fixture
def answered(ctx) -> tuple[int, int]:
    """An answer to `fastest-method`, as (answer id, question id)."""
    target = question(BANK, "fastest-method")
    attempt = Attempt(question_ids=[target.id])
    db.session.add(attempt)
    db.session.flush()
    answer = Answer(attempt_id=attempt.id, question_id=target.id, response={"choice": "x"},
                    correct=False)
    db.session.add(answer)
    db.session.commit()
    ids = answer.id, target.id
    db.session.remove()
    return ids


def test_first_sync_loads_every_bank_question_and_concept(ctx, content_dir):
    content = load_content(content_dir)
    rows = db.session.execute(db.select(Question)).scalars().all()
    assert sorted((q.bank_id, q.key) for q in rows) == sorted(
        (bank.id, q.id) for bank in content.banks for q in bank.questions)
    assert not any(q.retired for q in rows)
    concepts = db.session.execute(db.select(Concept.id)).scalars().all()
    assert set(concepts) == set(content.concepts)
    generated = dict(db.session.execute(db.select(Bank.id, Bank.generated)).all())
    assert generated == {"ch01-concepts": False, "ch01-definitions": True}


def test_questions_link_to_the_concepts_they_test(ctx, content_dir):
    written = load_content(content_dir).bank(BANK).questions[0]
    row = question(BANK, written.id)
    links = db.session.execute(
        db.select(QuestionConcept.concept_id).where(QuestionConcept.question_id == row.id)
    ).scalars().all()
    assert sorted(links) == sorted(written.concepts)
    assert row.data == written.to_dict()


def test_second_sync_changes_nothing(ctx, runner):
    before = snapshot()
    result = sync(runner)
    assert result.exit_code == 0, result.output
    assert "0 added, 0 updated, 0 retired" in result.output
    after = snapshot()
    for table in ("concepts", "questions", "question_concepts"):
        assert after[table] == before[table], table


def test_changed_question_is_updated_in_place(ctx, runner, content_dir):
    old = question(BANK, "fastest-method")
    old_id = old.id
    db.session.remove()

    def change(data):
        item = find(data, "fastest-method")
        item["prompt"] = "Which method does the chapter call the fastest?"
        item["concepts"] = ["full-virtualization"]

    edit_bank(content_dir, change)
    result = sync(runner)
    assert result.exit_code == 0, result.output
    assert "1 updated" in result.output
    row = question(BANK, "fastest-method")
    assert row.id == old_id
    assert row.prompt == "Which method does the chapter call the fastest?"
    assert row.data["prompt"] == row.prompt
    assert [c.id for c in row.concepts] == ["full-virtualization"]


def test_removed_question_is_retired_and_its_answers_survive(answered, runner, content_dir):
    answer_id, question_id = answered
    edit_bank(content_dir, lambda data: data["questions"].remove(find(data, "fastest-method")))
    result = sync(runner)
    assert result.exit_code == 0, result.output
    assert "1 retired" in result.output
    row = db.session.get(Question, question_id)
    assert row is not None and row.retired
    answer = db.session.get(Answer, answer_id)
    assert answer is not None and answer.question_id == question_id
    live = db.session.execute(
        db.select(Question.key).where(Question.bank_id == BANK, Question.retired.is_(False))
    ).scalars().all()
    assert "fastest-method" not in live and live


def test_readded_question_is_unretired_under_the_same_id(ctx, runner, content_dir):
    original = bank_file(content_dir).read_text(encoding="utf-8")
    question_id = question(BANK, "fastest-method").id
    db.session.remove()
    edit_bank(content_dir, lambda data: data["questions"].remove(find(data, "fastest-method")))
    assert sync(runner).exit_code == 0
    assert question(BANK, "fastest-method").retired
    db.session.remove()
    bank_file(content_dir).write_text(original, encoding="utf-8")
    result = sync(runner)
    assert result.exit_code == 0, result.output
    row = question(BANK, "fastest-method")
    assert (row.id, row.retired) == (question_id, False)


def test_new_question_is_added(ctx, runner, content_dir):
    def add(data):
        data["questions"].append({
            "id": "brand-new", "type": "true_false", "prompt": "A host runs guests.",
            "answer": True, "explanation": "The chapter says so.", "concepts": ["host"],
        })

    edit_bank(content_dir, add)
    result = sync(runner)
    assert result.exit_code == 0, result.output
    assert "1 added" in result.output
    row = question(BANK, "brand-new")
    assert (row.type, row.retired, [c.id for c in row.concepts]) == ("true_false", False, ["host"])


def test_removed_bank_file_retires_the_bank_and_its_questions(answered, runner, content_dir):
    answer_id, question_id = answered
    bank_file(content_dir).unlink()
    result = sync(runner)
    assert result.exit_code == 0, result.output
    assert db.session.get(Bank, BANK).retired
    states = db.session.execute(
        db.select(Question.retired).where(Question.bank_id == BANK)).scalars().all()
    assert states and all(states)
    assert db.session.get(Answer, answer_id).question_id == question_id
    other = db.session.get(Bank, "ch01-definitions")
    assert not other.retired


def test_restored_bank_file_brings_the_bank_back(ctx, runner, content_dir):
    original = bank_file(content_dir).read_text(encoding="utf-8")
    ids = set(db.session.execute(
        db.select(Question.id).where(Question.bank_id == BANK)).scalars())
    db.session.remove()
    bank_file(content_dir).unlink()
    assert sync(runner).exit_code == 0
    bank_file(content_dir).write_text(original, encoding="utf-8")
    assert sync(runner).exit_code == 0
    assert not db.session.get(Bank, BANK).retired
    live = set(db.session.execute(db.select(Question.id).where(
        Question.bank_id == BANK, Question.retired.is_(False))).scalars())
    assert live == ids


def test_invalid_bank_aborts_and_keeps_the_database(answered, runner, content_dir):
    before = snapshot()
    db.session.remove()
    # A valid edit and a removal in one bank, an error in the other: none may land.
    edit_bank(content_dir, lambda data: data["questions"].pop())
    edit_bank(content_dir, lambda data: data.update(title="Renamed"), "ch01-definitions")

    def break_answer(data):
        find(data, "fastest-method")["answer"] = "Hosts"
        find(data, "method-with-modified-guest")["prompt"] = "Edited, but never saved"

    edit_bank(content_dir, break_answer)
    result = sync(runner)
    assert result.exit_code == 1
    assert "ch01-concepts.yaml:" in result.output
    assert "answer: 'Hosts' is not one of the choices" in result.output
    assert "sync aborted" in result.output
    assert snapshot() == before


def test_failure_midway_rolls_back_every_bank(answered, runner, content_dir, monkeypatch):
    """The writes are one transaction: a failure after every question was written undoes them all."""
    before = snapshot()
    db.session.remove()

    def change_first(data):
        find(data, "fastest-method")["prompt"] = "Edited, but rolled back"
        data["questions"].pop()

    edit_bank(content_dir, change_first)
    edit_bank(content_dir, lambda data: data["questions"].pop(), "ch01-definitions")
    real = sync_module._tell_planned

    def failing_last(session, content, cards, plan):
        # The last statement repeats a card's unique key, so it fails after every other write ran.
        real(session, content, cards, plan)
        row = {"key": "concept:host:forward", "kind": "forward", "front": "x", "back": "y",
               "concept_id": None, "question_id": None, "position": 0, "retired": False}
        plan.add(db.insert(Card), [row])

    monkeypatch.setattr(sync_module, "_tell_planned", failing_last)
    result = sync(runner)
    assert result.exit_code == 1
    assert "the database refused the sync (IntegrityError" in result.output
    assert "it keeps what it had" in result.output
    assert snapshot() == before


# ------------------------------------------------------------- bulk and short

def many_questions(content_dir: Path, count: int) -> None:
    """A bank of ``count`` true/false questions beside the committed ones."""
    questions = [{"id": f"q{n}", "type": "true_false", "prompt": f"A host runs guest number {n}.",
                  "answer": True, "concepts": ["host", "virtual-machine"]} for n in range(count)]
    bank_file(content_dir, "many").write_text(
        dump_yaml({"id": "many", "title": "Many", "questions": questions}), encoding="utf-8")


@pytest.fixture
def statements(synced):
    """Every SQL statement the app's engine runs from now on, in order."""
    seen: list[str] = []
    with synced.app_context():
        engine = db.engine

    def record(_conn, _cursor, statement, *_args):
        seen.append(" ".join(statement.split()).upper())

    sqlalchemy.event.listen(engine, "before_cursor_execute", record)
    yield seen
    sqlalchemy.event.remove(engine, "before_cursor_execute", record)


def test_a_large_sync_runs_a_few_bulk_statements_not_one_per_question(ctx, runner, content_dir,
                                                                        statements):
    many_questions(content_dir, 3000)
    result = sync(runner)
    assert result.exit_code == 0, result.output
    assert "3000 added" in result.output
    assert len(statements) < 40, statements[:50]
    live = db.session.execute(db.select(db.func.count()).select_from(Question)
                              .where(Question.bank_id == "many", Question.retired.is_(False))).scalar()
    links = db.session.execute(db.select(db.func.count()).select_from(QuestionConcept)
                               .join(Question).where(Question.bank_id == "many")).scalar()
    assert (live, links) == (3000, 6000)


def test_the_write_transaction_only_writes(ctx, runner, content_dir, statements):
    """Every read and all the planning happen before BEGIN IMMEDIATE takes SQLite's write lock."""
    many_questions(content_dir, 500)
    edit_bank(content_dir, lambda data: find(data, "fastest-method").update(prompt="Which one is fastest?"))
    assert sync(runner).exit_code == 0
    begin = statements.index("BEGIN IMMEDIATE")
    inside = statements[begin + 1:]
    assert inside and all(s.split()[0] in {"INSERT", "UPDATE", "DELETE"} for s in inside), inside
    assert any(s.startswith("SELECT") for s in statements[:begin])


def test_a_sync_that_changes_nothing_writes_no_question(ctx, runner, statements):
    assert sync(runner).exit_code == 0
    writes = ("INSERT", "DELETE", "UPDATE QUESTIONS", "UPDATE CARDS")
    assert not [s for s in statements if s.startswith(writes)]
