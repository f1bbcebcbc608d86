"""The account pages: change the password, sign out everywhere, download my data, delete my account."""

from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from quiz.accounts import data, service, web
from quiz.accounts.forms import PASSWORD_RULE, DeleteAccountForm, PasswordForm
from quiz.extensions import db
from quiz.security import limits
from quiz.security.passwords import check_password

blueprint = Blueprint("account", __name__)

WRONG_CURRENT = "That is not your password."


def _page(form: PasswordForm | None = None, status: int = 200):
    return render_template("accounts/account.html", form=form or PasswordForm(current_user.name),
                           password_rule=PASSWORD_RULE), status


@blueprint.get("/account")
@login_required
def page():
    """The account: its password, its sign-ins, its data."""
    return _page()


@blueprint.post("/account/password")
@login_required
@limits.wrong_password_own
def change_password():
    """A new password; every other sign-in of the account ends, and this browser gets a new one."""
    form = PasswordForm(current_user.name)
    if not form.validate_on_submit():
        return _page(form, 400)
    if not check_password(current_user.password_hash, form.current.data):
        limits.note_wrong_password()
        form.current.errors.append(WRONG_CURRENT)
        return _page(form, 400)
    try:
        service.set_password(db.session, current_user, form.password.data)
    except service.AccountError as error:
        form.password.errors.append(str(error))
        return _page(form, 400)
    web.sign_in(current_user._get_current_object(), remember=web.remembered())
    db.session.commit()
    flash("Your password is changed. Every other device was signed out.", "success")
    return redirect(url_for("account.page"))


@blueprint.post("/account/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    """End every sign-in of the account, on every browser, this one included."""
    ended = web.sign_out_everywhere(current_user.id)
    db.session.commit()
    flash(f"You are signed out everywhere ({ended} sign-in{'s' if ended != 1 else ''} ended).", "success")
    return redirect(url_for("accounts.login"))


@blueprint.get("/account/data.json")
@login_required
def download():
    """Everything the app holds about the account, as a JSON file."""
    body = json.dumps(data.export(db.session, current_user.id), indent=2, ensure_ascii=False)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="virtualization-quiz-{current_user.name}.json"',
        "Cache-Control": "no-store"})


@blueprint.route("/account/delete", methods=["GET", "POST"])
@login_required
@limits.wrong_password_own
def delete():
    """Ask for the password, then delete the account and its data for good."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if check_password(current_user.password_hash, form.password.data):
            name = current_user.name
            data.delete_account(db.session, current_user.id)
            web.sign_out()  # the sign-ins went with the account; this forgets them in the cookies too
            db.session.commit()
            flash(f"The account {name} and its data are deleted.", "success")
            return redirect(url_for("catalog.home"))
        limits.note_wrong_password()
        form.password.errors.append(WRONG_CURRENT)
    status = 400 if form.errors else 200
    return render_template("accounts/delete.html", form=form, references=data.REFERENCES), status
