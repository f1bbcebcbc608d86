"""What every live screen reads from its request: the clock, the session by PIN or host, the player.

The presenter, player and stream views share these; services below them take
plain values and never read the request.
"""

from __future__ import annotations

from datetime import datetime

from flask import abort, current_app, request
from flask_login import current_user

from quiz import arrival
from quiz.extensions import db
from quiz.live import address, service, snapshot, watcher
from quiz.live import state as machine
from quiz.live.interruption import interruption_for
from quiz.live.models import LivePlayer, LiveSession
from quiz.security import limits

COOKIE_DAYS = 2
COOKIE_PREFIX = "live-"  # then the session id: a browser holds one token per session it plays
NOT_SEATED = "Only the session's players and its host follow it. Join with a nickname first."


def now() -> datetime:
    """The current UTC time, from the configured clock if there is one (tests fix it)."""
    return watcher.now_for(current_app)


def arrived() -> datetime:
    """When this request reached the server (``quiz.arrival``), by the same clock as ``now``."""
    return arrival.arrived(request.environ, now)


def cookie_name(live: LiveSession) -> str:
    """The name of the cookie that holds this browser's player token for the session."""
    return f"{COOKIE_PREFIX}{live.id}"


def shared(live: machine.SessionRecord) -> snapshot.Snapshot | None:
    """This process's snapshot of the session at its version (or later), read once for every screen."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # current_app is a proxy
    return watcher.snapshots_for(app).get(live.id, live.version, db.session())


def require_instructor() -> None:
    """403 unless the signed-in user is an instructor."""
    if not current_user.is_authenticated or not current_user.is_instructor:
        abort(403)


def hosted(session_id: int) -> LiveSession:
    """The session if the signed-in instructor runs it; 404 otherwise."""
    require_instructor()
    live = db.session.get(LiveSession, session_id)
    if live is None or live.host_id != current_user.id:
        abort(404)
    return live


def by_pin(pin: str) -> LiveSession:
    """The session with this PIN; 404 for a PIN that is malformed or unknown."""
    live = service.by_pin(db.session(), pin) if pin.isdigit() and len(pin) == 6 else None
    if live is None:
        limits.note_missed_pin()
        abort(404)
    return live


def join_address() -> address.JoinAddress:
    """Where this server's phones join: the public URL, this page's address, or the network's."""
    config = current_app.config
    return address.join_address(config.get("PUBLIC_URL"), request.scheme, request.host,
                                config.get("BIND_HOST"), config.get("MACHINE_ADDRESSES") or [])


def mend_interruption() -> None:
    """Before time is judged: the grace for a database failure seen here (``quiz.live.interruption``)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # current_app is a proxy
    interruption_for(app).mend(app)


def settled(live: LiveSession) -> LiveSession:
    """Move the session on if its question is due to close, and commit that at once.

    A database failure not yet mended gives its grace first (``quiz.live.interruption``).
    """
    mend_interruption()
    if service.settle(db.session(), live, now(), float(current_app.config["LIVE_ANSWER_GRACE_SECONDS"])):
        db.session.commit()
    return live


def flag(name: str) -> bool:
    """A checkbox of the posted form, as a boolean."""
    return request.form.get(name) in ("on", "true", "1", "yes")


def tokens() -> list[str]:
    """Every player token this browser holds: one cookie per session it played in the last days.

    All of them, in no set number: browsers send the oldest first, so a cut
    would lock a phone out of its newest sessions. The request's header size
    limit bounds how many there can be.
    """
    return [value for name, value in request.cookies.items()
            if name.startswith(COOKIE_PREFIX) and name[len(COOKIE_PREFIX):].isdigit() and value]


def player_of(live: LiveSession) -> LivePlayer | None:
    """The player whose token cookie this browser holds, or None."""
    return service.player_for(db.session(), live, request.cookies.get(cookie_name(live)))


def holds_cookie(live: LiveSession) -> bool:
    """Whether this browser holds a token cookie for the session (valid or not: a removed player's)."""
    return bool(request.cookies.get(cookie_name(live)))


def is_host(live: LiveSession) -> bool:
    """Whether the signed-in user runs this session."""
    return current_user.is_authenticated and current_user.id == live.host_id


def wants_json() -> bool:
    """Whether the client asked for JSON rather than a page."""
    return request.accept_mimetypes.best == "application/json"


def message(live: LiveSession, player: LivePlayer | None) -> dict:
    """What a screen is told about the session now: the state endpoint's body, a stream's first event."""
    if player is None and holds_cookie(live):
        return {"version": live.version, "removed": True}
    current = shared(live)
    assert current is not None  # the session was just read, so its snapshot can be built
    mine = (player is not None and live.phase == machine.QUESTION
            and service.answer_of(db.session(), player, live.question_index) is not None)
    players, answered = service.room(db.session(), live)
    body = current.message(player.id if player else None, now(), players, answered, mine)
    if live.phase == machine.FINISHED:
        body["finished"] = True
    return body
