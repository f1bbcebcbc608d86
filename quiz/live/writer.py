"""Group commit for live answers: the answers of a few milliseconds written in one transaction.

A hall answering at once would otherwise be a transaction per answer, each
taking the database's write lock (SQLite) or flushing its log (PostgreSQL)
on its own. Here the first answer to come when no write is under way leads:
it waits ``LIVE_ANSWER_BATCH_MS`` for others, writes everything queued in
one transaction, then hands the lead to the first answer that queued
meanwhile, which writes at once. Every request is acknowledged only after
the commit that holds its row.

Exactly once stays the unique (player, question index) constraint's work:
each row is ``INSERT ... ON CONFLICT DO NOTHING RETURNING id``, so a repeat
in the same batch or a later one gets the id already recorded. A batch that
fails on a fault of the moment (the database locked past its budget, or out
of reach) fails each of its requests with that error, which the app answers
503 with ``Retry-After``: nothing of the batch was kept, so the phones' retry
is safe. Any other failure (one row the database refuses) is written again
answer by answer, so the others are kept and only that one fails.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from functools import cache
from typing import NamedTuple

from flask import Flask
from sqlalchemy import Insert, Select, bindparam, create_engine, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from quiz.attempts.recording import AnswerRow, answer_insert
from quiz.database import insert_for
from quiz.errors import TRANSIENT
from quiz.extensions import db
from quiz.live import state as machine
from quiz.live.models import LiveAnswer, LiveSession

ROW = ("session_id", "player_id", "question_index", "question_id", "response", "correct", "elapsed_ms",
       "points", "bonus", "streak", "answered_at")
PATIENCE_SECONDS = 60.0  # a follower gives up on a leader this late (it cannot be: the lock budget is less)
_create_lock = threading.Lock()


@dataclass(frozen=True)
class Entry:
    """An answer checked and graded, ready to write: its row, the version it was checked at, its progress row.

    ``progress`` is the signed-in learner's own answers row (else None).
    """

    row: dict
    version: int
    progress: AnswerRow | None = None


class WriterUnavailable(OperationalError):
    """The batch holding this answer was not written in time: nothing was kept, try again."""

    def __init__(self):
        super().__init__(None, None, RuntimeError("the live answers' writer did not finish in time"))


class _Statements(NamedTuple):
    """The statements an answer's write runs, compiled once per database."""

    answer: Insert  # the answer's row, only while its question is open at its version
    answer_id: Insert  # the same, returning the new row's id
    existing: Select[int]  # the id of the player's answer already recorded to that question
    recorded: Select[int, int, int]  # id, player and question of a batch's answers
    progress: Insert  # a signed-in learner's own answers row: the answering core's insert (quiz.attempts)


@cache
def _statements(dialect: str) -> _Statements:
    """The statements for ``dialect``: bound parameters throughout, so every answer reuses them."""
    columns = LiveAnswer.__table__.c
    # FOR SHARE (PostgreSQL; SQLite's single writer needs none) makes a close wait for this insert,
    # or this insert wait for the close and then find the question shut: the tally never misses it.
    still_open = select(LiveSession.id).where(
        LiveSession.id == bindparam("session_id"), LiveSession.version == bindparam("version"),
        LiveSession.phase == machine.QUESTION).with_for_update(read=True).exists()
    answer = (insert_for(dialect)(LiveAnswer)
              .from_select(list(ROW), select(*(bindparam(name, type_=columns[name].type) for name in ROW))
                           .where(still_open))
              .on_conflict_do_nothing(index_elements=["player_id", "question_index"]))
    existing = select(LiveAnswer.id).where(LiveAnswer.player_id == bindparam("player_id"),
                                           LiveAnswer.question_index == bindparam("question_index"))
    recorded = select(LiveAnswer.id, LiveAnswer.player_id, LiveAnswer.question_index).where(
        LiveAnswer.player_id.in_(bindparam("players", expanding=True)),
        LiveAnswer.question_index.in_(bindparam("indexes", expanding=True)))
    return _Statements(answer, answer.returning(LiveAnswer.id), existing, recorded, answer_insert(dialect))


def record(connection: Connection, entry: Entry) -> int | None:
    """Write one answer in the connection's transaction: its id, the id already there, or None if closed."""
    statements = _statements(connection.dialect.name)
    recorded = connection.execute(statements.answer_id, {**entry.row, "version": entry.version}).scalar()
    if recorded is None:  # a repeat (this batch or before), or the question closed meanwhile
        return connection.execute(statements.existing, entry.row).scalar()
    if entry.progress is not None:
        connection.execute(statements.progress, entry.progress)
    return recorded


def record_all(connection: Connection, entries: list[Entry]) -> list[int | None]:
    """Write a batch's answers in the connection's transaction: for each, as ``record`` says.

    A few statements whatever the batch's size: the inserts go as one
    executemany (one round trip on PostgreSQL, whose driver pipelines it),
    then one read finds every answer's id, new or recorded before; an answer
    with none was refused because its question had closed. Progress rows go
    only with recorded answers; a repeat's meets the row its first copy wrote,
    which the insert's ON CONFLICT keeps.
    """
    if len(entries) == 1:
        return [record(connection, entries[0])]
    statements = _statements(connection.dialect.name)
    connection.execute(statements.answer, [{**entry.row, "version": entry.version} for entry in entries])
    keys = [(entry.row["player_id"], entry.row["question_index"]) for entry in entries]
    asked = {"players": sorted({player for player, _ in keys}), "indexes": sorted({i for _, i in keys})}
    found = {(player, index): answer_id
             for answer_id, player, index in connection.execute(statements.recorded, asked)}
    ids = [found.get(key) for key in keys]
    learners = [entry.progress for entry, answer_id in zip(entries, ids, strict=True)
                if answer_id is not None and entry.progress is not None]
    if learners:
        connection.execute(statements.progress, learners)
    return ids


@dataclass
class _Waiting:
    """One request's answer in the queue: set ``done`` once its outcome is known (or it is to lead)."""

    entry: Entry
    done: threading.Event = field(default_factory=threading.Event)
    outcome: int | BaseException | None = None
    written: bool = False
    lead: bool = False

    def result(self) -> int | None:
        if isinstance(self.outcome, BaseException):
            raise self.outcome
        return self.outcome


class AnswerWriter:
    """Collects answers for ``window`` seconds and writes each batch with ``write`` (see the module doc)."""

    def __init__(self, connect: Callable[[], AbstractContextManager[Connection]], window: float):
        self._connect = connect  # a context manager: a connection in a transaction, committed on exit
        self.window = window
        self._lock = threading.Lock()
        self._queue: list[_Waiting] = []
        self._busy = False
        self.batches = 0  # how many transactions it committed: tests and figures read it

    def write(self, entry: Entry) -> int | None:
        """Write ``entry`` with whatever else comes within the window; its id, or None if its question closed.

        Returns after the commit. Raises the database's error (the transaction
        rolled back) if the answer could not be written.
        """
        waiting = _Waiting(entry)
        with self._lock:
            self._queue.append(waiting)
            lead = not self._busy
            self._busy = True
        if lead:
            time.sleep(self.window)  # a cooperative pause under gevent: the others queue meanwhile
        else:
            if not waiting.done.wait(PATIENCE_SECONDS):
                raise WriterUnavailable()
            if not waiting.lead:
                return waiting.result()
        self._lead()
        return waiting.result()

    def _lead(self) -> None:
        with self._lock:
            batch, self._queue = self._queue, []
        try:
            self._write(batch)
        finally:
            for waiting in batch:
                if not waiting.written:  # the leader itself was stopped mid-write
                    waiting.outcome = WriterUnavailable()
                waiting.done.set()
            with self._lock:
                if self._queue:  # queued while this batch was written: the first of them writes next
                    self._queue[0].lead = True
                    self._queue[0].done.set()
                else:
                    self._busy = False

    def _write(self, batch: list[_Waiting]) -> None:
        try:
            with self._connect() as connection:
                ids = record_all(connection, [waiting.entry for waiting in batch])
            self.batches += 1
        except TRANSIENT as exc:  # the database, not a row: fail them all cleanly, the phones retry
            for waiting in batch:
                waiting.outcome, waiting.written = exc, True
            return
        except Exception as exc:
            if len(batch) == 1:
                batch[0].outcome, batch[0].written = exc, True
                return
            for waiting in batch:  # one row refused: the rest go in one by one, that one fails alone
                self._write_alone(waiting)
            return
        for waiting, found in zip(batch, ids, strict=True):
            waiting.outcome, waiting.written = found, True

    def _write_alone(self, waiting: _Waiting) -> None:
        try:
            with self._connect() as connection:
                waiting.outcome = record(connection, waiting.entry)
            self.batches += 1
        except Exception as exc:
            waiting.outcome = exc
        waiting.written = True


def writer_for(app: Flask) -> AnswerWriter:
    """This process's answer writer for ``app``, made on first use."""
    with _create_lock:
        found = app.extensions.get("live_writer")
        if found is None:
            with app.app_context():
                engine = db.engine
            if engine.dialect.name != "sqlite":
                # Its own connection: a batch never waits for the pool behind the requests it would
                # acknowledge. (SQLite's writes take turns on the file anyway, through the app's engine.)
                from quiz import pool_checks  # psycopg is installed only where PostgreSQL is used

                engine = create_engine(engine.url, pool_size=1, max_overflow=1)
                pool_checks.replace_closed_connections(engine)
            found = app.extensions["live_writer"] = AnswerWriter(
                engine.begin, int(app.config.get("LIVE_ANSWER_BATCH_MS", 3)) / 1000)
        return found
