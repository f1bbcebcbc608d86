"""Live-session pages: the instructor's presenter screen, the players' phones, results.

Views parse the request, call the live services with plain values, commit
once and render. Every page reads the session's state from the database, so
any server process can serve any request; pages follow changes through the
small state endpoint (polled) or its event stream.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from random import SystemRandom

import segno
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select

from quiz.content.types import QUESTION_TYPES
from quiz.extensions import db
from quiz.grading import InvalidResponse, parse_form
from quiz.live import results, service, snapshot, watcher
from quiz.live import state as machine
from quiz.live.models import LivePlayer, LiveSession
from quiz.models import Bank, Concept, Question
from quiz.study import charts
from quiz.study.service import Selection

blueprint = Blueprint("live", __name__)
COOKIE_DAYS = 2
LOBBY_NAMES = 100  # the lobby names the newest players; a hall of thousands is counted, not listed


COOKIE_PREFIX = "live-"  # then the session id: a browser holds one token per session it plays


def _now() -> datetime:
    """The current UTC time, from the configured clock if there is one (tests fix it)."""
    return watcher.now_for(current_app)


def _cookie(live: LiveSession) -> str:
    return f"{COOKIE_PREFIX}{live.id}"


def _shared(live: LiveSession) -> snapshot.Snapshot | None:
    """This process's snapshot of the session at its version (or later), read once for every screen."""
    return watcher.snapshots_for(current_app._get_current_object()).get(live.id, live.version)


def _require_instructor() -> None:
    if not current_user.is_authenticated or not current_user.is_instructor:
        abort(403)


def _hosted(session_id: int) -> LiveSession:
    """The session if the signed-in instructor runs it; 404 otherwise."""
    _require_instructor()
    live = db.session.get(LiveSession, session_id)
    if live is None or live.host_id != current_user.id:
        abort(404)
    return live


def _by_pin(pin: str) -> LiveSession:
    live = service.by_pin(db.session, pin) if pin.isdigit() and len(pin) == 6 else None
    if live is None:
        abort(404)
    return live


def _settled(live: LiveSession) -> LiveSession:
    """Move the session on if its question is due to close, and commit that at once."""
    if service.settle(db.session, live, _now()):
        db.session.commit()
    return live


def _flag(name: str) -> bool:
    return request.form.get(name) in ("on", "true", "1", "yes")


# ------------------------------------------------------------ the instructor


@blueprint.route("/live", methods=["GET", "POST"])
@login_required
def index():
    """Create a session from a selection and settings; list past sessions."""
    _require_instructor()
    if request.method == "POST":
        try:
            selection = Selection(
                banks=tuple(request.form.getlist("banks")),
                concepts=tuple(request.form.getlist("concepts")),
                types=tuple(request.form.getlist("types")),
                count=int(request.form.get("count", 10)), shuffle=True)
            settings = service.Settings(
                seconds=int(request.form.get("seconds", service.DEFAULT_SECONDS)),
                points=request.form.get("points", "standard"),
                show_on_devices=_flag("show_on_devices"), shuffle=_flag("shuffle"))
            live = service.create_session(db.session, current_user.id, selection, settings,
                                          SystemRandom())
        except (ValueError, service.LiveError) as exc:
            db.session.rollback()
            message = str(exc) if isinstance(exc, service.LiveError) else "Enter whole numbers."
            flash(message, "error")
            return redirect(url_for("live.index"))
        db.session.commit()
        return redirect(url_for("live.host", session_id=live.id))
    banks = db.session.scalars(select(Bank).where(Bank.retired.is_(False)).order_by(Bank.id))
    concepts = db.session.scalars(
        select(Concept).where(Concept.retired.is_(False)).order_by(Concept.position))
    past = db.session.scalars(select(LiveSession).where(LiveSession.host_id == current_user.id)
                              .order_by(LiveSession.id.desc()).limit(50))
    return render_template("live/index.html", banks=list(banks), concepts=list(concepts),
                           types=[(t, QUESTION_TYPES[t].label) for t in service.LIVE_TYPES],
                           past=list(past), service=service)


def _qr(url: str) -> Markup:
    """The join URL as an inline SVG QR code."""
    svg = segno.make(url, error="m").svg_inline(scale=6, border=2, dark="#000", light="#fff",
                                                title="QR code that opens the join page")
    return Markup(svg)  # noqa: S704  (segno's own markup, the URL inside it escaped by segno)


def _reveal_context(live: LiveSession, players: int) -> dict:
    spread = results.distribution(db.session, live, live.question_index, players)
    return {"spread": spread, "chart": charts.bar_chart(spread.counts, spread.labels)}


@blueprint.get("/live/<int:session_id>/host")
@login_required
def host(session_id: int):
    """The presenter screen: lobby, question and countdown, reveal, leaderboard, podium."""
    live = _settled(_hosted(session_id))
    now, current = _now(), machine.State.of(live)
    join_url = url_for("live.join", pin=live.pin, _external=True)
    player_count, answered = service.room(db.session, live)
    context = {"live": live, "state": current, "remaining": machine.remaining_ms(current, now),
               "join_url": join_url, "qr": _qr(join_url) if live.phase == machine.LOBBY else None,
               "players": service.newest_players(db.session, live, LOBBY_NAMES),
               "player_count": player_count, "answered": answered,
               "types": QUESTION_TYPES}
    if live.phase not in (machine.LOBBY,):
        context["question"] = service.current_question(db.session, live)
        context["options"] = snapshot.options(live, context["question"])
        context["standings"] = results.standings(db.session, live)
    if live.phase == machine.REVEAL:
        context.update(_reveal_context(live, player_count))
    return render_template("live/host.html", **context)


@blueprint.post("/live/<int:session_id>/act")
@login_required
def act(session_id: int):
    """Start, close the question, move on, or end the session."""
    live = _hosted(session_id)
    try:
        service.act(db.session, live, request.form.get("action", ""), _now())
        db.session.commit()
    except service.LiveError as exc:
        # Usually a second click or another tab got there first: show where things stand.
        db.session.rollback()
        flash(str(exc), "info")
    return redirect(url_for("live.host", session_id=session_id), 303)


@blueprint.post("/live/<int:session_id>/players/<int:player_id>/kick")
@login_required
def kick(session_id: int, player_id: int):
    """Remove a player from the session."""
    live = _hosted(session_id)
    service.kick(db.session, live, player_id, _now())
    db.session.commit()
    return redirect(url_for("live.host", session_id=session_id), 303)


@blueprint.post("/live/<int:session_id>/lock")
@login_required
def lock(session_id: int):
    """Lock the session against new players, or open it again."""
    service.lock(db.session, _hosted(session_id), request.form.get("locked") == "on")
    db.session.commit()
    return redirect(url_for("live.host", session_id=session_id), 303)


@blueprint.get("/live/<int:session_id>/results")
@login_required
def results_page(session_id: int):
    """Per-question statistics and the full standings of a session, now or later."""
    live = _hosted(session_id)
    return render_template("live/results.html", live=live,
                           stats=results.question_stats(db.session, live),
                           standings=results.standings(db.session, live))


@blueprint.get("/live/<int:session_id>/results.csv")
@login_required
def results_csv(session_id: int):
    """Every player's answer to every question, as CSV."""
    live = _hosted(session_id)
    return Response(results.results_csv(db.session, live), mimetype="text/csv",
                    headers={"Content-Disposition":
                             f'attachment; filename="live-{live.id}-{live.pin}.csv"'})


# --------------------------------------------------------------- the players


@blueprint.route("/live/join", methods=["GET", "POST"])
def join():
    """Join with a PIN (prefilled from ``?pin=``, as the QR code opens it) and a nickname."""
    pin = (request.values.get("pin") or "").strip()
    nickname = request.form.get("nickname", "")
    error = None
    if request.method == "POST":
        live = service.by_pin(db.session, pin) if pin.isdigit() and len(pin) == 6 else None
        if live is None or live.phase == machine.FINISHED:
            error = "No running session has that PIN. Check the number on the screen."
        else:
            returning = service.player_for(db.session, live, request.cookies.get(_cookie(live)))
            if returning is not None:  # already in: a second join is a rejoin
                return redirect(url_for("live.play", pin=live.pin), 303)
            try:
                player = service.join(db.session, live, nickname,
                                      current_user.id if current_user.is_authenticated else None,
                                      _now())
            except service.LiveError as exc:
                db.session.rollback()
                error = str(exc)
            else:
                db.session.commit()
                response = redirect(url_for("live.play", pin=live.pin), 303)
                response.set_cookie(_cookie(live), player.token, max_age=COOKIE_DAYS * 86400,
                                    httponly=True, samesite="Lax", path="/live",
                                    secure=current_app.config["SESSION_COOKIE_SECURE"])
                return response
    return render_template("live/join.html", pin=pin, nickname=nickname, error=error,
                           limit=service.NICKNAME_MAX), 400 if error else 200


def _player_or_join(live: LiveSession) -> LivePlayer | None:
    """The player whose token cookie this browser holds, or None."""
    return service.player_for(db.session, live, request.cookies.get(_cookie(live)))


@blueprint.get("/live/<pin>/play")
def play(pin: str):
    """The player's phone: waiting, the answer buttons, then right or wrong, points, streak, rank."""
    live = _settled(_by_pin(pin))
    player = _player_or_join(live)
    if player is None:
        flash("Join with a nickname to play." if live.phase != machine.FINISHED
              else "That session is over.", "info")
        return redirect(url_for("live.join", pin=pin))
    current = machine.State.of(live)
    context = {"live": live, "player": player, "state": current,
               "remaining": machine.remaining_ms(current, _now()), "types": QUESTION_TYPES}
    if live.phase != machine.LOBBY:
        question = service.current_question(db.session, live)
        shared = _shared(live)  # ranks read once for every phone, not once per phone
        context.update(question=question, q=question.data, options=snapshot.options(live, question),
                       layout=live.layout.get(str(question.id), {}),
                       answer=service.answer_of(db.session, player, live.question_index),
                       line=shared.lines.get(player.id) if shared else None,
                       players=service.active_players(db.session, live))
    return render_template("live/play.html", **context)


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@blueprint.post("/live/<pin>/answer")
def answer(pin: str):
    """Take a player's answer to the open question; a repeat or a late one is refused plainly.

    A form post is answered with the play page; a script asking for JSON gets
    ``{"taken": true}``, or ``{"error": ...}`` with 409 (late, closed) or 400 (forged).
    """
    tokens = [value for name, value in request.cookies.items() if name.startswith(COOKIE_PREFIX)][:8]
    found = service.seat(db.session, pin, tokens)
    if found is None:
        _by_pin(pin)  # an unknown PIN is 404; a known one without a seat here, 403
        abort(403)
    live, player = found
    index = request.form.get("question", type=int)
    if index is None or not 0 <= index < len(live.question_ids):
        abort(400)
    shared = _shared(live)  # the open question's content: no read for it per answer
    data = shared.content_of(live.question_ids[index]) if shared else None
    if data is None:
        data = db.session.get(Question, live.question_ids[index]).data
    try:
        response = parse_form(data, request.form)
        service.submit(db.session, live, player, index, response, _now(), data)
        db.session.commit()
    except (service.LiveError, InvalidResponse) as exc:
        db.session.rollback()
        if _wants_json():
            return jsonify(error=str(exc)), 409 if isinstance(exc, service.LiveError) else 400
        flash(str(exc), "error")
    else:
        if _wants_json():
            return jsonify(taken=True, question=index)
    return redirect(url_for("live.play", pin=pin), 303)


def _message(live: LiveSession, player: LivePlayer | None) -> dict:
    """What a screen is told about the session now: the state endpoint's body, a stream's first event."""
    if player is None and request.cookies.get(_cookie(live)):
        return {"version": live.version, "removed": True}
    shared = _shared(live)
    mine = (player is not None and live.phase == machine.QUESTION
            and service.answer_of(db.session, player, live.question_index) is not None)
    players, answered = service.room(db.session, live)
    body = shared.message(player.id if player else None, _now(), players, answered, mine)
    if live.phase == machine.FINISHED:
        body["finished"] = True
    return body


@blueprint.get("/live/<pin>/state")
def state(pin: str):
    """Where the session stands, as JSON: what an event would say, for pages that poll."""
    live = _settled(_by_pin(pin))
    response = jsonify(_message(live, _player_or_join(live)))
    response.headers["Cache-Control"] = "no-store"
    return response


def _event(data: dict) -> str:
    return f"event: state\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


@blueprint.get("/live/<pin>/events")
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
    live = _settled(_by_pin(pin))
    session_id = live.id
    player = _player_or_join(live)
    presenter = current_user.is_authenticated and current_user.id == live.host_id
    first = _message(live, player)
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
