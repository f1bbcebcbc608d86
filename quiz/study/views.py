"""Self-study pages: set up a quiz, answer one question at a time, results, progress.

Views parse the request, call the study services with plain values, commit
once and render. Answers use POST-redirect-GET, so a reload never resubmits.
"""

from __future__ import annotations

from random import SystemRandom

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.2 has it; types-WTForms not yet

from quiz import charts, clock
from quiz.accounts.login import signed_in_key
from quiz.attempts.selection import Selection
from quiz.content.types import QUESTION_TYPES
from quiz.extensions import db
from quiz.grading import InvalidResponse, parse_form
from quiz.models import Bank, Concept
from quiz.study import progress, service, visitors
from quiz.study.forms import ActionForm, QuizSetupForm

blueprint = Blueprint("study", __name__)


def _user_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def _setup_form() -> QuizSetupForm:
    form = QuizSetupForm()
    banks = db.session.scalars(select(Bank).where(Bank.retired.is_(False)).order_by(Bank.id))
    concepts = db.session.scalars(
        select(Concept).where(Concept.retired.is_(False)).order_by(Concept.position))
    form.banks.choices = [SelectChoice(b.id, b.title) for b in banks]
    form.concepts.choices = [SelectChoice(c.id, c.term) for c in concepts]
    form.types.choices = [SelectChoice(name, t.label) for name, t in QUESTION_TYPES.items()]
    if request.method == "GET" and not current_user.is_authenticated:
        form.count.data = service.VISITOR_MAX_QUESTIONS
    return form


def _start(selection: Selection, mode: str):
    """Open an attempt for the current user or visitor and go to its first question."""
    try:
        attempt = service.start_attempt(db.session(), _user_id(), selection, SystemRandom(), mode,
                                        now=clock.now())
    except service.StudyError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("study.setup"))
    db.session.commit()
    if attempt.user_id is None:
        visitors.remember(attempt.id)
    return redirect(url_for("study.question", attempt_id=attempt.id, position=1))


@blueprint.route("/study", methods=["GET", "POST"])
def setup():
    """Choose what to study, or take a shortcut; start the quiz."""
    form = _setup_form()
    if form.validate_on_submit():
        selection = Selection(
            banks=tuple(form.banks.data or ()), concepts=tuple(form.concepts.data or ()),
            types=tuple(form.types.data or ()), count=form.count.data,
            shuffle=form.order.data == "shuffled")
        return _start(selection, "custom")
    status = 400 if request.method == "POST" else 200
    weak = progress.weakest(db.session, current_user.id) if current_user.is_authenticated else []
    mistakes = (len(progress.mistakes(db.session, current_user.id))
                if current_user.is_authenticated else 0)
    limit = (service.MAX_QUESTIONS if current_user.is_authenticated
             else service.VISITOR_MAX_QUESTIONS)
    return render_template("study/setup.html", form=form, weak=weak, mistakes=mistakes,
                           limit=limit, action=ActionForm()), status


@blueprint.post("/study/mistakes")
@login_required
def retry_mistakes():
    """Quiz on every question whose latest answer was wrong."""
    if not ActionForm().validate_on_submit():
        abort(400)
    ids = progress.mistakes(db.session, current_user.id)
    if not ids:
        flash("No mistakes to retry: every question you answered, your last answer was right.",
              "success")
        return redirect(url_for("study.setup"))
    count = min(len(ids), service.MAX_QUESTIONS)
    return _start(Selection(question_ids=tuple(ids), count=count), "mistakes")


@blueprint.post("/study/weakest")
@login_required
def practise_weakest():
    """Quiz on the weakest concepts, or on one concept given as ``concept``."""
    if not ActionForm().validate_on_submit():
        abort(400)
    chosen = request.form.get("concept")
    concepts = ((chosen,) if chosen else
                tuple(m.concept_id for m in progress.weakest(db.session, current_user.id)))
    return _start(Selection(concepts=concepts, count=10), "weakest")


LIVE_SEALED = ("This quiz belongs to a live session that is still running: its questions open here "
               "when the session ends.")


def _attempt_or_404(attempt_id: int):
    attempt = service.owned_attempt(db.session(), attempt_id, _user_id(),
                                    visitors.visitor_attempts())
    if attempt is None:
        abort(404)
    if service.sealed(attempt.settings, attempt.finished_at):
        abort(403, LIVE_SEALED)
    return attempt


@blueprint.get("/study/attempts/<int:attempt_id>")
def resume(attempt_id: int):
    """Go on where the attempt was left: its first unanswered question, or its results."""
    attempt = _attempt_or_404(attempt_id)
    position = service.next_position(db.session(), attempt)
    if position is None:
        return redirect(url_for("study.results", attempt_id=attempt.id))
    return redirect(url_for("study.question", attempt_id=attempt.id, position=position))


@blueprint.route("/study/attempts/<int:attempt_id>/questions/<int:position>",
                 methods=["GET", "POST"])
def question(attempt_id: int, position: int):
    """Show a question (or, once answered, its feedback); take the answer."""
    if request.method == "POST":
        return _answer(attempt_id, position)
    return _show(attempt_id, position)


def _show(attempt_id: int, position: int, error: str | None = None):
    attempt = _attempt_or_404(attempt_id)
    current = service.step(db.session(), attempt, position)
    if current is None:
        abort(404)
    return render_template("study/question.html", step=current, error=error,
                           types=QUESTION_TYPES), 400 if error else 200


def _answer(attempt_id: int, position: int):
    # Every answer of every quiz comes here: it reads only what recording needs, in one statement.
    signed_in = signed_in_key()
    slot = service.answer_slot(db.session(), attempt_id, position, signed_in[1] if signed_in else None,
                               visitors.visitor_attempts(), now=clock.now())
    if slot is None:
        abort(404)
    if slot.sealed:
        abort(403, LIVE_SEALED)
    if slot.answered:  # a double click: show what was recorded
        return redirect(request.path)
    try:
        service.submit_answer(db.session(), slot, parse_form(slot.data, request.form), now=clock.now())
    except InvalidResponse as exc:
        db.session.rollback()
        return _show(attempt_id, position, str(exc))
    db.session.commit()
    return redirect(request.path)


@blueprint.get("/study/attempts/<int:attempt_id>/results")
def results(attempt_id: int):
    """The score, time taken, per-concept breakdown and a review of every answer."""
    attempt = _attempt_or_404(attempt_id)
    summary = service.results(db.session(), attempt)
    return render_template("study/results.html", results=summary, action=ActionForm(),
                           visitor=attempt.user_id is None, types=QUESTION_TYPES)


@blueprint.post("/study/attempts/<int:attempt_id>/retry")
def retry_missed(attempt_id: int):
    """A new attempt with the questions this one missed."""
    attempt = _attempt_or_404(attempt_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    missed = service.results(db.session(), attempt).missed
    if not missed:
        flash("Nothing to retry: every answer was right.", "success")
        return redirect(url_for("study.results", attempt_id=attempt.id))
    limit = service.VISITOR_MAX_QUESTIONS if _user_id() is None else service.MAX_QUESTIONS
    selection = Selection(question_ids=tuple(missed), count=min(len(missed), limit))
    return _start(selection, "retry")


@blueprint.get("/progress")
@login_required
def progress_page():
    """Mastery per concept, the history of attempts, the streak and the weakest concepts."""
    user_id = current_user.id
    today = clock.now().date()
    history = progress.history(db.session, user_id)
    chart = charts.line_chart([p.percent for p in history],
                              [f"{p.finished_at.day} {p.finished_at:%b}" for p in history])
    return render_template(
        "study/progress.html",
        mastery=progress.mastery(db.session, user_id),
        history=history, chart=chart,
        streak=progress.streak(db.session, user_id, today),
        weakest=progress.weakest(db.session, user_id, limit=3),
        action=ActionForm(),
        window=progress.WINDOW, mastered=progress.MASTERED, min_answers=progress.MIN_ANSWERS,
    )
