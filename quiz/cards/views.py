"""Flashcard pages: review, rate, undo, statistics and the learner's settings.

Views parse the request, call the card services with plain values, commit once
and render. Ratings and undo use POST-redirect-GET. Everything works without
JavaScript: the back is a link (``?show=1``) and the ratings are buttons.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from quiz import charts, clock
from quiz.cards import days, queue, service, stats
from quiz.cards import scheduler as fsrs
from quiz.cards.forms import CardActionForm, SettingsForm, TimeZoneForm
from quiz.extensions import db
from quiz.models import User
from quiz.security.converters import whole_number

blueprint = Blueprint("cards", __name__)


def _now() -> datetime:
    """The current time by the app's clock."""
    return clock.now()


def _user() -> User:
    return current_user._get_current_object()


def _caught_up() -> User:
    """The signed-in learner, once the wrong quiz answers since their last visit have moved their cards."""
    user = _user()
    if service.bring_forward_pending(db.session(), user.id):
        db.session.commit()
    return user


def _back_to_review(message: str | None = None, category: str = "info", **args):
    if message:
        flash(message, category)
    return redirect(url_for("cards.review", **args), 303)


@blueprint.get("/cards")
@login_required
def review():
    """The next card (front, or back with ``show=1``), today's counts and undo; or "done for today"."""
    user, now = _caught_up(), _now()
    asked = request.args.get("card", type=whole_number)
    shown = queue.card_to_show(db.session, user, now, asked)
    # The back only of the card whose front was just seen, never of another that took its place.
    reveal = shown is not None and request.args.get("show") == "1" and shown.card.id == asked
    upcoming = queue.next_due(db.session, user, now) if shown is None else None
    return render_template(
        "cards/review.html", shown=shown, reveal=reveal,
        counts=queue.counts(db.session, user, now),
        last=service.last_review(db.session, user.id),
        next_due=days.describe(upcoming.at, now, user.time_zone) if upcoming and upcoming.at else None,
        new_tomorrow=upcoming.new_tomorrow if upcoming else False,
        ratings=fsrs.RATINGS, state_names=fsrs.STATE_NAMES, rule=service.QUIZ_RULE,
        action=CardActionForm(), zone_form=TimeZoneForm(), pushed_at=_pushed_at(shown, user),
    )


def _pushed_at(shown: queue.Shown | None, user: User) -> str | None:
    """When a quiz brought the shown card forward, as a local time, or None."""
    if shown is None or shown.state is None or shown.state.pushed_at is None:
        return None
    local = shown.state.pushed_at.astimezone(days.zone(user.time_zone))
    return f"{local.day} {local:%B} at {local:%H:%M}"


@blueprint.post("/cards/<int:card_id>/rate")
@login_required
def rate(card_id: int):
    """Record one rating of the card shown, once, and go on to the next card."""
    if not CardActionForm().validate_on_submit():
        abort(400)
    rating = request.form.get("rating", type=whole_number)
    version = request.form.get("version", type=whole_number)
    if rating is None or version is None:
        abort(400)
    try:
        service.rate(db.session(), _user(), card_id, rating, version, _now())
        db.session.commit()
    except service.UnknownCard:
        db.session.rollback()
        abort(404)
    except (service.AlreadyRated, IntegrityError):
        db.session.rollback()
        return _back_to_review("That card was already rated; the rating was counted once.")
    except service.NotDue as exc:
        db.session.rollback()
        return render_template("cards/rejected.html", message=str(exc)), 409
    except service.CardsError:
        db.session.rollback()
        abort(400)
    return _back_to_review()


@blueprint.post("/cards/undo")
@login_required
def undo():
    """Take back the last rating and show that card again."""
    if not CardActionForm().validate_on_submit():
        abort(400)
    review_id = request.form.get("review", type=whole_number)
    if review_id is None:
        abort(400)
    try:
        card_id = service.undo(db.session, _user(), review_id)
        db.session.commit()
    except service.NothingToUndo as exc:
        db.session.rollback()
        return _back_to_review(str(exc))
    return _back_to_review("Rating undone: here is the card again.", "success", card=card_id)


def _short(day) -> str:
    return f"{day.day} {day:%b}"


@blueprint.get("/cards/stats")
@login_required
def statistics():
    """Reviews per day, the 30-day due forecast, true retention and cards by state per concept."""
    user, now = _caught_up(), _now()
    history = stats.reviews_per_day(db.session, user, now)
    ahead = stats.forecast(db.session, user, now)
    return render_template(
        "cards/stats.html",
        history=history, history_chart=charts.bar_chart([d.count for d in history],
                                                        [_short(d.day) for d in history], max_labels=4),
        ahead=ahead, ahead_chart=charts.bar_chart([d.count for d in ahead],
                                                  [_short(d.day) for d in ahead], max_labels=4),
        recent=stats.true_retention(db.session, user, now - timedelta(days=stats.WINDOW_DAYS)),
        overall=stats.true_retention(db.session, user),
        concepts=stats.cards_by_concept(db.session, user),
        target=round(user.desired_retention * 100), window=stats.WINDOW_DAYS,
        state_names=fsrs.STATE_NAMES, counts=queue.counts(db.session, user, now), rule=service.QUIZ_RULE,
    )


WORKLOAD_EXAMPLES = (0.80, 0.85, 0.95, 0.97)


def retention_hint() -> str:
    """What the retention means, and what each step up or down costs in reviews."""
    costs = [f"{fsrs.workload(r):.1f} times as often at {r:.2f}" for r in WORKLOAD_EXAMPLES]
    return (f"The share of cards you still remember when they come due, from {fsrs.MIN_RETENTION:.2f} "
            f"to {fsrs.MAX_RETENTION:.2f}. Higher retention costs more reviews: compared with 0.90, "
            f"you review about {', '.join(costs[:-1])} and {costs[-1]}, with the same cards.")


@blueprint.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    """The learner's time zone, desired retention and new cards per day."""
    user = _user()
    form = SettingsForm(obj=user)
    if form.validate_on_submit():
        try:
            service.update_settings(db.session, user, form.time_zone.data,
                                    float(form.desired_retention.data), form.new_cards_per_day.data)
            db.session.commit()
            flash("Settings saved.", "success")
            return redirect(url_for("cards.settings"), 303)
        except service.CardsError as exc:
            db.session.rollback()
            form.time_zone.errors.append(str(exc))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "cards/settings.html", form=form, zones=sorted(days.names()),
        retention_hint=retention_hint(), low=fsrs.MIN_RETENTION, high=fsrs.MAX_RETENTION,
    ), status


@blueprint.post("/settings/time-zone")
@login_required
def use_time_zone():
    """Adopt the time zone the browser reported, from the offer on the review page."""
    form = TimeZoneForm()
    if not form.validate_on_submit():
        abort(400)
    user = _user()
    try:
        service.update_settings(db.session, user, form.time_zone.data, user.desired_retention,
                                user.new_cards_per_day)
    except service.CardsError as exc:
        db.session.rollback()
        return _back_to_review(str(exc), "error")
    db.session.commit()
    return _back_to_review(f"Your days now follow {user.time_zone}.", "success")
