"""A small world with one of everything a route can be about, and a browser for each role in it.

Roles: a visitor (no account), a learner (signed in, owning nothing here),
the owner (the learner whose attempt it is), an instructor (who runs no
session here), the host (the instructor running the session) and a seated
player (the live session's token cookie, no account).
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field

from sqlalchemy import select

from quiz.attempts.selection import Selection
from quiz.extensions import db
from quiz.live import opening
from quiz.live import service as live
from quiz.live.web import cookie_name
from quiz.models import Card, Question, User, utcnow
from quiz.study import service as study
from tests.helpers.sessions import login_value

ROLES = ("visitor", "learner", "owner", "instructor", "host", "player")


@dataclass
class World:
    """What the routes' parameters point at, and the browsers of each role."""

    values: dict[str, str]
    clients: dict[str, object] = field(default_factory=dict)


def _account(name: str, instructor: bool = False) -> User:
    user = User(name=name, password_hash="unused", is_instructor=instructor)
    db.session.add(user)
    db.session.flush()
    return user


WORLDS = itertools.count(1)


def build(app) -> World:
    """Accounts, an attempt, a live session with a player, and a signed-in browser per role."""
    number = next(WORLDS)
    with app.app_context():
        users = {role: _account(f"{role}-{number}", instructor=role in ("instructor", "host"))
                 for role in ("learner", "owner", "instructor", "host")}
        question_ids = list(db.session.scalars(select(Question.id).where(Question.type == "single").limit(2)))
        drawn = Selection(question_ids=tuple(question_ids), count=2, shuffle=False)
        attempt = study.start_attempt(db.session, users["owner"].id, drawn, random.Random(1))
        session = opening.create_session(db.session, users["host"].id,
                                         Selection(types=("single",), count=2), opening.Settings(),
                                         random.Random(number))
        player = live.join(db.session, session, "player", None, utcnow())
        logins = {role: login_value(db.session, user.id) for role, user in users.items()}
        values = {"attempt_id": str(attempt.id), "position": "1", "card_id": str(db.session.scalar(
            select(Card.id).limit(1))), "session_id": str(session.id), "player_id": str(player.id),
            "pin": session.pin, "bank_id": "ch01-concepts", "filename": "style.css"}
        cookie, token = cookie_name(session), player.token
        db.session.commit()
    world = World(values)
    for role in ROLES:
        client = app.test_client()
        if role in logins:
            with client.session_transaction() as kept:
                kept["_user_id"] = logins[role]
                kept["_fresh"] = True
        if role == "player":
            client.set_cookie(cookie, token, path="/live")
        world.clients[role] = client
    return world


def path_of(app, rule, values: dict[str, str]) -> str:
    """The rule's URL with these values for its parameters."""
    adapter = app.url_map.bind("localhost")
    return adapter.build(rule.endpoint, {name: values[name] for name in rule.arguments})
