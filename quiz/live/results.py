"""What the live screens and the results show: standings, answer distribution, statistics, CSV.

Reads only: every function takes plain values and a database session.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from quiz.content.types import QUESTION_TYPES
from quiz.csv_cells import guarded
from quiz.live.models import LiveAnswer, LivePlayer, LiveSession
from quiz.models import Question


@dataclass(frozen=True)
class Standing:
    """A player's place: score, rank now and before the current question (None if new)."""

    player_id: int
    nickname: str
    score: int
    streak: int
    rank: int
    previous_rank: int | None

    @property
    def change(self) -> int:
        """Places gained (positive) or lost (negative) with the current question."""
        return 0 if self.previous_rank is None else self.previous_rank - self.rank


def ranks(scores: dict[int, int]) -> dict[int, int]:
    """Competition ranks (1, 2, 2, 4) of player id -> score: equal scores share a place."""
    ranked = sorted(scores, key=lambda pid: (-scores[pid], pid))
    ranks: dict[int, int] = {}
    for position, pid in enumerate(ranked, start=1):
        previous = ranked[position - 2] if position > 1 else None
        ranks[pid] = ranks[previous] if previous is not None and scores[previous] == scores[pid] else position
    return ranks


def standings(session: Session, live: LiveSession) -> list[Standing]:
    """Every player still in the room, best first, with the rank they had before this question."""
    players = list(session.scalars(select(LivePlayer).where(
        LivePlayer.session_id == live.id, LivePlayer.kicked.is_(False)).order_by(LivePlayer.id)))
    earned = dict(session.execute(select(LiveAnswer.player_id, LiveAnswer.points).where(
        LiveAnswer.session_id == live.id, LiveAnswer.question_index == live.question_index)).all())
    now = ranks({p.id: p.score for p in players})
    before = ranks({p.id: p.score - earned.get(p.id, 0) for p in players})
    started = live.phase != "lobby"
    rows = [Standing(p.id, p.nickname, p.score, p.streak, now[p.id],
                     before[p.id] if started else None) for p in players]
    return sorted(rows, key=lambda s: (s.rank, s.nickname.casefold()))


def response_text(data: dict[str, Any], value: object) -> str:
    """A recorded response in words, for tables and the CSV."""
    return QUESTION_TYPES[data["type"]].response_text(data, value)


@dataclass(frozen=True)
class Distribution:
    """How the room answered one question: a bar per option, which options are right, no answer."""

    labels: list[str]
    counts: list[int]
    right: list[bool]
    unanswered: int


def distribution(session: Session, live: LiveSession, index: int, players: int) -> Distribution:
    """Answers to question ``index`` counted per choice (or right and wrong, for typed answers)."""
    question = session.get_one(Question, live.question_ids[index])
    data = question.data
    answers = list(session.scalars(select(LiveAnswer).where(
        LiveAnswer.session_id == live.id, LiveAnswer.question_index == index)))
    labels, counts, right = QUESTION_TYPES[question.type].tally(
        data, live.layout.get(str(question.id), {}), [(a.response["value"], a.correct) for a in answers])
    return Distribution(labels, counts, right, max(0, players - len(answers)))


@dataclass(frozen=True)
class QuestionStats:
    """One question of a session: share right, mean time, the most chosen wrong answer."""

    number: int
    question: Question
    expected: str
    answered: int
    percent_right: int
    mean_seconds: float | None
    common_wrong: str | None
    common_wrong_count: int


def question_stats(session: Session, live: LiveSession) -> list[QuestionStats]:
    """Statistics of every question the session asked, in order."""
    answers = list(session.scalars(select(LiveAnswer).where(LiveAnswer.session_id == live.id)))
    stats = []
    for index, question_id in enumerate(live.question_ids):
        question = session.get_one(Question, question_id)
        mine = [a for a in answers if a.question_index == index]
        right = sum(1 for a in mine if a.correct)
        wrong = Counter(response_text(question.data, a.response["value"]) for a in mine if not a.correct)
        common, count = wrong.most_common(1)[0] if wrong else (None, 0)
        mean = round(sum(a.elapsed_ms for a in mine) / len(mine) / 1000, 1) if mine else None
        stats.append(QuestionStats(
            index + 1, question, QUESTION_TYPES[question.type].answer_text(question.data),
            len(mine), round(100 * right / len(mine)) if mine else 0, mean, common, count))
    return stats


@dataclass(frozen=True)
class PlayerAnswer:
    """One question as one player met it: what they answered (None: nothing), right or not, time, points."""

    number: int
    question: Question
    expected: str
    response: str | None
    correct: bool
    seconds: float | None
    points: int
    bonus: int


@dataclass(frozen=True)
class PlayerSheet:
    """Every question of a session with one player's answer to it, and where they ended up."""

    player: LivePlayer
    answers: list[PlayerAnswer]
    rank: int | None  # None for a removed player

    @property
    def right(self) -> int:
        """How many of the player's answers were right."""
        return sum(1 for a in self.answers if a.correct)


def player_answers(session: Session, live: LiveSession, player_id: int) -> PlayerSheet | None:
    """One player's answer to each question of the session; None if they are not in it."""
    player = session.get(LivePlayer, player_id)
    if player is None or player.session_id != live.id:
        return None
    mine = {a.question_index: a for a in session.scalars(
        select(LiveAnswer).where(LiveAnswer.player_id == player.id))}
    rows = []
    for index, question_id in enumerate(live.question_ids):
        question = session.get_one(Question, question_id)
        answer = mine.get(index)
        rows.append(PlayerAnswer(
            index + 1, question, QUESTION_TYPES[question.type].answer_text(question.data),
            response_text(question.data, answer.response["value"]) if answer else None,
            bool(answer and answer.correct), round(answer.elapsed_ms / 1000, 1) if answer else None,
            answer.points if answer else 0, answer.bonus if answer else 0))
    rank = next((s.rank for s in standings(session, live) if s.player_id == player.id), None)
    return PlayerSheet(player, rows, rank)


CSV_HEADER = ["nickname", "question", "question_id", "prompt", "answer", "correct",
              "seconds", "points"]


def results_csv(session: Session, live: LiveSession) -> str:
    """A row per player and question: the answer, right or not, time and points (blank if none).

    It starts with a UTF-8 byte-order mark, as the question export's CSV does,
    so that Excel reads accented nicknames right.

    Its text cells are guarded against spreadsheet formulas (a nickname such as ``=HYPERLINK(...)``).
    """
    players = list(session.scalars(select(LivePlayer).where(LivePlayer.session_id == live.id)
                                   .order_by(LivePlayer.id)))
    answers = {(a.player_id, a.question_index): a for a in session.scalars(
        select(LiveAnswer).where(LiveAnswer.session_id == live.id))}
    questions = [session.get_one(Question, qid) for qid in live.question_ids]
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for player in players:
        for index, question in enumerate(questions):
            answer = answers.get((player.id, index))
            key = f"{question.bank_id}/{question.key}"
            if answer is None:
                writer.writerow(guarded([player.nickname, index + 1, key, question.prompt, "", "", "", 0]))
            else:
                writer.writerow(guarded([player.nickname, index + 1, key, question.prompt,
                                         response_text(question.data, answer.response["value"]),
                                         "yes" if answer.correct else "no",
                                         f"{answer.elapsed_ms / 1000:.2f}", answer.points]))
    return out.getvalue()
