"""Sign up, log in and log out; the bad-CSRF page."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError

from quiz import errors
from quiz.accounts import service, web
from quiz.accounts.forms import NAME_RULE, PASSWORD_RULE, LoginForm, SignupForm
from quiz.extensions import db
from quiz.models import User
from quiz.security import limits

blueprint = Blueprint("accounts", __name__)

NAME_TAKEN = "That name is taken. Choose another, or log in."
WRONG_LOGIN = "Wrong name or password."
CSRF_REFUSED = "The form expired or was not sent by this site. Reload the page and try again."


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None: never a redirect to another host."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    # Browsers read "\" as "/" and drop tabs and newlines, so "/\evil.com" or "/\t/evil.com"
    # would leave the site.
    if "\\" in target or any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


@blueprint.app_template_global()
def current_page() -> str | None:
    """This page as a relative URL for a log-in link to return to, or None where that makes no sense."""
    if request.method != "GET" or request.endpoint is None or request.blueprint == "accounts":
        return None
    here = _here()
    return None if here == url_for("catalog.home") else here


def _here() -> str:
    """The path and query of this request, without scheme or host."""
    parts = urlsplit(request.url)
    return urlunsplit(("", "", parts.path, parts.query, ""))


def _next_page() -> str | None:
    """The safe ``next`` of this request, if it has one."""
    return safe_next(request.args.get("next"))


def _sign_in(user: User, *, remember: bool) -> None:
    """Start the user's session and commit (with what features did on ``user_logged_in``: study's claims)."""
    web.sign_in(user, remember=remember)
    db.session.commit()


@blueprint.route("/signup", methods=["GET", "POST"])
@limits.sign_up_address
@limits.sign_up_name
def signup():
    """Show the sign-up form; make the account and sign it in."""
    if current_user.is_authenticated:
        return redirect(_next_page() or url_for("catalog.home"))
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = service.create_user(db.session, form.name.data, form.password.data)
        except (service.NameTaken, IntegrityError):  # IntegrityError: taken between the check and the insert
            db.session.rollback()
            form.name.errors.append(NAME_TAKEN)
        except service.AccountError as error:
            form.form_errors.append(str(error))
        else:
            _sign_in(user, remember=False)
            flash(f"Welcome, {user.name}. Your account is ready.", "success")
            return redirect(_next_page() or url_for("catalog.home"))
    return render_template("accounts/signup.html", form=form, next=_next_page(),
                           name_rule=NAME_RULE, password_rule=PASSWORD_RULE)


@blueprint.route("/login", methods=["GET", "POST"])
@limits.sign_in_address
@limits.wrong_password_typed
def login():
    """Show the log-in form; check the name and password and sign in."""
    if current_user.is_authenticated:
        return redirect(_next_page() or url_for("catalog.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = service.authenticate(db.session, form.name.data, form.password.data)
        if user is None:
            # One message for an unknown name and a wrong password alike.
            form.form_errors.append(WRONG_LOGIN)
            limits.note_wrong_password()
        else:
            _sign_in(user, remember=form.remember.data)
            flash(f"Signed in as {user.name}.", "success")
            return redirect(_next_page() or url_for("catalog.home"))
    return render_template("accounts/login.html", form=form, next=_next_page())


@blueprint.post("/logout")
def logout():
    """Sign out (a POST with a CSRF token, so no link or image can do it) and go home.

    The sign-in ends on the server, so a copy of this browser's cookies taken
    before signing out signs nobody in afterwards.
    """
    if current_user.is_authenticated:
        web.sign_out()
        db.session.commit()
        flash("You are signed out.", "success")
    return redirect(url_for("catalog.home"))


@blueprint.app_errorhandler(CSRFError)
def csrf_error(error: CSRFError):
    """Explain a form that arrived without a valid token, with a way back to it (JSON to a script)."""
    if errors.wants_json():
        return errors.respond(400, CSRF_REFUSED)
    rule = request.url_rule
    retry = _here() if rule is not None and "GET" in (rule.methods or ()) else None
    return render_template("errors/400.html", retry=retry), 400
