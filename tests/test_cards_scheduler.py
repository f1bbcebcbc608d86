"""The FSRS integration and the card services, on a fixed clock: no test waits for time to pass."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from quiz.cards import days, deck, queue, service, stats
from quiz.cards import scheduler as fsrs
from quiz.extensions import db
from quiz.models import Answer, Attempt, Card, CardState, Concept, Question, Review, User

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday morning
MINUTE, DAY = timedelta(minutes=1), timedelta(days=1)


@pytest.fixture
def ctx(synced):
    """An app context on the synced content."""
    with synced.app_context():
        yield


@pytest.fixture
def user(ctx) -> User:
    """A learner with the default settings."""
    learner = User(name="ada", password_hash="unused")
    db.session.add(learner)
    db.session.flush()
    return learner


def new_user(name: str, **settings) -> User:
    """Another learner, with these settings."""
    learner = User(name=name, password_hash="unused", **settings)
    db.session.add(learner)
    db.session.flush()
    return learner


def rate_head(user: User, rating: int, now: datetime) -> Review:
    """Rate whatever the queue shows first, as the review page would."""
    shown = queue.card_to_show(db.session, user, now)
    assert shown is not None, "the queue is empty"
    return service.rate(db.session, user, shown.card.id, rating, shown.version, now)


def first_card_id() -> int:
    """The id of the first card of the deck."""
    return db.session.scalar(select(Card.id).where(Card.retired.is_(False)).order_by(Card.position))


# ---------------------------------------------------------------- pure FSRS


def test_a_new_card_offers_the_learning_steps_and_the_easy_interval():
    labels = {r: fsrs.interval_label(gap) for r, gap in fsrs.preview(fsrs.Memory(), T0, 0.9).items()}
    # Again 1 min, Hard between the two steps, Good the 10 min step, Easy graduates at once.
    assert labels == {1: "1m", 2: "6m", 3: "10m", 4: "8d"}


def test_good_through_the_steps_graduates_and_intervals_grow():
    memory, now, gaps = fsrs.Memory(), T0, []
    for _ in range(8):
        memory = fsrs.review(memory, 3, now, 0.9)
        gaps.append(memory.due - now)
        now = memory.due  # reviewed exactly when due
    assert memory.state == fsrs.REVIEW
    assert gaps[:2] == [10 * MINUTE, gaps[1]] and gaps[1] >= DAY  # the 10 min step, then days
    review_gaps = [g for g in gaps if g >= DAY]
    assert review_gaps == sorted(review_gaps) and review_gaps[-1] > 10 * review_gaps[0]


def test_again_on_a_review_card_is_a_lapse_into_relearning():
    memory = fsrs.review(fsrs.Memory(), 4, T0, 0.9)  # Easy: straight to review
    assert memory.state == fsrs.REVIEW
    lapsed = fsrs.review(memory, 1, memory.due, 0.9)
    assert lapsed.state == fsrs.RELEARNING
    assert lapsed.due - memory.due == 10 * MINUTE
    assert lapsed.stability < memory.stability
    relearned = fsrs.review(lapsed, 3, lapsed.due, 0.9)
    assert relearned.state == fsrs.REVIEW


def test_higher_retention_gives_shorter_intervals():
    memory = fsrs.review(fsrs.Memory(), 4, T0, 0.9)
    intervals = [fsrs.preview(memory, memory.due, r)[3] for r in (0.7, 0.8, 0.9, 0.95, 0.97)]
    assert intervals == sorted(intervals, reverse=True)
    assert intervals[0] > 2 * intervals[2] > 4 * intervals[-1]


def test_retention_outside_the_allowed_range_is_refused():
    for retention in (0.69, 0.98):
        with pytest.raises(ValueError, match="outside"):
            fsrs.scheduler(retention)


def test_workload_rises_with_retention():
    assert fsrs.workload(0.9) == pytest.approx(1.0)
    assert fsrs.workload(0.8) < 0.5 < 2 < fsrs.workload(0.95) < fsrs.workload(0.97)


@pytest.mark.parametrize(("gap", "label"), [
    (timedelta(seconds=20), "<1m"), (MINUTE, "1m"), (timedelta(minutes=5, seconds=30), "6m"),
    (timedelta(hours=3), "3h"), (DAY, "1d"), (29 * DAY, "29d"), (45 * DAY, "1.5mo"),
    (90 * DAY, "3mo"), (400 * DAY, "1.1y"),
])
def test_interval_labels_read_like_anki(gap, label):
    assert fsrs.interval_label(gap) == label


def test_naive_datetimes_from_sqlite_are_read_as_utc():
    naive = datetime(2026, 3, 2, 9, 0)
    assert fsrs.utc(naive) == T0
    assert fsrs.utc(T0.astimezone(days.zone("Asia/Tokyo"))) == T0


# --------------------------------------------------------------------- days


def test_today_follows_the_learner_time_zone_across_a_clock_change():
    # 29 March 2026: Paris moves from UTC+1 to UTC+2, so the day is 23 hours long.
    start, end = days.today_bounds(datetime(2026, 3, 29, 12, 0, tzinfo=UTC), "Europe/Paris")
    assert start == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    assert end - start == timedelta(hours=23)
    assert days.local_date(datetime(2026, 3, 2, 23, 30, tzinfo=UTC), "Asia/Tokyo") == date(2026, 3, 3)


def test_unknown_or_path_like_time_zones_are_refused():
    for name in ("Mars/Olympus", "../../etc/passwd", "", "utc "):
        with pytest.raises(days.UnknownTimeZone):
            days.zone(name)


def test_describe_says_when_in_the_learner_zone():
    assert days.describe(T0 + 10 * MINUTE, T0, "UTC") == "today at 09:10 (in 10 minutes)"
    assert days.describe(T0 + DAY, T0, "Europe/Paris") == "tomorrow at 10:00 (in 24 hours)"
    assert days.describe(T0 + 4 * DAY, T0, "UTC") == "on Friday 6 March at 09:00 (in 4 days)"


# --------------------------------------------------------------------- deck


def test_every_concept_gives_a_card_and_its_reverse_and_questions_give_cards(ctx):
    concepts = db.session.scalar(select(func.count()).select_from(Concept))
    questions = db.session.scalar(select(func.count()).select_from(Question)
                                  .where(Question.type.in_(("cloze", "short"))))
    kinds = dict(db.session.execute(select(Card.kind, func.count()).group_by(Card.kind)).all())
    assert kinds["forward"] == kinds["reverse"] == concepts
    assert kinds["cloze"] + kinds["short"] == questions
    reverse = db.session.scalar(select(Card).where(Card.key == "concept:hypervisor:reverse"))
    assert reverse.back == "Hypervisor" and "hypervisor" not in reverse.front.lower()
    cloze = db.session.scalar(select(Card).where(Card.kind == "cloze").order_by(Card.position))
    assert deck.BLANK in cloze.front and deck.BLANK not in cloze.back


def test_a_removed_concept_retires_its_cards_and_keeps_the_history(user):
    card = db.session.scalar(select(Card).where(Card.key == "concept:host:forward"))
    service.rate(db.session, user, card.id, 3, 0, T0)
    db.session.get(Concept, "host").retired = True
    db.session.flush()
    deck.sync_cards(db.session)
    assert card.retired
    assert db.session.scalar(select(func.count()).select_from(Review)) == 1
    with pytest.raises(service.UnknownCard):
        service.rate(db.session, user, card.id, 3, 1, T0 + DAY)
    db.session.get(Concept, "host").retired = False
    deck.sync_cards(db.session)
    assert not card.retired and queue.state_of(db.session, user.id, card.id).reps == 1


# -------------------------------------------------------------------- queue


def test_new_cards_come_in_deck_order_up_to_the_daily_limit(ctx):
    learner = new_user("bo", new_cards_per_day=3)
    order = queue.due_queue(db.session, learner, T0, limit=10)
    *ordered, fourth = db.session.scalars(select(Card.id).order_by(Card.position).limit(4)).all()
    assert [q.card_id for q in order] == ordered
    assert queue.counts(db.session, learner, T0) == queue.Counts(new=3, learning=0, review=0)
    for _ in range(3):
        rate_head(learner, 4, T0)  # Easy: out of today's queue for days
    assert queue.card_to_show(db.session, learner, T0) is None
    assert queue.counts(db.session, learner, T0).new == 0
    with pytest.raises(service.NotDue):  # a fourth new card is refused today
        service.rate(db.session, learner, fourth, 3, 0, T0)
    upcoming = queue.next_due(db.session, learner, T0)
    assert upcoming.new_tomorrow and upcoming.at == datetime(2026, 3, 3, tzinfo=UTC)
    assert queue.counts(db.session, learner, upcoming.at).new == 3


def test_the_day_and_its_new_cards_start_at_local_midnight(ctx):
    learner = new_user("cy", new_cards_per_day=1, time_zone="America/New_York")
    late = datetime(2026, 3, 3, 4, 30, tzinfo=UTC)  # 23:30 on 2 March in New York
    rate_head(learner, 4, late)
    # 4:50 UTC on 3 March is still 2 March in New York: no new card yet.
    assert queue.counts(db.session, learner, late + 20 * MINUTE).new == 0
    # 5:00 UTC on 3 March is midnight in New York (UTC-5): the allowance is back.
    assert queue.counts(db.session, learner, datetime(2026, 3, 3, 5, 0, tzinfo=UTC)).new == 1


def test_due_cards_come_first_then_new_then_learning_ahead(user):
    first = rate_head(user, 3, T0)  # Good on a new card: learning, due in 10 min
    second = rate_head(user, 4, T0)  # Easy: due in 8 days
    order = queue.due_queue(db.session, user, T0 + MINUTE, limit=50)
    assert first.card_id not in [q.card_id for q in order[:-1]]  # new cards before it
    assert order[-1].card_id == first.card_id  # learning within 20 min: last, not waited for
    later = second.reviewed_at + timedelta(days=9)
    head = queue.due_queue(db.session, user, later, limit=2)
    assert [q.card_id for q in head] == [first.card_id, second.card_id]  # overdue, oldest first


def test_a_lapse_counts_and_relearns(user):
    card_id = first_card_id()
    service.rate(db.session, user, card_id, 4, 0, T0)
    state = queue.state_of(db.session, user.id, card_id)
    due = fsrs.utc(state.due)
    service.rate(db.session, user, card_id, 1, state.version, due)
    state = queue.state_of(db.session, user.id, card_id)
    assert (state.state, state.lapses, state.reps) == (fsrs.RELEARNING, 1, 2)
    assert fsrs.utc(state.due) == due + 10 * MINUTE
    review = db.session.scalar(select(Review).order_by(Review.id.desc()))
    assert (review.state_before, review.state_after) == (fsrs.REVIEW, fsrs.RELEARNING)
    assert review.elapsed_days == 8.0


def test_the_learner_retention_is_used(ctx):
    eager = new_user("eager", desired_retention=0.97)
    relaxed = new_user("relaxed", desired_retention=0.80)
    card_id = first_card_id()
    shown = {u.name: queue.card_to_show(db.session, u, T0, card_id) for u in (eager, relaxed)}
    assert shown["eager"].intervals[4] < shown["relaxed"].intervals[4]
    service.rate(db.session, eager, card_id, 4, 0, T0)
    assert fsrs.utc(queue.state_of(db.session, eager.id, card_id).due) - T0 == shown["eager"].intervals[4]


# ------------------------------------------------------------ rating once


def test_a_repeated_rating_is_refused_and_counted_once(user):
    card_id = first_card_id()
    service.rate(db.session, user, card_id, 3, 0, T0)
    with pytest.raises(service.AlreadyRated):
        service.rate(db.session, user, card_id, 3, 0, T0)
    assert db.session.scalar(select(func.count()).select_from(Review)) == 1


def test_the_database_settles_two_ratings_of_one_showing(synced, user):
    """The second request read the card before the first committed: the version check in SQL stops it."""
    card_id = first_card_id()
    service.rate(db.session, user, card_id, 4, 0, T0)
    db.session.commit()
    stale = queue.state_of(db.session, user.id, card_id)  # version 1, kept in this session
    with Session(db.engine) as other:  # another request rates the same showing first
        service.rate(other, other.get(User, user.id), card_id, 3, 1, T0 + 9 * DAY)
        other.commit()
    assert stale.version == 1  # this session has not seen that commit
    with pytest.raises(service.AlreadyRated):
        service.rate(db.session, user, card_id, 1, 1, T0 + 9 * DAY)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Review)) == 2


def test_a_card_not_due_or_unknown_or_badly_rated_is_refused(user):
    card_id = first_card_id()
    service.rate(db.session, user, card_id, 4, 0, T0)
    with pytest.raises(service.NotDue):
        service.rate(db.session, user, card_id, 3, 1, T0 + DAY)
    with pytest.raises(service.UnknownCard):
        service.rate(db.session, user, 999_999, 3, 0, T0)
    with pytest.raises(service.CardsError, match="rating"):
        service.rate(db.session, user, card_id, 5, 1, T0 + 30 * DAY)
    assert db.session.scalar(select(func.count()).select_from(Review)) == 1


def test_one_learner_rating_never_touches_another(user):
    other = new_user("eve")
    card_id = first_card_id()
    service.rate(db.session, user, card_id, 4, 0, T0)
    assert queue.state_of(db.session, other.id, card_id) is None
    service.rate(db.session, other, card_id, 1, 0, T0)
    assert queue.state_of(db.session, user.id, card_id).state == fsrs.REVIEW


# --------------------------------------------------------------------- undo


def test_undo_puts_the_card_back_once(user):
    card_id = first_card_id()
    first = service.rate(db.session, user, card_id, 3, 0, T0)
    state = queue.state_of(db.session, user.id, card_id)
    after_first = (state.state, state.step, state.stability, fsrs.utc(state.due))
    second = service.rate(db.session, user, card_id, 3, state.version, T0 + 10 * MINUTE)
    assert service.undo(db.session, user, second.id) == card_id
    state = queue.state_of(db.session, user.id, card_id)
    assert (state.state, state.step, state.stability, fsrs.utc(state.due)) == after_first
    assert state.version == 3 and state.reps == 1  # forward: the undone showing stays stale
    with pytest.raises(service.NothingToUndo):
        service.undo(db.session, user, second.id)
    with pytest.raises(service.AlreadyRated):
        service.rate(db.session, user, card_id, 3, 1, T0 + 10 * MINUTE)
    assert service.undo(db.session, user, first.id) == card_id  # and the one before
    assert queue.state_of(db.session, user.id, card_id).state == fsrs.NEW
    assert queue.counts(db.session, user, T0).new == user.new_cards_per_day  # its slot is free again


def test_only_the_last_rating_and_only_your_own_can_be_undone(user):
    other = new_user("eve")
    first = rate_head(user, 4, T0)
    rate_head(user, 4, T0)
    with pytest.raises(service.NothingToUndo):
        service.undo(db.session, user, first.id)
    mine = rate_head(user, 4, T0)
    with pytest.raises(service.NothingToUndo):
        service.undo(db.session, other, mine.id)


# ----------------------------------------------------------- quizzes move cards


def answered_wrong(user: User, question: Question, at: datetime) -> None:
    """Record a wrong quiz answer to the question, as the quiz pages do: its push still to come."""
    attempt = Attempt(user_id=user.id, question_ids=[question.id], started_at=at)
    db.session.add(attempt)
    db.session.flush()
    db.session.add(Answer(attempt_id=attempt.id, question_id=question.id, response={"value": None},
                          correct=False, answered_at=at, push_pending=True))
    db.session.flush()


def host_question() -> Question:
    """A short-answer question on the host, which also tests the virtual machine."""
    return db.session.scalar(select(Question).where(Question.key == "short-name-of-host"))


def test_a_wrong_quiz_answer_brings_the_concept_cards_forward(ctx):
    learner = new_user("fay", new_cards_per_day=0)
    question = host_question()
    card_ids = service.concept_card_ids(db.session, ["host", "virtual-machine"])
    forward = db.session.scalar(select(Card.id).where(Card.key == "concept:host:forward"))
    assert forward in card_ids
    assert queue.card_to_show(db.session, learner, T0) is None  # no new cards allowed
    answered_wrong(learner, question, T0)
    assert queue.card_to_show(db.session, learner, T0 + MINUTE) is None  # nothing moves until caught up
    assert service.bring_forward_pending(db.session, learner.id) == len(card_ids)
    assert service.bring_forward_pending(db.session, learner.id) == 0  # each answer moves cards once
    order = queue.due_queue(db.session, learner, T0, limit=100)
    assert sorted(q.card_id for q in order) == card_ids  # due from the moment of the answer
    assert queue.counts(db.session, learner, T0).new == len(card_ids)
    review = service.rate(db.session, learner, forward, 4, 0, T0)  # beyond the limit of 0
    assert review.state_before == fsrs.NEW
    # A card learnt well is pulled back from next week by the next wrong answer.
    answered_wrong(learner, question, T0 + MINUTE)
    assert service.bring_forward_pending(db.session, learner.id) == 1
    state = queue.state_of(db.session, learner.id, forward)
    assert fsrs.utc(state.due) == T0 + MINUTE and fsrs.utc(state.pushed_at) == T0 + MINUTE


def test_two_wrong_answers_move_a_card_to_the_first_of_them(ctx):
    learner = new_user("gus", new_cards_per_day=0)
    question = host_question()
    answered_wrong(learner, question, T0 + 2 * MINUTE)
    answered_wrong(learner, question, T0)
    card_ids = service.concept_card_ids(db.session, ["host", "virtual-machine"])
    assert service.bring_forward_pending(db.session, learner.id) == len(card_ids)
    dues = db.session.scalars(select(CardState.due).where(CardState.user_id == learner.id)).all()
    assert {fsrs.utc(due) for due in dues} == {T0}


def test_a_rating_after_the_wrong_answer_stands_when_the_cards_catch_up(ctx):
    learner = new_user("hal", new_cards_per_day=0)
    question = host_question()
    forward = db.session.scalar(select(Card.id).where(Card.key == "concept:host:forward"))
    answered_wrong(learner, question, T0)
    service.bring_forward_pending(db.session, learner.id)
    answered_wrong(learner, question, T0 + MINUTE)  # in another tab, while the card is on screen
    service.rate(db.session, learner, forward, 4, 0, T0 + 2 * MINUTE)
    assert service.bring_forward_pending(db.session, learner.id) == 0  # the others were due already
    state = queue.state_of(db.session, learner.id, forward)
    assert fsrs.utc(state.due) > T0 + DAY and state.pushed_at is None


def test_many_wrong_answers_are_caught_up_in_batches(ctx, monkeypatch):
    monkeypatch.setattr(service, "_IDS_PER_STATEMENT", 2)
    learner = new_user("kit", new_cards_per_day=0)
    questions = db.session.scalars(select(Question).where(Question.type == "short")
                                   .order_by(Question.id).limit(5)).all()
    for question in questions:
        answered_wrong(learner, question, T0)
    concepts = sorted({concept.id for question in questions for concept in question.concepts})
    assert len(concepts) >= 3
    service.bring_forward_pending(db.session, learner.id)
    moved = db.session.scalars(select(CardState.card_id).where(CardState.user_id == learner.id)).all()
    assert sorted(moved) == service.concept_card_ids(db.session, concepts)


def test_only_the_learners_own_wrong_answers_move_their_cards(ctx):
    learner, other = new_user("ida"), new_user("jo")
    answered_wrong(other, host_question(), T0)
    assert service.bring_forward_pending(db.session, learner.id) == 0
    assert db.session.scalar(select(func.count()).select_from(CardState)) == 0
    assert service.bring_forward_pending(db.session, other.id) > 0


# ---------------------------------------------------------------- settings


def test_settings_are_validated(user):
    service.update_settings(db.session, user, "Europe/Paris", 0.95, 20)
    assert (user.time_zone, user.desired_retention, user.new_cards_per_day) == ("Europe/Paris", 0.95, 20)
    for bad in (("Nowhere/City", 0.9, 10), ("UTC", 0.6, 10), ("UTC", 0.9, -1), ("UTC", 0.9, 10_000)):
        with pytest.raises(service.CardsError):
            service.update_settings(db.session, user, *bad)
    assert user.time_zone == "Europe/Paris"


# -------------------------------------------------------------- statistics


def test_statistics_count_by_local_day_and_retention_of_review_cards(ctx):
    learner = new_user("gil", time_zone="Asia/Tokyo", new_cards_per_day=2)
    card_a, card_b = db.session.scalars(select(Card.id).order_by(Card.position).limit(2)).all()
    late = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)  # 01:00 on 3 March in Tokyo
    service.rate(db.session, learner, card_a, 4, 0, late)
    service.rate(db.session, learner, card_b, 4, 0, late)
    due = fsrs.utc(queue.state_of(db.session, learner.id, card_a).due)
    service.rate(db.session, learner, card_a, 3, 1, due)  # a pass in review state
    state_b = queue.state_of(db.session, learner.id, card_b)
    service.rate(db.session, learner, card_b, 1, 1, fsrs.utc(state_b.due))  # a lapse
    now = fsrs.utc(state_b.due) + MINUTE
    per_day = stats.reviews_per_day(db.session, learner, now)
    assert len(per_day) == 30 and per_day[-1].day == days.local_date(now, "Asia/Tokyo")
    assert {d.day: d.count for d in per_day if d.count} == {
        date(2026, 3, 3): 2, days.local_date(due, "Asia/Tokyo"): 2}
    assert stats.true_retention(db.session, learner) == stats.Retention(passed=1, total=2)
    assert stats.true_retention(db.session, learner).percent == 50.0
    ahead = stats.forecast(db.session, learner, now)
    dues = [fsrs.utc(queue.state_of(db.session, learner.id, c).due) for c in (card_a, card_b)]
    assert sum(d.count for d in ahead) == sum(1 for d in dues if d < now + 30 * DAY)
    assert ahead[0].count == 1  # the relearning card, due in 10 minutes
    by_concept = {c.concept_id: c for c in stats.cards_by_concept(db.session, learner)}
    first = db.session.get(Card, card_a).concept_id
    assert by_concept[first].by_state[fsrs.REVIEW] == 1
    assert by_concept[first].total == len(service.concept_card_ids(db.session, [first]))
