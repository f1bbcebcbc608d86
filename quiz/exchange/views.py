"""Export and import pages: choose a selection and a format, see what it carries, download;
instructors upload a question set into a new bank."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from quiz.catalog.sync import sync_content
from quiz.content.errors import ContentInvalid
from quiz.content.types import QUESTION_TYPES
from quiz.content.validate import load_content
from quiz.extensions import db
from quiz.security import limits

blueprint = Blueprint("exchange", __name__)


def _content():
    return load_content(current_app.config["CONTENT_DIR"])


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
    """Instructors upload a question set; it becomes a new bank only if it is valid."""
    from quiz.exchange.importing import import_bank, slugify
    from quiz.exchange.registry import FORMATS
    from quiz.exchange.store import StoreError, bank_path, guess_format, save_bank

    if not current_user.is_instructor:
        abort(403)
    form = ImportForm()
    importable = {name: fmt for name, fmt in FORMATS.items() if fmt.parse is not None}
    errors: list = []
    if form.validate_on_submit():
        upload = request.files.get("file")
        data = upload.read() if upload else b""
        filename = (upload.filename or "upload") if upload else "upload"
        bank_id = slugify(request.form.get("bank", "") or filename.split(".")[0], "imported")
        content_dir = Path(current_app.config["CONTENT_DIR"])
        try:
            if not data:
                raise StoreError("Choose a file to import.")
            name = request.form.get("format", "")
            if name and name not in importable:
                raise StoreError(f"No importable format is called '{name}'.")
            fmt = importable[name] if name else guess_format(filename, data, FORMATS)
            bank, text = import_bank(fmt, data, filename, bank_id, _content().concepts)
            if bank_path(content_dir, bank_id).exists():
                raise StoreError(f"A bank '{bank_id}' exists already: choose another id.")
            path = save_bank(content_dir, bank_id, text)
            try:
                report = sync_content(db.session, _content())
            except ContentInvalid:
                path.unlink()
                raise
            db.session.commit()
        except ContentInvalid as exc:
            db.session.rollback()
            errors = exc.errors
        except StoreError as exc:
            errors = [str(exc)]
        else:
            flash(f"Imported {len(bank.questions)} question(s) into the bank '{bank.id}' "
                  f"({report.added} new).", "success")
            return redirect(url_for("catalog.bank", bank_id=bank.id))
    elif request.method == "POST":
        abort(400)
    status = 400 if errors else 200
    return render_template("exchange/import.html", form=form, formats=importable,
                           errors=errors), status
