"""The answering core (quiz/attempts): what a selection draws, the layouts, an answer recorded once.

Study and live play both open and record through it: the tests below hold
them to the core's functions and statements, not to copies of them.
"""

from __future__ import annotations

import random

import pytest
from sqlalchemy import func, select

from quiz.attempts import recording
from quiz.attempts.recording import ANSWER_COLUMNS, AnswerRow, answer_row, record_answer
from quiz.attempts.selection import Selection, draw_questions, layouts, matching_questions
from quiz.extensions import db
from quiz.grading import Grade
from quiz.live import opening, writer
from quiz.live import service as live
from quiz.live.models import LivePlayer, LiveSession
from quiz.models import Answer, Attempt, Question, QuestionConcept
from quiz.study import service as study
from tests.helpers.attempts import ids_of, make_user, right_answer, slot_at, start
from tests.helpers.clock import T0
from tests.helpers.live import act, create, current_question, join, right, wrong
from tests.helpers.sessions import sign_in

DIALECTS = ("sqlite", "postgresql")


# ------------------------------------------------------------------ selection


def test_banks_filter_keeps_only_that_bank(session):
    chosen = matching_questions(session, Selection(banks=("ch01-concepts",)))
    assert chosen
    assert {q.bank_id for q in chosen} == {"ch01-concepts"}
    assert [q.id for q in chosen] == ids_of(session, bank="ch01-concepts")


def test_concepts_filter_keeps_questions_that_test_the_concept(session):
    chosen = matching_questions(session, Selection(concepts=("host",)))
    expected = set(session.scalars(
        db.select(QuestionConcept.question_id).where(QuestionConcept.concept_id == "host")))
    assert chosen
    assert {q.id for q in chosen} == expected
    assert all("host" in {c.id for c in q.concepts} for q in chosen)


def test_types_filter_keeps_only_those_types(session):
    chosen = matching_questions(session, Selection(types=("matching", "ordering")))
    assert {q.type for q in chosen} == {"matching", "ordering"}
    assert len(chosen) == len(ids_of(session, "matching")) + len(ids_of(session, "ordering"))


def test_filters_combine(session):
    chosen = matching_questions(
        session, Selection(banks=("ch01-concepts",), types=("single",), concepts=("hypervisor",)))
    assert chosen
    for q in chosen:
        assert (q.bank_id, q.type) == ("ch01-concepts", "single")
        assert "hypervisor" in {c.id for c in q.concepts}


def test_question_ids_filter_and_retired_questions_are_left_out(session):
    first, second, third = ids_of(session)[:3]
    session.get(Question, second).retired = True
    session.flush()
    chosen = matching_questions(session, Selection(question_ids=(first, second, third)))
    assert [q.id for q in chosen] == [first, third]


def test_a_draw_keeps_file_order_unless_shuffled_and_stops_at_the_count(session):
    ids = ids_of(session, "single")
    kept = draw_questions(session, Selection(types=("single",), count=4, shuffle=False), random.Random(5))
    assert [q.id for q in kept] == ids[:4]
    drawn = draw_questions(session, Selection(types=("single",), count=len(ids)), random.Random(5))
    assert sorted(q.id for q in drawn) == sorted(ids) and [q.id for q in drawn] != ids


# ------------------------------------------------------------------ layout


def noting(calls: list):
    """The core's ``layouts``, noting in ``calls`` the question ids and shuffle flag of each call."""

    def spy(questions, rng, shuffle=True):
        questions = list(questions)
        calls.append(([q.id for q in questions], shuffle))
        return layouts(questions, rng, shuffle)

    return spy


def test_a_layout_keeps_choices_in_file_order_when_asked_and_never_shows_an_order_solved(session):
    singles = [session.get_one(Question, qid) for qid in ids_of(session, "single")[:3]]
    orderings = [session.get_one(Question, qid) for qid in ids_of(session, "ordering")]
    kept = layouts(singles + orderings, random.Random(2), shuffle=False)
    assert list(kept) == [str(q.id) for q in singles + orderings]
    assert all(kept[str(q.id)] == {"choices": q.data["choices"]} for q in singles)
    assert orderings and all(kept[str(q.id)]["items"] != q.data["items"] for q in orderings)


def test_a_study_attempt_lays_out_its_questions_through_the_core(session, monkeypatch):
    selection = Selection(types=("single", "ordering"), count=5)
    rng = random.Random(11)
    expected = layouts(draw_questions(session, selection, rng), rng)
    calls: list = []
    monkeypatch.setattr(study, "layouts", noting(calls))
    attempt = study.start_attempt(session, None, selection, random.Random(11))
    assert attempt.layout == expected
    assert calls == [(attempt.question_ids, True)]


def test_a_live_session_lays_out_its_questions_through_the_core(session, monkeypatch):
    calls: list = []
    monkeypatch.setattr(opening, "layouts", noting(calls))
    host_id = make_user(session, "teacher")
    made = opening.create_session(session, host_id, Selection(types=("single",), count=3),
                                  opening.Settings(shuffle=False), random.Random(4))
    assert calls == [(made.question_ids, False)]
    assert made.layout == layouts([session.get_one(Question, qid) for qid in made.question_ids],
                                  random.Random(0), shuffle=False)  # file order: no draw of the rng shows


# ------------------------------------------------------------------ recording


def test_the_answers_row_is_every_column_of_answers_but_its_id():
    assert tuple(AnswerRow.__annotations__) == ANSWER_COLUMNS
    assert set(ANSWER_COLUMNS) == set(Answer.__table__.c.keys()) - {"id"}


@pytest.mark.parametrize(("correct", "has_cards", "pending"), [
    (False, True, True), (True, True, False), (False, False, False)])
def test_only_a_learners_wrong_answer_brings_their_flashcards_forward(correct, has_cards, pending):
    marked = Grade(correct, 1.0 if correct else 0.0, "expected")
    row = answer_row(3, 4, "Host", marked, T0, has_cards=has_cards)
    assert row == {"attempt_id": 3, "question_id": 4, "response": {"value": "Host"}, "correct": correct,
                   "score": marked.score, "answered_at": T0, "push_pending": pending}


def test_record_answer_writes_once_and_a_repeat_leaves_the_first_standing(session):
    attempt = Attempt(user_id=None, question_ids=ids_of(session, "single")[:2], layout={}, settings={})
    session.add(attempt)
    session.flush()
    question_id = attempt.question_ids[0]
    connection = session.connection()
    first = record_answer(connection, answer_row(attempt.id, question_id, "a", Grade(True, 1.0, "a"), T0,
                                                 has_cards=False))
    repeat = record_answer(connection, answer_row(attempt.id, question_id, "b", Grade(False, 0.0, "a"), T0,
                                                  has_cards=False))
    assert isinstance(first, int) and repeat is None
    rows = list(session.scalars(select(Answer).where(Answer.attempt_id == attempt.id)))
    assert [(r.id, r.response, r.correct) for r in rows] == [(first, {"value": "a"}, True)]
    wrong_c = Grade(False, 0.0, "a")
    other = record_answer(connection, answer_row(attempt.id, attempt.question_ids[1], "c", wrong_c, T0,
                                                 has_cards=False))
    assert other is not None and other != first


def test_study_records_its_answers_through_record_answer(session, monkeypatch):
    rows = []

    def spy(connection, row):
        rows.append(dict(row))
        return record_answer(connection, row)

    monkeypatch.setattr(study, "record_answer", spy)
    attempt = start(session, ids_of(session, "single")[:2])
    current = slot_at(session, attempt, 1)
    recorded = study.submit_answer(session, current, right_answer(current.data), now=T0)
    assert rows == [answer_row(attempt.id, current.question_id, right_answer(current.data),
                               Grade(True, 1.0, ""), T0, has_cards=False)]
    assert study.submit_answer(session, slot_at(session, attempt, 1), right_answer(current.data)) == recorded
    assert len(rows) == 1  # a repeat finds the answer in its slot and writes nothing


@pytest.mark.parametrize("dialect", DIALECTS)
def test_live_writes_its_progress_rows_with_the_cores_insert(dialect):
    assert writer._statements(dialect).progress is recording.answer_insert(dialect)


def test_a_live_learners_answer_is_the_cores_row_written_once_in_a_batch(synced, host, clock):
    session_id, pin = create(host)
    learner = synced.test_client()
    sign_in(synced, learner, "ada")
    join(synced, pin, "Ada", client=learner)
    join(synced, pin, "Bob")
    act(host, session_id, "start")
    index, data = current_question(synced, session_id)
    with synced.app_context():
        session = db.session
        current = session.get_one(LiveSession, session_id)
        players = {p.nickname: p for p in session.scalars(select(LivePlayer))}
        ada, bob = (live.entry(session, current, players[name], index, answer, T0, data)
                    for name, answer in (("Ada", wrong(data)), ("Bob", right(data))))
        attempt_id = players["Ada"].attempt_id
        session.rollback()
        assert bob.progress is None
        assert ada.progress == answer_row(attempt_id, current.question_ids[index], wrong(data),
                                          Grade(False, 0.0, ""), T0, has_cards=True)
        with db.engine.begin() as connection:
            writer.record_all(connection, [ada, bob, ada])
        recorded = session.execute(select(Answer.attempt_id, Answer.correct, Answer.push_pending)).all()
        assert [tuple(row) for row in recorded] == [(attempt_id, False, True)]
        assert session.scalar(select(func.count()).select_from(Answer)) == 1
