"""The instructor's screens: create and list sessions, the presenter, its actions, play again, results."""

from __future__ import annotations

from random import SystemRandom
from typing import Any
from urllib.parse import urlsplit

import segno
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select

from quiz import charts
from quiz.attempts.selection import Selection
from quiz.cards import days
from quiz.extensions import db
from quiz.live import opening, results, service, snapshot, web
from quiz.live import state as machine
from quiz.live.models import LiveSession
from quiz.models import Bank, Concept
from quiz.questions import QUESTION_TYPES, live_types
from quiz.security.converters import whole_number

LOBBY_NAMES = 100  # the lobby names the newest players; a hall of thousands is counted, not listed


@login_required
def index():
    """Create a session from a selection and settings; list past sessions."""
    web.require_instructor()
    if request.method == "POST":
        try:
            selection = Selection(
                banks=tuple(request.form.getlist("banks")),
                concepts=tuple(request.form.getlist("concepts")),
                types=tuple(request.form.getlist("types")),
                count=int(request.form.get("count", 10)), shuffle=True)
            settings = opening.Settings(
                seconds=int(request.form.get("seconds", opening.DEFAULT_SECONDS)),
                points=request.form.get("points", "standard"),
                show_on_devices=web.flag("show_on_devices"), shuffle=web.flag("shuffle"))
            live = opening.create_session(db.session, current_user.id, selection, settings,
                                          SystemRandom(), title=request.form.get("title", ""),
                                          day=_today())
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
                           types=[(t, QUESTION_TYPES[t].label) for t in live_types()],
                           refused=[t for t in QUESTION_TYPES.values() if t.live_refusal],
                           past=list(past), opening=opening)


def _today():
    """The signed-in instructor's date today, in their time zone."""
    return days.local_date(web.now(), current_user.time_zone)


def _qr(url: str) -> Markup:
    """The join URL as an inline SVG QR code (the page around it names it for screen readers)."""
    svg = segno.make(url, error="m").svg_inline(scale=6, border=3, dark="#000", light="#fff", omitsize=True)
    return Markup(svg)  # noqa: S704  (segno's own markup, the URL inside it escaped by segno)


def _reveal_context(live: LiveSession, players: int) -> dict:
    spread = results.distribution(db.session(), live, live.question_index, players)
    return {"spread": spread, "chart": charts.bar_chart(spread.counts, spread.labels, width=640, height=300)}


@login_required
def host(session_id: int):
    """The presenter screen: lobby, question and countdown, reveal, leaderboard, podium.

    ``?confirm=end`` asks whether to end the session before anything ends.
    """
    live = web.settled(web.hosted(session_id))
    now, current = web.now(), machine.State.of(live)
    address = web.join_address()
    join_url = address.origin + url_for("live.join", pin=live.pin)
    player_count, answered = service.room(db.session(), live)
    context: dict[str, Any] = {
               "live": live, "state": current, "remaining": machine.remaining_ms(current, now),
               "address": address, "join_url": join_url,
               "join_display": urlsplit(address.origin).netloc + url_for("live.short_join"),
               "qr": _qr(join_url) if live.phase == machine.LOBBY else None,
               "players": service.newest_players(db.session(), live, LOBBY_NAMES),
               "player_count": player_count, "answered": answered, "types": QUESTION_TYPES,
               "confirm_end": request.args.get("confirm") == "end" and live.phase != machine.FINISHED}
    if live.phase not in (machine.LOBBY,):
        context["question"] = service.current_question(db.session(), live)
        context["options"] = snapshot.options(live, context["question"])
        context["standings"] = results.standings(db.session(), live)
    if live.phase == machine.REVEAL:
        context.update(_reveal_context(live, player_count))
    return render_template("live/host.html", **context)


@login_required
def play_again(session_id: int):
    """A new session with this one's questions and settings, straight to its lobby."""
    again = opening.play_again(db.session(), web.hosted(session_id), SystemRandom(), _today())
    db.session.commit()
    return redirect(url_for("live.host", session_id=again.id), 303)


@login_required
def act(session_id: int):
    """Start, close the question, move on, or end the session: only from the version the screen showed."""
    live = web.hosted(session_id)
    version = request.form.get("version", type=whole_number)
    if version is None:  # every action form carries the version its screen showed
        abort(400, "That action came without the screen it was made on. Reload the page and try again.")
    try:
        if not service.act(db.session(), live, request.form.get("action", ""), web.now(), version):
            raise service.StaleAction("Another tab or device moved the session on first. "
                                      "This is where it stands now.")
        db.session.commit()
    except service.LiveError as exc:
        # Usually a second click or another tab got there first: show where things stand.
        db.session.rollback()
        flash(str(exc), "info")
    return redirect(url_for("live.host", session_id=session_id), 303)


@login_required
def kick(session_id: int, player_id: int):
    """Remove a player from the session."""
    live = web.hosted(session_id)
    service.kick(db.session(), live, player_id, web.now())
    db.session.commit()
    return redirect(url_for("live.host", session_id=session_id), 303)


@login_required
def lock(session_id: int):
    """Lock the session against new players, or open it again."""
    service.lock(db.session(), web.hosted(session_id), request.form.get("locked") == "on")
    db.session.commit()
    return redirect(url_for("live.host", session_id=session_id), 303)


@login_required
def results_page(session_id: int):
    """Per-question statistics and the full standings of a session, now or later."""
    live = web.hosted(session_id)
    return render_template("live/results.html", live=live,
                           stats=results.question_stats(db.session(), live),
                           standings=results.standings(db.session(), live))


@login_required
def player_results(session_id: int, player_id: int):
    """Every answer one player gave in a session, question by question."""
    live = web.hosted(session_id)
    found = results.player_answers(db.session(), live, player_id)
    if found is None:
        abort(404)
    return render_template("live/player_results.html", live=live, sheet=found)


@login_required
def results_csv(session_id: int):
    """Every player's answer to every question, as CSV (UTF-8 with a BOM, so spreadsheets read it right)."""
    live = web.hosted(session_id)
    return Response(results.results_csv(db.session(), live), mimetype="text/csv",
                    headers={"Content-Disposition":
                             f'attachment; filename="live-{live.id}-{live.pin}.csv"'})
