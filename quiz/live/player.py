"""The players' screens: joining, the phone's play page, answering, and the polled state."""

from __future__ import annotations

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from quiz.content.types import QUESTION_TYPES
from quiz.database import reads_stand_alone
from quiz.extensions import db
from quiz.grading import InvalidResponse, parse_form
from quiz.live import service, snapshot, web, writer
from quiz.live import state as machine
from quiz.models import Question
from quiz.security import limits
from quiz.security.converters import whole_number


def short_join():
    """``/join``, the address the lobby shows to type: on to the join page (the player cookie's path)."""
    pin = "".join((request.args.get("pin") or "").split())
    return redirect(url_for("live.join", pin=pin) if pin else url_for("live.join"))


def join():
    """Join a game: one large PIN field, then a nickname; a PIN in the URL (the QR code's) skips the first.

    ``GET`` with no PIN asks for one; with a PIN, checks it and asks for a
    nickname; ``POST`` joins. A browser already in that session goes back
    to its game.
    """
    pin = "".join((request.values.get("pin") or "").split())
    nickname = request.form.get("nickname", "")
    if not pin and request.method == "GET":
        return render_template("live/join.html", step="pin", pin="", error=None)
    live = service.by_pin(db.session, pin) if pin.isdigit() and len(pin) == 6 else None
    if live is None or live.phase == machine.FINISHED:
        limits.note_missed_pin()
        return render_template("live/join.html", step="pin", pin=pin, error=(
            "No running session has that PIN. Check the number on the screen.")), 400
    if service.player_for(db.session, live, request.cookies.get(web.cookie_name(live))) is not None:
        return redirect(url_for("live.play", pin=live.pin), 303)  # already in: a second join is a rejoin
    error = "The instructor has locked this session: nobody new can join now." if live.locked else None
    if request.method == "POST" and error is None:
        try:
            player = service.join(db.session, live, nickname,
                                  current_user.id if current_user.is_authenticated else None, web.now())
        except service.LiveError as exc:
            db.session.rollback()
            error = str(exc)
        else:
            # Read before the commit expires them: after it, each would cost a query of its own.
            pin, token, cookie = live.pin, player.token, web.cookie_name(live)
            db.session.commit()
            response = redirect(url_for("live.play", pin=pin), 303)
            response.set_cookie(cookie, token, max_age=web.COOKIE_DAYS * 86400,
                                httponly=True, samesite="Lax", path="/live",
                                secure=current_app.config["SESSION_COOKIE_SECURE"])
            return response
    return render_template("live/join.html", step="nickname", pin=live.pin, live=live, nickname=nickname,
                           error=error, limit=service.NICKNAME_MAX), 400 if error else 200


def play(pin: str):
    """The player's phone: waiting, the answer buttons, then right or wrong, points, streak, rank."""
    live = web.settled(web.by_pin(pin))
    player = web.player_of(live)
    if player is None and request.cookies.get(web.cookie_name(live)):  # a token no longer in the game
        return render_template("live/removed.html"), 403
    if player is None:
        flash("Join with a nickname to play." if live.phase != machine.FINISHED
              else "That session is over.", "info")
        return redirect(url_for("live.join", pin=pin))
    current = machine.State.of(live)
    context = {"live": live, "player": player, "state": current,
               "remaining": machine.remaining_ms(current, web.now()), "types": QUESTION_TYPES}
    if live.phase != machine.LOBBY:
        question = service.current_question(db.session(), live)
        shared = web.shared(live)  # ranks read once for every phone, not once per phone
        context.update(question=question, q=question.data, ask=snapshot.ask(live, question),
                       answer=service.answer_of(db.session(), player, live.question_index),
                       line=shared.lines.get(player.id) if shared else None,
                       players=service.active_players(db.session(), live))
    return render_template("live/play.html", **context)


def answer(pin: str):
    """Take a player's answer to the open question; a repeat or a late one is refused plainly.

    A form post is answered with the play page; a script asking for JSON gets
    ``{"taken": true}``, or ``{"error": ...}`` with 409 (late, closed) or 400 (forged).
    """
    form = request.form  # read whole first: it has reached the server once its last byte has
    arrived = web.arrived()  # in time or late by when it reached the server, not when it got a turn
    web.mend_interruption()
    reads_stand_alone(db.session())  # the answer's rows are written by the group commit, not here
    found = service.seat(db.session(), pin, web.tokens())
    if found is None:
        web.by_pin(pin)  # an unknown PIN is 404; a known one without a seat here, 403
        abort(403)
    live, player = found
    index = form.get("question", type=whole_number)
    if index is None or not 0 <= index < len(live.question_ids):
        abort(400)
    shared = web.shared(live)  # the open question's content: no read for it per answer
    data = shared.content_of(live.question_ids[index]) if shared else None
    if data is None:
        data = db.session.get_one(Question, live.question_ids[index]).data
    try:
        entry = service.entry(db.session(), live, player, index, parse_form(data, form), arrived, data)
        db.session.close()  # the wait for the group commit holds no connection of the pool
        answers = writer.writer_for(current_app._get_current_object())  # type: ignore[attr-defined]
        if not isinstance(entry, int) and answers.write(entry) is None:
            raise service.QuestionClosed("The question was closed before your answer arrived.")
    except (service.LiveError, InvalidResponse) as exc:
        db.session.rollback()
        if web.wants_json():
            return jsonify(error=str(exc)), 409 if isinstance(exc, service.LiveError) else 400
        flash(str(exc), "error")
    else:
        if web.wants_json():
            return jsonify(taken=True, question=index)
    return redirect(url_for("live.play", pin=pin), 303)


def state(pin: str):
    """Where the session stands, as JSON, for a seated player or the host: what an event would say."""
    live = web.settled(web.by_pin(pin))
    player = web.player_of(live)
    if player is None and not web.holds_cookie(live) and not web.is_host(live):
        abort(403, web.NOT_SEATED)
    response = jsonify(web.message(live, player))
    response.headers["Cache-Control"] = "no-store"
    return response
