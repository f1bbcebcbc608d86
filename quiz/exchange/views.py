"""Export and import pages: choose a selection and a format, see what it carries, download;
instructors upload a question set into a new bank."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from quiz import clock
from quiz.content.errors import ContentInvalid
from quiz.content.types import QUESTION_TYPES
from quiz.exchange.content_cache import current_content
from quiz.exchange.upload import RETRY_SECONDS, run_upload
from quiz.extensions import db
from quiz.security import limits

blueprint = Blueprint("exchange", __name__)


def _content():
    try:
        return current_content(current_app.config["CONTENT_DIR"])
    except ContentInvalid:
        abort(503, description="The question banks on the server have errors, so nothing can be exported "
                               "until they are fixed.")


def _selection_args() -> dict:
    return {key: tuple(request.args.getlist(arg)) for key, arg in
            (("banks", "bank"), ("concepts", "concept"), ("tags", "tag"), ("types", "type"))}


@blueprint.get("/export")
def export_page():
    """Pick a selection and a format; see how many questions go and what the format loses."""
    from quiz.exchange.exporting import report
    from quiz.exchange.registry import FORMATS
    from quiz.exchange.selection import SelectionError, select

    content = _content()
    chosen = _selection_args()
    format_name = request.args.get("format", "")
    preview, error = None, None
    if format_name:
        if format_name not in FORMATS:
            abort(400, description=f"No export format is called '{format_name}'.")
        try:
            selection = select(content, **chosen)
            preview = report(FORMATS[format_name], selection)
        except SelectionError as exc:
            error = str(exc)
    tags = sorted({tag for bank in content.banks for q in bank.questions for tag in q.tags})
    return render_template("exchange/export.html", content=content, formats=FORMATS,
                           chosen=chosen, format_name=format_name, preview=preview, error=error,
                           tags=tags, types=QUESTION_TYPES), 400 if error else 200


@blueprint.get("/export/download")
def download():
    """The exported file, as an attachment."""
    from quiz.exchange.exporting import export
    from quiz.exchange.registry import FORMATS
    from quiz.exchange.selection import SelectionError, select

    fmt = FORMATS.get(request.args.get("format", ""))
    if fmt is None:
        abort(400, description="Choose an export format.")
    try:
        selection = select(_content(), **_selection_args())
    except SelectionError as exc:
        abort(400, description=str(exc))
    if not selection.count():
        abort(400, description="No question matches that selection.")
    data, _ = export(fmt, selection)
    name = f"virtualization-questions{fmt.extension}"
    return Response(data, mimetype=fmt.mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


class ImportForm(FlaskForm):
    """The upload form; the file and fields are read from the request by the view."""


@blueprint.route("/import", methods=["GET", "POST"])
@login_required
@limits.bank_import
def import_page():
    """Instructors upload a question set; it becomes a new bank only if it is valid and syncs."""
    from quiz.exchange.registry import FORMATS

    if not current_user.is_instructor:
        abort(403)
    form = ImportForm()
    importable = {name: fmt for name, fmt in FORMATS.items() if fmt.parse is not None}
    if request.method == "POST" and not form.validate_on_submit():
        abort(400)
    outcome = None
    if request.method == "POST":
        upload = request.files.get("file")
        data, filename = (upload.read(), upload.filename or "upload") if upload else (b"", "upload")
        outcome = run_upload(
            db.session, data=data, filename=filename,
            format_name=request.form.get("format", ""), bank=request.form.get("bank", ""),
            content_dir=Path(current_app.config["CONTENT_DIR"]), formats=importable,
            wait=float(current_app.config["CONTENT_LOCK_WAIT_SECONDS"]),
            max_questions=int(current_app.config["IMPORT_MAX_QUESTIONS"]), now=clock.now())
        if outcome.bank is not None:
            flash(f"Imported {len(outcome.bank.questions)} question(s) into the bank '{outcome.bank.id}' "
                  f"({outcome.report.added} new).", "success")
            return redirect(url_for("catalog.bank", bank_id=outcome.bank.id))
    errors = outcome.errors if outcome else []
    page = render_template("exchange/import.html", form=form, formats=importable, errors=errors)
    if outcome is None:
        return page
    return page, outcome.status, {"Retry-After": str(RETRY_SECONDS)} if outcome.status == 503 else {}
