"""Results of a quiz attempt: score with partial credit, concepts missed, time taken, edited questions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from quiz.extensions import db
from quiz.models import Attempt
from quiz.study import service
from tests.helpers.attempts import ids_of, question, right_answer, slot_at, slot_of, start

# -------------------------------------------------------------------- results


def test_results_count_partial_credit_concepts_missed_and_time(session):
    single = question(session, "fastest-method")            # 3 concepts, all methods
    multiple = question(session, "methods-with-unmodified-guest")  # 2 right of 3
    matching = question(session, "match-term-to-definition")        # 4 pairs
    short = ids_of(session, "short", "ch01-concepts")[0]
    attempt = start(session, [single.id, multiple.id, matching.id, short])

    service.submit_answer(session, slot_of(session, attempt, single.id), single.data["answer"])
    service.submit_answer(session, slot_of(session, attempt, multiple.id),
                          [multiple.data["answer"][0]])
    half = dict(list(matching.data["pairs"].items())[:2])
    service.submit_answer(session, slot_of(session, attempt, matching.id), half)
    # the short answer is left unanswered

    summary = service.results(session, attempt)
    assert [s.question.id for s in summary.steps] == attempt.question_ids
    assert summary.answered == 3
    assert summary.score == pytest.approx(1.0 + 0.5 + 0.5)
    assert summary.percent == 50  # 2 of 4 points
    assert sorted(summary.missed) == sorted([multiple.id, matching.id, short])
    assert [i for i in attempt.question_ids if i in summary.missed] == summary.missed
    assert summary.seconds is None  # not finished

    by_concept = {c.concept_id: c for c in summary.per_concept}
    expected: dict[str, list[float]] = {}
    scores = {single.id: 1.0, multiple.id: 0.5, matching.id: 0.5, short: 0.0}
    for current in summary.steps:
        for concept in current.question.concepts:
            expected.setdefault(concept.id, []).append(scores[current.question.id])
    assert set(by_concept) == set(expected)
    for concept_id, got in expected.items():
        entry = by_concept[concept_id]
        assert entry.answered == len(got)
        assert entry.score == pytest.approx(sum(got))
        assert entry.percent == round(100 * sum(got) / len(got))
    assert by_concept["full-virtualization"].answered == 2  # fastest-method and the multiple
    assert by_concept["full-virtualization"].percent == 75
    assert [c.percent for c in summary.per_concept] == sorted(c.percent for c in summary.per_concept)


def test_results_time_runs_from_start_to_the_last_answer(session):
    attempt = start(session, ids_of(session, "true_false")[:1])
    current = slot_at(session, attempt, 1)
    service.submit_answer(session, current, right_answer(current.data))
    attempt.started_at = attempt.finished_at - timedelta(seconds=75)
    db.session.commit()
    db.session.expire_all()  # read the times back as SQLite stores them
    summary = service.results(session, session.get(Attempt, attempt.id))
    assert summary.seconds == 75
    assert summary.percent == 100
    assert summary.missed == []


def test_results_of_an_untouched_attempt(session):
    ids = ids_of(session, "single")[:2]
    summary = service.results(session, start(session, ids))
    assert (summary.answered, summary.score, summary.percent) == (0, 0, 0)
    assert summary.missed == ids
    assert all(c.answered > 0 and c.percent == 0 for c in summary.per_concept)


def test_results_survive_an_edited_question(session):
    target = question(session, "fastest-method")
    attempt = start(session, [target.id])
    service.submit_answer(session, slot_at(session, attempt, 1), target.data["answer"])
    db.session.commit()
    # Content edits keep a question's id and history: rename the choice that was picked.
    data = dict(target.data)
    data["choices"] = [f"{c}, renamed" for c in data["choices"]]
    data["answer"] = f"{data['answer']}, renamed"
    target.data = data
    db.session.commit()
    summary = service.results(session, attempt)
    assert summary.percent == 100
    assert summary.steps[0].grade.correct is True
