"""What a session's screens are told when it moves, built once per process and version.

A phase change reaches every phone at once. So what they are sent is read
from the database once per process: the session, its question, and, from the
reveal on, every player's result and rank. It is then shared. Each stream or
poll adds only the remaining time, the live counts and its own player's line.
Phones redraw from this, with no page load, so a question reaches a full hall
in one write per phone.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from quiz.live import results
from quiz.live import state as machine
from quiz.live.models import LiveAnswer, LivePlayer, LiveSession
from quiz.models import Question
from quiz.questions import QUESTION_TYPES

SHAPES = ("Triangle", "Diamond", "Circle", "Square")  # as templates/live/_shapes.html draws them
KEPT = 64  # sessions whose latest snapshot a process keeps; the oldest goes first
NEWCOMER = {"answered": False, "correct": False, "points": 0, "bonus": 0, "score": 0, "streak": 0,
            "rank": None}


@dataclass(frozen=True)
class Snapshot:
    """One version of a session as the screens see it: the shared part and each player's line."""

    session_id: int
    version: int
    phase: str
    deadline: datetime | None
    public: dict
    lines: dict[int, dict] = field(default_factory=dict)  # player id -> result, from the reveal on
    kicked: frozenset[int] = frozenset()
    question_id: int | None = None  # the current question, whose content answers are graded with
    question_data: dict | None = None

    def content_of(self, question_id: int) -> dict | None:
        """The content of ``question_id`` if it is this snapshot's question (else None: read it)."""
        return self.question_data if question_id == self.question_id else None

    def message(self, player_id: int | None, now: datetime, players: int, answered: int,
                answered_by_me: bool = False) -> dict:
        """What one screen is sent: the shared part, the time left, the counts and the player's line."""
        body = {**self.public, "remaining_ms": machine.time_left_ms(self.phase, self.deadline, now),
                "players": players, "answered": answered}
        if player_id is not None:
            if player_id in self.kicked:
                return {"version": self.version, "removed": True}
            # While a question is open only the player's own request knows whether they answered it.
            body["me"] = ({"answered": answered_by_me} if self.phase == machine.QUESTION
                          else self.lines.get(player_id, NEWCOMER))
        return body


def options(live: LiveSession, question: Question) -> list[tuple[str, str]]:
    """A question's answer buttons as (form value, label), in the order the session shows them."""
    return QUESTION_TYPES[question.type].live_options(question.data, live.layout.get(str(question.id), {}))


def ask(live: LiveSession, question: Question) -> dict:
    """The open question as a phone draws it: prompt, answer buttons or fields, in the shown order."""
    data = question.data
    qtype = QUESTION_TYPES[question.type]
    show = bool(live.settings.get("show_on_devices", True))
    asked = {"index": live.question_index, "type": question.type,
             "prompt": data["prompt"] if show or qtype.live_prompt_on_phone else None}
    buttons = options(live, question)
    if buttons:
        asked["options"] = [[value, label if show else SHAPES[n % 4]]
                            for n, (value, label) in enumerate(buttons)]
    asked.update(qtype.live_ask(data, live.layout.get(str(question.id), {})))
    return asked


def _lines(session: Session, live: LiveSession) -> tuple[dict[int, dict], frozenset[int]]:
    """Every player's result for the current question and rank overall; the kicked apart."""
    players = session.execute(select(LivePlayer.id, LivePlayer.score, LivePlayer.streak, LivePlayer.kicked)
                              .where(LivePlayer.session_id == live.id)).all()
    answers = {row.player_id: row for row in session.execute(
        select(LiveAnswer.player_id, LiveAnswer.correct, LiveAnswer.points, LiveAnswer.bonus).where(
            LiveAnswer.session_id == live.id, LiveAnswer.question_index == live.question_index))}
    playing = [p for p in players if not p.kicked]
    ranks = results.ranks({p.id: p.score for p in playing})
    lines = {}
    for player in playing:
        answer = answers.get(player.id)
        lines[player.id] = {
            "answered": answer is not None, "correct": bool(answer and answer.correct),
            "points": answer.points if answer else 0, "bonus": answer.bonus if answer else 0,
            "score": player.score, "streak": player.streak, "rank": ranks[player.id]}
    return lines, frozenset(p.id for p in players if p.kicked)


def build(session: Session, session_id: int) -> Snapshot | None:
    """Read one session's snapshot from the database; None if there is no such session."""
    live = session.get(LiveSession, session_id)
    if live is None:
        return None
    public = {"version": live.version, "phase": live.phase, "question": live.question_index + 1,
              "questions": len(live.question_ids)}
    lines: dict[int, dict] = {}
    kicked: frozenset[int] = frozenset()
    question = None
    if live.phase != machine.LOBBY:
        question = session.get_one(Question, live.question_ids[live.question_index])
    if live.phase in (machine.LOBBY, machine.QUESTION):
        # Before the reveal there are no lines to read, but a removed phone must still hear it.
        kicked = frozenset(session.scalars(select(LivePlayer.id).where(
            LivePlayer.session_id == live.id, LivePlayer.kicked.is_(True))))
        if question is not None:
            public["ask"] = ask(live, question)
    else:
        assert question is not None  # past the lobby a question is open
        public["answer"] = QUESTION_TYPES[question.type].answer_text(question.data)
        lines, kicked = _lines(session, live)
    return Snapshot(live.id, live.version, live.phase, live.deadline, public, lines, kicked,
                    question.id if question else None, question.data if question else None)


class Snapshots:
    """The latest snapshot of each session in this process, built at most once per version.

    A builder holds a connection before it takes the lock, never after: were
    it to wait for the pool while holding the lock, the requests waiting for
    the lock, each holding its own connection, could take the whole pool and
    wait for it together until the pool's timeout.
    """

    def __init__(self, connect: Callable[[], AbstractContextManager[Session]]):
        self._connect = connect  # a session of its own, released on exit
        self._latest: dict[int, Snapshot] = {}
        self._lock = threading.Lock()

    def get(self, session_id: int, version: int, session: Session | None = None) -> Snapshot | None:
        """The snapshot at ``version`` or later; the first caller builds it and the rest wait for it.

        A request passes its own ``session``, so that it builds with the connection it holds.
        """
        return self._fetch(session_id, lambda found: found.version >= version, session)

    def final(self, session_id: int) -> Snapshot | None:
        """The snapshot of a session that just finished (the podium), built once."""
        return self._fetch(session_id, lambda found: found.phase == machine.FINISHED, None)

    def _fetch(self, session_id: int, fresh: Callable[[Snapshot], bool],
               session: Session | None) -> Snapshot | None:
        found = self._latest.get(session_id)
        if found is not None and fresh(found):
            return found
        with self._reading(session) as reader, self._lock:
            found = self._latest.get(session_id)
            if found is None or not fresh(found):
                found = build(reader, session_id)
                if found is not None:
                    self._latest.pop(session_id, None)  # re-inserted last: the newest
                    self._latest[session_id] = found
                    while len(self._latest) > KEPT:
                        del self._latest[next(iter(self._latest))]
        return found

    @contextmanager
    def _reading(self, session: Session | None) -> Iterator[Session]:
        with self._connect() if session is None else nullcontext(session) as reader:
            reader.connection()  # taken now if not yet, before the lock
            yield reader
