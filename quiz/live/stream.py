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


def _event(data: dict) -> str:
    return f"event: state\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def _reconnect(pause_ms: tuple[int, int] = (200, 1200)) -> str:
    """The last event of a stream whose server process stops: reconnect (to another one) shortly.

    EventSource reconnects by itself when a stream ends, after the ``retry``
    pause; a random one spreads a hall's reconnections over a second.
    """
    return f"retry: {random.randint(*pause_ms)}\nevent: reconnect\ndata: {{}}\n\n"  # noqa: S311


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
        return _single(_reconnect((1000, 1500)))
    live = web.settled(web.by_pin(pin))
    session_id = live.id
    player = web.player_of(live)
    presenter = web.is_host(live)
    if player is None and not presenter:
        if web.holds_cookie(live):  # removed from the session: say so once and stop
            return _single(_event(web.message(live, None)))
        abort(403, web.NOT_SEATED)
    first = web.message(live, player)
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

    def stream():
        known = seen
        yield "retry: 1000\n" + _event(first)
        while (left := ends - time.monotonic()) > 0:
            now = live_watcher.wait(session_id, known, min(heartbeat, left), versions_only=not presenter)
            if live_watcher.stopping:
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
