"""A learner's own data: all of it as JSON to download, or deleted with the account.

Everything that names an account is listed in ``REFERENCES``; a test checks
the list against every foreign key to ``users``, so a new table that points
at accounts cannot be forgotten here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from quiz.accounts.models import Login
from quiz.live.models import LiveAnswer, LivePlayer, LiveSession
from quiz.models import Answer, Attempt, Card, CardState, Question, Review, User

# Every column that points at an account, and what deleting the account does with its rows.
REFERENCES = {
    "attempts.user_id": "deleted, with their answers",
    "card_states.user_id": "deleted",
    "reviews.user_id": "deleted",
    "logins.user_id": "deleted (every sign-in ends)",
    "live_sessions.host_id": "deleted, with their players and answers (the sessions this account ran)",
    "live_players.user_id": "unlinked: the host's results keep the nickname and answers, not the account",
}


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def export(session: Session, user_id: int) -> dict:
    """Everything the app holds about this account, as plain JSON values."""
    user = session.get_one(User, user_id)
    return {
        "account": {"name": user.name, "instructor": user.is_instructor, "created_at": _when(user.created_at),
                    "time_zone": user.time_zone, "desired_retention": user.desired_retention,
                    "new_cards_per_day": user.new_cards_per_day},
        "attempts": _attempts(session, user_id),
        "flashcards": _cards(session, user_id),
        "reviews": _reviews(session, user_id),
        "live_results": _live_results(session, user_id),
        "live_sessions_hosted": _hosted(session, user_id),
    }


def _attempts(session: Session, user_id: int) -> list[dict]:
    answers: dict[int, list[dict]] = {}
    rows = session.execute(
        select(Answer, Question.bank_id, Question.key).join(Question, Question.id == Answer.question_id)
        .join(Attempt, Attempt.id == Answer.attempt_id).where(Attempt.user_id == user_id).order_by(Answer.id))
    for answer, bank_id, key in rows:
        answers.setdefault(answer.attempt_id, []).append({
            "bank": bank_id, "question": key, "response": (answer.response or {}).get("value"),
            "correct": answer.correct, "score": answer.score, "answered_at": _when(answer.answered_at)})
    attempts = session.scalars(select(Attempt).where(Attempt.user_id == user_id).order_by(Attempt.id))
    return [{"id": attempt.id, "mode": (attempt.settings or {}).get("mode"),
             "started_at": _when(attempt.started_at), "finished_at": _when(attempt.finished_at),
             "questions": len(attempt.question_ids or []), "answers": answers.get(attempt.id, [])}
            for attempt in attempts]


def _cards(session: Session, user_id: int) -> list[dict]:
    rows = session.execute(select(CardState, Card.key).join(Card, Card.id == CardState.card_id)
                           .where(CardState.user_id == user_id).order_by(CardState.id))
    return [{"card": key, "state": state.state, "due": _when(state.due), "stability": state.stability,
             "difficulty": state.difficulty, "reps": state.reps, "lapses": state.lapses,
             "last_review": _when(state.last_review)} for state, key in rows]


def _reviews(session: Session, user_id: int) -> list[dict]:
    rows = session.execute(select(Review, Card.key).join(Card, Card.id == Review.card_id)
                           .where(Review.user_id == user_id).order_by(Review.id))
    return [{"card": key, "rating": review.rating, "reviewed_at": _when(review.reviewed_at),
             "interval_days": review.interval_days} for review, key in rows]


def _live_results(session: Session, user_id: int) -> list[dict]:
    players = session.execute(select(LivePlayer, LiveSession).join(LiveSession)
                              .where(LivePlayer.user_id == user_id).order_by(LivePlayer.id)).all()
    answers: dict[int, list[dict]] = {}
    if players:
        rows = session.execute(
            select(LiveAnswer, Question.bank_id, Question.key)
            .join(Question, Question.id == LiveAnswer.question_id)
            .where(LiveAnswer.player_id.in_([player.id for player, _ in players])).order_by(LiveAnswer.id))
        for answer, bank_id, key in rows:
            answers.setdefault(answer.player_id, []).append({
                "question_number": answer.question_index + 1, "bank": bank_id, "question": key,
                "response": (answer.response or {}).get("value"), "correct": answer.correct,
                "seconds": answer.elapsed_ms / 1000, "points": answer.points})
    return [{"session": live.id, "nickname": player.nickname, "joined_at": _when(player.joined_at),
             "finished_at": _when(live.finished_at), "score": player.score, "removed": player.kicked,
             "answers": answers.get(player.id, [])} for player, live in players]


def _hosted(session: Session, user_id: int) -> list[dict]:
    hosted = session.scalars(select(LiveSession).where(LiveSession.host_id == user_id)
                             .order_by(LiveSession.id))
    return [{"session": live.id, "created_at": _when(live.created_at), "finished_at": _when(live.finished_at),
             "questions": len(live.question_ids or []), "players": len(live.players)} for live in hosted]


def delete_account(session: Session, user_id: int) -> None:
    """Delete the account and what is its own (see ``REFERENCES``); flushes, the caller commits."""
    attempts = select(Attempt.id).where(Attempt.user_id == user_id).scalar_subquery()
    hosted = select(LiveSession.id).where(LiveSession.host_id == user_id).scalar_subquery()
    for statement in (
        delete(LiveAnswer).where(LiveAnswer.session_id.in_(hosted)),
        delete(LivePlayer).where(LivePlayer.session_id.in_(hosted)),
        delete(LiveSession).where(LiveSession.host_id == user_id),
        # A live player's link to their own study attempt goes with the attempt.
        update(LivePlayer).where(LivePlayer.attempt_id.in_(attempts)).values(attempt_id=None),
        update(LivePlayer).where(LivePlayer.user_id == user_id).values(user_id=None),
        delete(Answer).where(Answer.attempt_id.in_(attempts)),
        delete(Attempt).where(Attempt.user_id == user_id),
        delete(Review).where(Review.user_id == user_id),
        delete(CardState).where(CardState.user_id == user_id),
        delete(Login).where(Login.user_id == user_id),
        delete(User).where(User.id == user_id),
    ):
        session.execute(statement.execution_options(synchronize_session=False))
    session.expire_all()
    session.flush()
