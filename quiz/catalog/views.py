"""Pages that show the banks: the home page and a read-only bank page."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from quiz.catalog import queries
from quiz.content.types import QUESTION_TYPES, cloze_blanks, cloze_segments
from quiz.extensions import db

blueprint = Blueprint("catalog", __name__)
blueprint.add_app_template_global(cloze_blanks)
blueprint.add_app_template_global(cloze_segments)
# Every page may ask a question's type for its label, its words or its macros' file.
blueprint.add_app_template_global(QUESTION_TYPES,  # type: ignore[arg-type]  # a Jinja global may be any value
                                  "question_types")


@blueprint.get("/")
def home():
    """List the banks with their question counts per concept."""
    return render_template("catalog/home.html", banks=queries.bank_summaries(db.session))


@blueprint.get("/banks/<bank_id>")
def bank(bank_id: str):
    """List one bank's questions, read-only, with their answers."""
    found = queries.live_bank(db.session(), bank_id)
    if found is None:
        abort(404)
    questions = queries.live_questions(db.session(), bank_id)
    return render_template("catalog/bank.html", bank=found, questions=questions,
                           types=QUESTION_TYPES)
