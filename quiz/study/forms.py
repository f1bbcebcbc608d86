"""The quiz setup form; its choices come from the synced banks at request time."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectMultipleField, SubmitField
from wtforms.fields import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.2 has it; types-WTForms not yet
from wtforms.validators import InputRequired, NumberRange
from wtforms.widgets import CheckboxInput, ListWidget


class CheckboxesField(SelectMultipleField):
    """A multiple choice drawn as a list of checkboxes rather than a list box."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class QuizSetupForm(FlaskForm):
    """Choose banks, concepts, types, how many questions and in what order."""

    banks = CheckboxesField("Banks", validate_choice=True)
    concepts = CheckboxesField("Concepts", validate_choice=True)
    types = CheckboxesField("Question types", validate_choice=True)
    count = IntegerField("Number of questions", default=10,
                         validators=[InputRequired(), NumberRange(min=1, max=50)])
    order = RadioField("Order", choices=[SelectChoice("shuffled", "Shuffled"),
                                         SelectChoice("in-order", "In bank order")],
                       default="shuffled")
    submit = SubmitField("Start the quiz")


class ActionForm(FlaskForm):
    """A button that changes something: it carries only the CSRF token."""
