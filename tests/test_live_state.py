"""The live state machine: pure transitions on an injected clock, and the compare-and-set race."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from quiz.attempts.selection import Selection
from quiz.extensions import db
from quiz.live import opening, service
from quiz.live import state as machine
from quiz.live.models import LiveSession
from quiz.models import User

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def fresh(count: int = 2, seconds: int = 20) -> machine.State:
    return machine.State(machine.LOBBY, 0, count, seconds, version=0)


def test_a_session_runs_from_lobby_to_podium():
    state = machine.start(fresh(), T0)
    assert (state.phase, state.question_index, state.version) == ("question", 0, 1)
    assert state.started_at == T0 and state.deadline == T0 + timedelta(seconds=20)
    state = machine.close(state, T0)
    assert state.phase == "reveal"
    state = machine.next_step(state, T0)
    assert state.phase == "leaderboard"
    later = T0 + timedelta(minutes=1)
    state = machine.next_step(state, later)
    assert (state.phase, state.question_index, state.started_at) == ("question", 1, later)
    state = machine.next_step(machine.next_step(machine.close(state, later), later), later)
    assert state.phase == "finished" and state.version == 7


@pytest.mark.parametrize(("action", "phase"), [
    ("start", "question"), ("close", "lobby"), ("close", "reveal"), ("next", "lobby"),
    ("next", "question"), ("finish", "finished"),
])
def test_actions_out_of_phase_are_refused(action, phase):
    state = machine.State(phase, 0, 2, 20, version=3, started_at=T0, deadline=T0)
    with pytest.raises(machine.InvalidTransition):
        machine.ACTIONS[action](state, T0)


def test_a_session_without_questions_cannot_start():
    with pytest.raises(machine.InvalidTransition):
        machine.start(fresh(count=0), T0)


def test_a_question_closes_when_time_is_up_or_everyone_answered():
    state = machine.start(fresh(seconds=10), T0)
    assert not machine.due_to_close(state, T0 + timedelta(seconds=9), answered=1, players=2)
    assert machine.due_to_close(state, T0 + timedelta(seconds=10), answered=0, players=2)
    assert machine.due_to_close(state, T0 + timedelta(seconds=1), answered=2, players=2)
    assert machine.due_to_close(state, T0 + timedelta(seconds=11), answered=0, players=0)
    assert not machine.due_to_close(state, T0, answered=0, players=0)  # an empty room waits the clock out
    assert not machine.due_to_close(machine.close(state, T0), T0 + timedelta(hours=1), 0, 2)


def test_remaining_time():
    state = machine.start(fresh(seconds=10), T0)
    assert machine.remaining_ms(state, T0 + timedelta(seconds=2.5)) == 7500
    assert machine.remaining_ms(state, T0 + timedelta(seconds=30)) == 0
    assert machine.remaining_ms(fresh(), T0) == 0


@pytest.fixture
def live(synced):
    with synced.app_context():
        host = User(name="teacher", password_hash="unused", is_instructor=True)
        db.session.add(host)
        db.session.flush()
        made = opening.create_session(db.session, host.id, Selection(count=3),
                                      opening.Settings(seconds=10), random.Random(1))
        db.session.commit()
        yield made


def test_only_one_of_two_racing_changes_wins(synced, live):
    """Two requests read version 0 and both try to start: the database lets exactly one through."""
    seen = machine.State.of(live)
    first = machine.compare_and_set(db.session, live, seen, machine.start(seen, T0), T0)
    second = machine.compare_and_set(db.session, live, seen, machine.start(seen, T0), T0)
    db.session.commit()
    assert (first, second) == (True, False)
    assert (live.phase, live.version) == ("question", 1)


def test_the_loser_of_a_race_through_the_service_learns_it(synced, live):
    other = db.session.get(LiveSession, live.id)
    assert service.act(db.session, live, "start", T0) is True
    db.session.commit()
    with pytest.raises(service.LiveError):  # re-read: already started
        service.act(db.session, other, "start", T0)


def test_a_question_nobody_answers_still_moves_on(synced, live):
    service.join(db.session, live, "Ann", None, T0)
    service.act(db.session, live, "start", T0)
    assert service.settle(db.session, live, T0 + timedelta(seconds=9)) is False
    assert service.settle(db.session, live, T0 + timedelta(seconds=10)) is True
    db.session.commit()
    assert live.phase == "reveal"
