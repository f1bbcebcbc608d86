"""The self-study service: opening attempts, ownership, recording answers once, results.

How a selection filters questions is the core's (tests/test_attempts.py).
"""

from __future__ import annotations

import random

import pytest

from quiz.accounts import logins
from quiz.attempts.selection import Selection
from quiz.content.types import QUESTION_TYPES
from quiz.extensions import db
from quiz.grading import InvalidResponse
from quiz.models import Answer, Attempt, Question
from quiz.study import service
from quiz.study.service import StudyError
from tests.helpers.attempts import ids_of, make_user, right_answer, slot_at, start
from tests.helpers.sessions import login_key


@pytest.fixture
def learner(session) -> int:
    """A signed-up learner, who may take quizzes of up to 50 questions."""
    return make_user(session, "learner")


def answer_rows(session, attempt_id: int) -> list[Answer]:
    return list(session.scalars(db.select(Answer).where(Answer.attempt_id == attempt_id)))


def test_attempt_draws_the_selected_questions_in_order_when_not_shuffled(session):
    ids = ids_of(session, "true_false", "ch01-concepts")
    attempt = service.start_attempt(
        session, None, Selection(types=("true_false",), banks=("ch01-concepts",), count=3,
                                 shuffle=False), random.Random(1), mode="custom")
    assert attempt.id is not None
    assert attempt.question_ids == ids[:3]
    assert attempt.settings["types"] == ["true_false"]
    assert attempt.settings["mode"] == "custom"


def test_the_same_seed_draws_the_same_shuffled_quiz(session):
    first = service.start_attempt(session, None, Selection(count=5), random.Random(3))
    second = service.start_attempt(session, None, Selection(count=5), random.Random(3))
    assert first.question_ids == second.question_ids
    assert first.layout == second.layout
    assert first.question_ids != ids_of(session)[:5]  # shuffled, not the first five in file order


@pytest.mark.parametrize(("user", "count"), [(False, 5), (True, 50)])
def test_count_up_to_the_limit_is_accepted(session, user, count):
    user_id = make_user(session, "ada") if user else None
    attempt = service.start_attempt(session, user_id, Selection(count=count), random.Random(1))
    assert len(attempt.question_ids) == count
    assert len(set(attempt.question_ids)) == count


@pytest.mark.parametrize(("user", "count", "limit"),
                         [(False, 6, 5), (False, 0, 5), (True, 51, 50), (True, 0, 50), (True, -1, 50)])
def test_count_beyond_the_limit_is_refused(session, user, count, limit):
    user_id = make_user(session, "ada") if user else None
    with pytest.raises(StudyError, match=f"between 1 and {limit} questions"):
        service.start_attempt(session, user_id, Selection(count=count), random.Random(1))
    assert session.scalars(db.select(Attempt)).all() == []


def test_count_above_the_pool_gives_the_whole_pool(session, learner):
    ids = ids_of(session, "ordering")
    assert len(ids) < 50
    attempt = service.start_attempt(
        session, learner, Selection(types=("ordering",), count=50), random.Random(1))
    assert sorted(attempt.question_ids) == ids


def test_no_matching_question_is_an_error(session):
    with pytest.raises(StudyError, match="No question matches"):
        service.start_attempt(session, None, Selection(concepts=("no-such-concept",), count=3),
                              random.Random(1))
    assert session.scalars(db.select(Attempt)).all() == []


def test_an_unknown_type_is_an_error(session):
    with pytest.raises(StudyError, match="Unknown question type: essay"):
        service.start_attempt(session, None, Selection(types=("single", "essay"), count=3),
                              random.Random(1))


# --------------------------------------------------------------------- layout


def test_layout_is_a_shuffle_of_each_questions_parts(session, learner):
    ids = [*ids_of(session, "single")[:3], *ids_of(session, "multiple")[:3],
           *ids_of(session, "matching"), *ids_of(session, "true_false")[:1]]
    attempt = start(session, ids, learner)
    assert set(attempt.layout) == {str(i) for i in ids}
    for question_id in ids:
        data = session.get(Question, question_id).data
        shown = attempt.layout[str(question_id)]
        if "choices" in data:
            assert sorted(shown["choices"]) == sorted(data["choices"])
        elif data["type"] == "matching":
            assert sorted(shown["rights"]) == sorted(data["pairs"].values())
        else:
            assert shown == {}


def test_layout_is_shuffled_for_some_seed_not_always_file_order(session, learner):
    ids = ids_of(session, "single")
    orders = set()
    for seed in range(5):
        layout = start(session, ids, learner, seed=seed).layout
        orders.add(tuple(tuple(layout[str(i)]["choices"]) for i in ids))
    files = tuple(tuple(session.get(Question, i).data["choices"]) for i in ids)
    assert len(orders) > 1
    assert files not in orders


def test_layout_is_stable_across_reads_and_sessions(session):
    ids = ids_of(session, "multiple")[:2] + ids_of(session, "ordering")[:1]
    attempt = start(session, ids, seed=11)
    stored = {key: dict(value) for key, value in attempt.layout.items()}
    db.session.commit()
    db.session.expire_all()
    again = session.get(Attempt, attempt.id)
    for position, question_id in enumerate(ids, start=1):
        current = service.step(session, again, position)
        assert current.layout == stored[str(question_id)]
        assert service.step(session, again, position).layout == current.layout


def test_ordering_is_never_shown_in_the_answer_order(session, learner):
    ids = ids_of(session, "ordering")
    # The banks ask no two-item ordering (lint warns of one), but an import may hold one,
    # and it is the case a plain shuffle gets wrong half the time: make one.
    shortened = session.get(Question, ids[0])
    shortened.data = {**shortened.data, "items": shortened.data["items"][:2]}
    session.flush()
    two_items = [i for i in ids if len(session.get(Question, i).data["items"]) == 2]
    assert two_items, "a two-item ordering question is the case a plain shuffle gets wrong half the time"
    for seed in range(40):
        layout = start(session, ids, learner, seed=seed).layout
        for question_id in ids:
            items = session.get(Question, question_id).data["items"]
            shown = layout[str(question_id)]["items"]
            assert sorted(shown) == sorted(items)
            assert shown != items


# ------------------------------------------------------------------ ownership


def test_a_users_attempt_belongs_to_that_user_only(session):
    ada, bob = make_user(session, "ada"), make_user(session, "bob")
    attempt = start(session, ids_of(session)[:1], user_id=ada)
    assert service.owned_attempt(session, attempt.id, ada, []) is attempt
    assert service.owned_attempt(session, attempt.id, bob, [attempt.id]) is None
    assert service.owned_attempt(session, attempt.id, None, [attempt.id]) is None


def test_a_visitors_attempt_belongs_to_the_browser_that_lists_it(session):
    ada = make_user(session, "ada")
    attempt = start(session, ids_of(session)[:1])
    assert service.owned_attempt(session, attempt.id, None, [attempt.id]) is attempt
    assert service.owned_attempt(session, attempt.id, None, []) is None
    assert service.owned_attempt(session, attempt.id, None, [attempt.id + 1]) is None
    assert service.owned_attempt(session, attempt.id, ada, []) is None


def test_a_missing_attempt_belongs_to_nobody(session):
    assert service.owned_attempt(session, 12345, None, [12345]) is None


def test_an_answer_slot_follows_the_same_ownership(session):
    ada, bob = make_user(session, "ada"), make_user(session, "bob")
    mine = start(session, ids_of(session)[:1], user_id=ada)
    visitors = start(session, ids_of(session)[:1])
    adas, bobs = login_key(session, ada), login_key(session, bob)
    assert service.answer_slot(session, mine.id, 1, adas, []).user_id == ada
    assert service.answer_slot(session, mine.id, 1, bobs, [mine.id]) is None
    assert service.answer_slot(session, mine.id, 1, None, [mine.id]) is None
    assert service.answer_slot(session, visitors.id, 1, None, [visitors.id]).user_id is None
    assert service.answer_slot(session, visitors.id, 1, None, []) is None
    assert service.answer_slot(session, visitors.id, 1, adas, []) is None
    assert service.answer_slot(session, 12345, 1, None, [12345]) is None


def test_an_answer_slot_needs_a_sign_in_that_still_holds(session):
    ada = make_user(session, "ada")
    mine = start(session, ids_of(session)[:1], user_id=ada)
    ended = login_key(session, ada)
    logins.end_all(session, ada)
    assert service.answer_slot(session, mine.id, 1, ended, []) is None
    assert service.answer_slot(session, mine.id, 1, "not-a-key", []) is None
    assert service.answer_slot(session, mine.id, 1, login_key(session, ada), []).user_id == ada


def test_an_answer_slot_is_the_question_at_a_position_or_none(session):
    ids = ids_of(session)[:3]
    attempt = start(session, ids)
    for position, question_id in enumerate(ids, start=1):
        slot = slot_at(session, attempt, position)
        assert (slot.attempt_id, slot.question_id, slot.question_count) == (attempt.id, question_id, 3)
        assert slot.data == session.get(Question, question_id).data
        assert not slot.answered
    for position in (0, -1, 4, 10**6):
        assert slot_at(session, attempt, position) is None


def test_an_answer_slot_knows_its_recorded_answer(session):
    attempt = start(session, ids_of(session, "single")[:2])
    recorded = service.submit_answer(session, slot_at(session, attempt, 2),
                                     right_answer(slot_at(session, attempt, 2).data))
    assert slot_at(session, attempt, 2).answer_id == recorded
    assert not slot_at(session, attempt, 1).answered


def test_claim_takes_visitor_attempts_and_leaves_others_alone(session):
    ada, bob = make_user(session, "ada"), make_user(session, "bob")
    ids = ids_of(session)[:1]
    mine, also_mine = start(session, ids), start(session, ids)
    bobs, strangers = start(session, ids, user_id=bob), start(session, ids)
    claimed = service.claim_attempts(session, [mine.id, also_mine.id, bobs.id, 999], ada)
    assert claimed == 2
    assert (mine.user_id, also_mine.user_id) == (ada, ada)
    assert bobs.user_id == bob
    assert strangers.user_id is None
    db.session.commit()
    owners = dict(session.execute(db.select(Attempt.id, Attempt.user_id)).all())
    assert owners == {mine.id: ada, also_mine.id: ada, bobs.id: bob, strangers.id: None}


# ---------------------------------------------------------------------- steps


def test_step_is_the_question_at_a_position_or_none(session):
    ids = ids_of(session)[:3]
    attempt = start(session, ids)
    for position, question_id in enumerate(ids, start=1):
        current = service.step(session, attempt, position)
        assert (current.position, current.question.id, current.total) == (position, question_id, 3)
        assert current.answer is None and current.grade is None
    assert service.step(session, attempt, 0) is None
    assert service.step(session, attempt, 4) is None
    assert service.step(session, attempt, -1) is None


def test_next_position_is_the_first_unanswered_question(session):
    ids = ids_of(session, "single")[:3]
    attempt = start(session, ids)
    assert service.next_position(session, attempt) == 1
    second = slot_at(session, attempt, 2)
    service.submit_answer(session, second, right_answer(second.data))
    assert service.next_position(session, attempt) == 1
    first = slot_at(session, attempt, 1)
    service.submit_answer(session, first, right_answer(first.data))
    assert service.next_position(session, attempt) == 3
    third = slot_at(session, attempt, 3)
    service.submit_answer(session, third, right_answer(third.data))
    assert service.next_position(session, attempt) is None


def test_an_answered_step_carries_its_answer_and_grade(session):
    attempt = start(session, ids_of(session, "single")[:1])
    current = slot_at(session, attempt, 1)
    recorded = service.submit_answer(session, current, right_answer(current.data))
    again = service.step(session, attempt, 1)
    assert again.answer.id == recorded
    assert again.grade.correct is True
    assert again.grade.score == 1.0


# --------------------------------------------------------------- submit once


def test_submit_records_the_graded_answer(session):
    attempt = start(session, ids_of(session, "single")[:2])
    current = slot_at(session, attempt, 1)
    wrong = next(c for c in current.data["choices"] if c != current.data["answer"])
    recorded = service.submit_answer(session, current, wrong)
    rows = answer_rows(session, attempt.id)
    assert [r.id for r in rows] == [recorded]
    assert rows[0].question_id == current.question_id
    assert rows[0].response == {"value": wrong}
    assert (rows[0].correct, rows[0].score) == (False, 0.0)


def test_a_repeat_submit_returns_the_same_row(session):
    attempt = start(session, ids_of(session, "single")[:2])
    current = slot_at(session, attempt, 1)
    first = service.submit_answer(session, current, right_answer(current.data))
    fresh = slot_at(session, attempt, 1)
    wrong = next(c for c in fresh.data["choices"] if c != fresh.data["answer"])
    repeat = service.submit_answer(session, fresh, wrong)
    assert repeat == first
    assert session.get(Answer, repeat).correct is True
    assert len(answer_rows(session, attempt.id)) == 1


def test_a_lost_race_returns_the_winners_answer(session):
    attempt = start(session, ids_of(session, "single")[:2])
    stale = slot_at(session, attempt, 1)
    assert not stale.answered
    winner = Answer(attempt_id=attempt.id, question_id=stale.question_id,
                    response={"value": stale.data["answer"]}, correct=True, score=1.0)
    session.add(winner)
    session.flush()
    wrong = next(c for c in stale.data["choices"] if c != stale.data["answer"])
    returned = service.submit_answer(session, stale, wrong)
    assert returned == winner.id
    rows = answer_rows(session, attempt.id)
    assert [r.id for r in rows] == [winner.id]
    db.session.commit()  # the session is still usable after the refused insert
    assert len(answer_rows(session, attempt.id)) == 1


def test_a_forged_response_is_refused_and_not_recorded(session):
    attempt = start(session, ids_of(session, "single")[:1])
    current = slot_at(session, attempt, 1)
    with pytest.raises(InvalidResponse, match="not one of the choices"):
        service.submit_answer(session, current, "Forged choice")
    assert answer_rows(session, attempt.id) == []
    assert attempt.finished_at is None


def test_submit_only_flushes_so_the_caller_can_roll_back(session):
    attempt = start(session, ids_of(session, "single")[:1])
    db.session.commit()
    current = slot_at(session, attempt, 1)
    service.submit_answer(session, current, right_answer(current.data))
    db.session.rollback()
    assert answer_rows(session, attempt.id) == []


def test_finished_at_is_set_when_the_last_question_is_answered(session):
    attempt = start(session, ids_of(session, "single")[:3])
    for position in (3, 1):
        current = slot_at(session, attempt, position)
        service.submit_answer(session, current, right_answer(current.data))
        assert attempt.finished_at is None
    last = slot_at(session, attempt, 2)
    service.submit_answer(session, last, right_answer(last.data))
    assert attempt.finished_at is not None
    db.session.commit()
    assert session.scalar(db.select(Attempt.finished_at).where(Attempt.id == attempt.id)) is not None


def test_every_type_records_its_right_answer_as_full_credit(session, learner):
    ids = [ids_of(session, qtype)[0] for qtype in QUESTION_TYPES]
    attempt = start(session, ids, learner)
    assert {session.get(Question, i).type for i in attempt.question_ids} == set(QUESTION_TYPES)
    for position in range(1, len(ids) + 1):
        current = slot_at(session, attempt, position)
        recorded = session.get(Answer, service.submit_answer(session, current, right_answer(current.data)))
        assert (recorded.correct, recorded.score) == (True, 1.0), current.data["type"]
    assert service.results(session, attempt).percent == 100
