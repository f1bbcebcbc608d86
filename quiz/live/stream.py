"""The live event stream: one ``state`` event each time a session moves, for every open screen."""

from __future__ import annotations

import json
import random
import time

from flask import Response, abort, current_app

from quiz import clock
from quiz.extensions import db
from quiz.live import watcher, web

HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
# What EventSource waits before it reconnects a stream that dropped or ended: short, so a phone is
# back within a fraction of a second of a worker stopping (the others already serve), and random,
# so a hall that lost its streams together does not come back in the same instant.
RECONNECT_MS = (100, 500)


def _event(data: dict) -> str:
    return f"event: state\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def _retry() -> str:
    return f"retry: {random.randint(*RECONNECT_MS)}\n"  # noqa: S311  (a spread, not a secret)


def _reconnect() -> str:
    """The last event of a stream whose server process stops: reconnect (to another one) shortly.

    EventSource reconnects by itself when a stream ends, after the ``retry``
    pause; a random one spreads a hall's reconnections.
    """
    return f"{_retry()}event: reconnect\ndata: {{}}\n\n"


def _single(text: str) -> Response:
    return Response(text, mimetype="text/event-stream", headers=HEADERS)


def events(pin: str):
    """Server-sent events for a seated player or the host: a ``state`` event whenever the session moves.

    Everything is read up front and the database session released, so a
    stream holds no connection while it waits; the process's watcher wakes it
    and has the shared snapshot ready. A phone hears of new versions only; the
    presenter also of every join and answer. A stream ends when the session
    finishes, after ``LIVE_STREAM_SECONDS`` (EventSource reconnects by itself),
    or with a ``reconnect`` event when this process stops. Past
    ``LIVE_MAX_STREAMS`` open streams in the process, or past two for one
    player, the answer is 204, on which EventSource gives up and the page
    polls instead. Anyone else is refused (403).
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # current_app is a proxy
    config = current_app.config
    live_watcher = watcher.watcher_for(app)
    if live_watcher.stopping:  # came in the second before this process stops accepting: come back after
        return _single(_reconnect())
    live = web.settled(web.by_pin(pin))
    session_id = live.id
    player = web.player_of(live)
    presenter = web.is_host(live)
    if player is None and not presenter:
        if web.holds_cookie(live):  # removed from the session: say so once and stop
            return _single(_event(web.message(live, None)))
        abort(403, web.NOT_SEATED)
    first = web.message(live, player)
    seen = live_watcher.known(session_id)  # a hall's streams open on what the watcher read last
    if seen is None or seen[0] != live.version:
        seen = watcher.signatures(db.session.connection(), session_id).get(session_id)
    db.session.remove()
    if seen is None:  # over: say so once and stop
        return _single(_event(first))
    viewer = (session_id, "host" if presenter or player is None else player.id)  # None: aborted above
    if not live_watcher.open_stream(config.get("LIVE_MAX_STREAMS"), viewer):
        return Response(status=204, headers=HEADERS)
    snapshots = watcher.snapshots_for(app)
    player_id = player.id if player is not None else None
    heartbeat = float(config["LIVE_HEARTBEAT_SECONDS"])
    ends = time.monotonic() + float(config["LIVE_STREAM_SECONDS"])

    share = random.random()  # noqa: S311  (where in a drain's spread this stream ends)

    def stream():
        known, leave_at = seen, None
        yield _retry() + _event(first)
        while (left := ends - time.monotonic()) > 0:
            if live_watcher.stopping:
                leave_at = live_watcher.leave_at(share) if leave_at is None else leave_at
                if time.monotonic() >= leave_at:
                    yield _reconnect()
                    return
                left = min(left, leave_at - time.monotonic())
            now = live_watcher.wait(session_id, known, min(heartbeat, left), versions_only=not presenter,
                                    leave_at=leave_at)
            if live_watcher.stopping and time.monotonic() >= live_watcher.leave_at(share):
                yield _reconnect()
                return
            if now is None:
                final = snapshots.final(session_id)
                body = final.message(player_id, clock.now_for(app), known[1], known[2]) if final else {}
                yield _event({**body, "finished": True})
                return
            if now == known:
                yield ": keepalive\n\n"
                continue
            known = now
            shared = snapshots.get(session_id, known[0])
            yield _event(shared.message(player_id, clock.now_for(app), known[1], known[2]))

    response = Response(stream(), mimetype="text/event-stream", headers=HEADERS)
    response.call_on_close(lambda: live_watcher.close_stream(viewer))  # also when the client left early
    return response
