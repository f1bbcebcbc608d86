"""Time the flashcard due queue and review page for a learner with 10,000 cards and a year of reviews.

Run: .venv/bin/python tests/bench/cards_bench.py [--cards N] [--runs R]

The data is built directly in a temporary SQLite file: the real content is
synced, then ``--cards`` extra cards are added, and one learner's year is
simulated with FSRS itself: each card is started on a day of the past year and
reviewed whenever it fell due, mostly passed, sometimes forgotten. The clock is
fixed at the end of that year. Timed, in one process, many times each:

- the due queue: ``queue.due_queue`` for the next 20 cards;
- the review page: GET /cards through the test client (queue, counts,
  intervals, undo, template);
- catching up: ``service.bring_forward_pending`` with nothing pending (what
  every flashcard page pays), and after a quiz of ten wrong answers (each
  run's answers rolled back afterwards, so every run moves the same cards);
- a baseline: fetching the learner's row by primary key, the cheapest query
  there is, so the ratio says what the queue costs on top of a round trip.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from calibration import calibration_line
from sqlalchemy import func, insert, select

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT))

from quiz import create_app  # noqa: E402
from quiz.cards import queue, service  # noqa: E402
from quiz.cards import scheduler as fsrs  # noqa: E402
from quiz.extensions import db  # noqa: E402
from quiz.models import Answer, Attempt, Card, CardState, Concept, Question, Review, User  # noqa: E402

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
YEAR = timedelta(days=365)
QUEUE_TARGET_MS, PAGE_TARGET_MS = 20.0, 50.0
QUIZ = 10  # wrong answers caught up at once


def simulate(card_ids: list[int], user_id: int, rng: random.Random) -> tuple[list[dict], list[dict]]:
    """A year of one learner's reviews of these cards: their final states and the review log."""
    states, reviews = [], []
    unstarted = set(rng.sample(card_ids, k=len(card_ids) // 20))  # 5% never seen: today's new cards
    for card_id in card_ids:
        if card_id in unstarted:
            continue
        memory, now, version = fsrs.Memory(), NOW - YEAR + timedelta(minutes=rng.randrange(365 * 24 * 60)), 0
        reps = lapses = 0
        while now <= NOW:
            draw = rng.random()
            rating = 1 if draw < 0.1 else 2 if draw < 0.2 else 4 if draw > 0.92 else 3
            after = fsrs.review(memory, rating, now, 0.9)
            reviews.append({"user_id": user_id, "card_id": card_id, "rating": rating, "reviewed_at": now,
                            "elapsed_days": (now - memory.last_review).total_seconds() / 86400
                            if memory.last_review else None,
                            "interval_days": (after.due - now).total_seconds() / 86400,
                            "state_before": memory.state, "state_after": after.state, "version": version,
                            "before": {}})
            lapses += memory.state == fsrs.REVIEW and rating == 1
            reps, version, memory = reps + 1, version + 1, after
            now = after.due + timedelta(minutes=rng.randrange(0, 600))  # reviewed a little late
        states.append({"user_id": user_id, "card_id": card_id, "state": memory.state, "step": memory.step,
                       "stability": memory.stability, "difficulty": memory.difficulty, "due": memory.due,
                       "last_review": memory.last_review, "reps": reps, "lapses": lapses,
                       "version": version})
    return states, reviews


def build(app, cards: int, rng: random.Random) -> int:
    """Sync the content, add the synthetic cards and the learner's year; the learner's id."""
    result = app.test_cli_runner().invoke(args=["content", "sync"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        concepts = db.session.scalars(select(Concept.id)).all()
        start = db.session.scalar(select(func.max(Card.position)))
        db.session.execute(insert(Card), [
            {"key": f"bench:{n}", "kind": "forward", "concept_id": concepts[n % len(concepts)],
             "front": f"Term {n}", "back": f"Definition {n}", "position": start + 1 + n, "retired": False}
            for n in range(cards)])
        user = User(name="bench", password_hash="unused")
        db.session.add(user)
        db.session.commit()
        card_ids = db.session.scalars(select(Card.id)).all()
        states, reviews = simulate(card_ids, user.id, rng)
        db.session.execute(insert(CardState), states)
        db.session.execute(insert(Review), reviews)
        db.session.commit()
        return user.id


def catch_up_after_a_quiz(user_id: int, question_ids: list[int], runs: int) -> tuple[list[float], int]:
    """Milliseconds to bring forward a quiz's wrong answers' cards, each run rolled back; cards moved."""
    times, moved = [], 0
    for _ in range(runs + 2):  # the first two warm up
        attempt = Attempt(user_id=user_id, question_ids=question_ids, started_at=NOW)
        db.session.add(attempt)
        db.session.flush()
        db.session.execute(insert(Answer), [
            {"attempt_id": attempt.id, "question_id": question_id, "response": {"value": None},
             "correct": False, "score": 0.0, "answered_at": NOW, "push_pending": True}
            for question_id in question_ids])
        start = time.perf_counter()
        moved = service.bring_forward_pending(db.session, user_id)
        times.append((time.perf_counter() - start) * 1000)
        assert moved > 0
        db.session.rollback()
    return times[2:], moved


def timed(function, runs: int) -> list[float]:
    """Milliseconds of each of ``runs`` calls, after two warm-up calls."""
    for _ in range(2):
        function()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return times


def summary(name: str, times: list[float]) -> str:
    """One line of figures: median, 95th percentile and best, in milliseconds."""
    cuts = statistics.quantiles(times, n=20)
    return (f"{name:<34} p50 {statistics.median(times):7.2f} ms   p95 {cuts[18]:7.2f} ms   "
            f"best {min(times):6.2f} ms")


def main() -> int:
    """Build the data, time the queue, the page and the baseline; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    print(calibration_line(), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3",
                          "CONTENT_DIR": str(PROJECT / "content"), "CLOCK": lambda: NOW},
                         instance_path=Path(tmp) / "instance")
        with app.app_context():
            db.create_all()
        began = time.perf_counter()
        user_id = build(app, args.cards, random.Random(4))
        built = time.perf_counter() - began
        with app.app_context():
            user = db.session.get(User, user_id)
            total_cards = db.session.scalar(select(func.count()).select_from(Card))
            total_reviews = db.session.scalar(select(func.count()).select_from(Review))
            counts = queue.counts(db.session, user, NOW)
            due = timed(lambda: queue.due_queue(db.session, user, NOW, limit=20), args.runs)
            counting = timed(lambda: queue.counts(db.session, user, NOW), args.runs)
            nothing = timed(lambda: service.bring_forward_pending(db.session, user_id), args.runs)
            quiz_ids = db.session.scalars(select(Question.id).order_by(Question.id).limit(QUIZ)).all()
            catching_up, moved = catch_up_after_a_quiz(user_id, quiz_ids, max(args.runs // 10, 10))
            user = db.session.get(User, user_id)
            baseline = timed(lambda: db.session.scalar(select(User.id).where(User.id == user_id)), args.runs)
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = str(user_id)
        response = client.get("/cards")
        assert response.status_code == 200 and b"flashcard-front" in response.data, response.status_code
        page = timed(lambda: client.get("/cards"), args.runs)

    print(f"cards: {total_cards}, reviews in the year: {total_reviews}, built in {built:.1f} s, "
          f"runs: {args.runs}")
    print(f"today: {counts.new} new, {counts.learning} learning, {counts.review} due")
    print(summary("due queue (next 20 cards)", due))
    print(summary("counts (new/learning/due)", counting))
    print(summary("GET /cards (review page)", page))
    print(summary("catch up, nothing pending", nothing))
    print(summary(f"catch up, {QUIZ} wrong quiz answers", catching_up) + f"   ({moved} cards moved)")
    print(summary("baseline: user row by key", baseline))
    print(f"ratio due queue / baseline (p50): {statistics.median(due) / statistics.median(baseline):.1f}")
    queue_ok = statistics.median(due) < QUEUE_TARGET_MS
    page_ok = statistics.median(page) < PAGE_TARGET_MS
    print(f"target due queue under {QUEUE_TARGET_MS:g} ms (p50) -> {'met' if queue_ok else 'NOT met'}")
    print(f"target page under {PAGE_TARGET_MS:g} ms (p50) -> {'met' if page_ok else 'NOT met'}")
    return 0 if queue_ok and page_ok else 1


if __name__ == "__main__":
    sys.exit(main())
