"""Forms of the flashcard pages; the service still checks every value."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, NumberRange

from quiz.cards.scheduler import MAX_RETENTION, MIN_RETENTION
from quiz.cards.service import MAX_NEW_PER_DAY


class CardActionForm(FlaskForm):
    """A rating or an undo: the CSRF token; the view reads its own few fields."""


class SettingsForm(FlaskForm):
    """The learner's time zone, desired retention and new cards per day."""

    time_zone = StringField("Time zone", filters=[lambda v: v.strip() if isinstance(v, str) else v],
                            validators=[DataRequired("Enter a time zone, such as Europe/Paris.")])
    desired_retention = DecimalField(
        "Desired retention", places=2,
        validators=[InputRequired("Enter a desired retention."),
                    NumberRange(min=MIN_RETENTION, max=MAX_RETENTION,
                                message=f"Choose from {MIN_RETENTION:.2f} to {MAX_RETENTION:.2f}.")])
    new_cards_per_day = IntegerField(
        "New cards per day",
        validators=[InputRequired("Enter how many new cards a day."),
                    NumberRange(min=0, max=MAX_NEW_PER_DAY,
                                message=f"Choose from 0 to {MAX_NEW_PER_DAY}.")])


class TimeZoneForm(FlaskForm):
    """Only the time zone: what the browser offers from the review page."""

    time_zone = StringField("Time zone", validators=[DataRequired()])
