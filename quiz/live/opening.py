"""Opening a live session: its settings, questions, title, PIN and the order choices are shown in.

``create_session`` draws the questions from a selection; ``play_again``
opens a new session with an earlier one's questions and settings. Both
take plain values and flush; the caller commits.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from quiz.attempts.selection import Selection, draw_questions, layouts
from quiz.live import scoring
from quiz.live import state as machine
from quiz.live.models import LiveSession
from quiz.live.service import LiveError
from quiz.models import Bank, Question
from quiz.questions import QUESTION_TYPES, live_types

MIN_SECONDS, MAX_SECONDS, DEFAULT_SECONDS = 5, 240, 20
MAX_QUESTIONS = 50
TITLE_MAX = 120


@dataclass(frozen=True)
class Settings:
    """How a session plays: seconds per question, points, questions on phones, shuffled choices."""

    seconds: int = DEFAULT_SECONDS
    points: str = "standard"
    show_on_devices: bool = True
    shuffle: bool = True

    def check(self) -> None:
        """Raise LiveError unless every setting is in range."""
        if not MIN_SECONDS <= self.seconds <= MAX_SECONDS:
            raise LiveError(f"Choose from {MIN_SECONDS} to {MAX_SECONDS} seconds per question.")
        if self.points not in scoring.POINTS:
            raise LiveError(f"Points are one of: {', '.join(scoring.POINTS)}.")


def _new_pin(session: Session, rng: random.Random) -> str:
    """Six digits no running session uses; the partial unique index is the real guarantee."""
    taken = set(session.scalars(select(LiveSession.pin).where(LiveSession.finished_at.is_(None))))
    while True:
        pin = f"{rng.randrange(1_000_000):06d}"
        if pin not in taken and pin[0] != "0":  # a leading zero gets lost when typed as a number
            return pin


def clean_title(title: str) -> str:
    """A title with its spaces tidied (may be empty); LiveError if too long or with control characters."""
    text = re.sub(r"\s+", " ", title or "").strip()
    if len(text) > TITLE_MAX:
        raise LiveError(f"A title has at most {TITLE_MAX} characters.")
    if any(not ch.isprintable() for ch in text):
        raise LiveError("A title cannot hold control characters.")
    return text


def default_title(bank_titles: list[str], day: date) -> str:
    """The title of a session not given one: its banks' titles and the date."""
    when = f"{day.day} {day:%b %Y}"
    named = f"{', '.join(bank_titles)} · {when}"
    if len(named) <= TITLE_MAX:
        return named
    return f"{bank_titles[0][:60]} and {len(bank_titles) - 1} more · {when}"


def _default_title_for(session: Session, question_ids: list[int], day: date) -> str:
    """The default title of a session of these questions: their banks' titles and ``day``."""
    banks = session.execute(select(Bank.id, Bank.title).join(Question, Question.bank_id == Bank.id)
                            .where(Question.id.in_(question_ids)).distinct().order_by(Bank.id)).all()
    return default_title([row.title for row in banks] or ["Live quiz"], day)


def create_session(session: Session, host_id: int, selection: Selection, settings: Settings,
                   rng: random.Random, title: str = "", day: date | None = None) -> LiveSession:
    """Draw the questions (of the types live play supports) and open a session in its lobby.

    ``title`` may be empty: the session is then named after its banks and
    ``day`` (the host's date today).
    """
    settings.check()
    clean_title(title)  # refuse a bad title before drawing anything
    if not 1 <= selection.count <= MAX_QUESTIONS:
        raise LiveError(f"Choose between 1 and {MAX_QUESTIONS} questions.")
    refused = [QUESTION_TYPES[name] for name in sorted(set(selection.types))
               if name in QUESTION_TYPES and QUESTION_TYPES[name].live_refusal]
    unknown = sorted(set(selection.types) - set(QUESTION_TYPES))
    if refused or unknown:
        names = ", ".join(sorted(unknown + [t.name for t in refused]))
        reasons = "".join(f" ({t.label}: {t.live_refusal})" for t in refused)
        raise LiveError(f"Live play does not support: {names}{reasons}.")
    types = selection.types or live_types()
    chosen = draw_questions(session, Selection(
        banks=selection.banks, concepts=selection.concepts, types=types,
        question_ids=selection.question_ids, count=selection.count,
        shuffle=selection.shuffle), rng)
    if not chosen:
        raise LiveError("No question matches that choice. Widen it and try again.")
    return _open(session, host_id, chosen, settings, selection, title, day or date.today(), rng)


def play_again(session: Session, live: LiveSession, rng: random.Random, day: date) -> LiveSession:
    """A new session in its lobby, with ``live``'s questions in the same order and its settings.

    It gets a new PIN and, with shuffling on, newly shuffled choices. A title
    that was given is kept; a default one is made again for ``day``.
    """
    kept = live.settings
    settings = Settings(seconds=int(kept["seconds"]), points=kept["points"],
                        show_on_devices=bool(kept["show_on_devices"]), shuffle=bool(kept["shuffle"]))
    questions = {q.id: q for q in session.scalars(select(Question).where(Question.id.in_(live.question_ids)))}
    chosen = [questions[qid] for qid in live.question_ids if qid in questions]
    selection = Selection(banks=tuple(kept.get("banks", ())), concepts=tuple(kept.get("concepts", ())),
                          types=tuple(kept.get("types", ())), count=len(chosen))
    return _open(session, live.host_id, chosen, settings, selection,
                 live.title if kept.get("titled") else "", day, rng)


def _open(session: Session, host_id: int, chosen: list[Question], settings: Settings, selection: Selection,
          title: str, day: date, rng: random.Random) -> LiveSession:
    """A new session in its lobby with these questions: PIN, title, settings and the shown order."""
    question_ids = [q.id for q in chosen]
    given = clean_title(title)
    live = LiveSession(
        pin=_new_pin(session, rng), host_id=host_id, phase=machine.LOBBY, question_index=0,
        version=0, title=given or _default_title_for(session, question_ids, day),
        settings={"seconds": settings.seconds, "points": settings.points,
                  "show_on_devices": settings.show_on_devices, "shuffle": settings.shuffle,
                  "banks": list(selection.banks), "concepts": list(selection.concepts),
                  "types": list(selection.types), "titled": bool(given)},
        question_ids=question_ids,
        layout=layouts(chosen, rng, settings.shuffle),
    )
    session.add(live)
    session.flush()
    return live
