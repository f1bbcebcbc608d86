"""The live event stream: one ``state`` event each time a session moves, for every open screen."""

from __future__ import annotations

import json
import time

from flask import Response, current_app
from flask_login import current_user

from quiz.extensions import db
from quiz.live import watcher, web


def _event(data: dict) -> str:
    return f"event: state\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def events(pin: str):
    """Server-sent events: a ``state`` event whenever the session moves, until it finishes.

    Everything is read up front and the database session released, so a
    stream holds no connection while it waits; the process's watcher wakes it
    and has the shared snapshot ready. A phone hears of new versions only; the
    presenter also of every join and answer. A stream ends after
    ``LIVE_STREAM_SECONDS`` (EventSource reconnects by itself); past
    ``LIVE_MAX_STREAMS`` open streams the answer is 204, on which EventSource
    gives up and the page polls instead.
    """
    live = web.settled(web.by_pin(pin))
    session_id = live.id
    player = web.player_of(live)
    presenter = current_user.is_authenticated and current_user.id == live.host_id
    first = web.message(live, player)
    seen = watcher.signatures(db.session.connection(), session_id).get(session_id)
    db.session.remove()
    app, config = current_app._get_current_object(), current_app.config
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    if seen is None or first.get("removed"):  # over, or not yours: say so once and stop
        return Response(_event(first), mimetype="text/event-stream", headers=headers)
    live_watcher = watcher.watcher_for(app)
    if not live_watcher.open_stream(config.get("LIVE_MAX_STREAMS")):
        return Response(status=204, headers=headers)
    snapshots = watcher.snapshots_for(app)
    player_id = player.id if player is not None else None
    heartbeat = float(config["LIVE_HEARTBEAT_SECONDS"])
    ends = time.monotonic() + float(config["LIVE_STREAM_SECONDS"])

    def stream():
        known = seen
        yield "retry: 1000\n" + _event(first)
        while (left := ends - time.monotonic()) > 0:
            now = live_watcher.wait(session_id, known, min(heartbeat, left), versions_only=not presenter)
            if now is None:
                final = snapshots.final(session_id)
                body = final.message(player_id, watcher.now_for(app), known[1], known[2]) if final else {}
                yield _event({**body, "finished": True})
                return
            if now == known:
                yield ": keepalive\n\n"
                continue
            known = now
            shared = snapshots.get(session_id, known[0])
            yield _event(shared.message(player_id, watcher.now_for(app), known[1], known[2]))

    response = Response(stream(), mimetype="text/event-stream", headers=headers)
    response.call_on_close(live_watcher.close_stream)  # also when the client left before a byte
    return response
