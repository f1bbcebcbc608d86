"""Every error the app answers with: a page in the site's layout, or JSON for a script that asked for it.

No request ends in a bare Werkzeug page: HTTP errors keep their status and
headers (``Retry-After`` included), a database that is briefly out of reach
(restarting, locked, read-only, full) is a 503 with ``Retry-After`` that a
client can retry on, and anything else unexpected becomes a 500 that says so
plainly.
"""

from __future__ import annotations

from blinker import Namespace
from flask import Flask, Response, current_app, g, jsonify, render_template, request
from sqlalchemy import exc as database_errors
from werkzeug.exceptions import HTTPException, InternalServerError

from quiz.extensions import db, login_manager

RETRY_AFTER_SECONDS = 2
# What a database raises for a fault of the moment rather than of the request: a lost or refused
# connection (a PostgreSQL restart), SQLite's "database is locked", "attempt to write a readonly
# database" and "database or disk is full", and a pool with no connection free in time.
TRANSIENT = (database_errors.OperationalError, database_errors.InterfaceError, database_errors.TimeoutError)
# Sent with the app whenever a request met one: live play gives the questions it caught a grace.
database_unavailable = Namespace().signal("database-unavailable")

TITLES = {
    400: "That request could not be read",
    403: "Not yours to open",
    404: "Page not found",
    405: "Not allowed here",
    409: "Already changed",
    413: "Too large",
    429: "Too many tries",
    500: "Something went wrong",
    503: "Busy for a moment",
}


def wants_json() -> bool:
    """Whether the client asked for JSON (``live-answer.js`` does) rather than a page."""
    return request.accept_mimetypes.best == "application/json"


def respond(status: int, message: str, headers: dict | None = None):
    """The error as JSON ``{"error": ...}`` or as a page, with its status and headers."""
    response: Response | str
    if wants_json():
        response = jsonify(error=message, status=status)
    else:
        response = render_template("errors/error.html", status=status,
                                   title=TITLES.get(status, "Error"), message=message)
    return response, status, headers or {}


def _http_error(error: HTTPException):
    if error.code == 404 and not wants_json():
        return render_template("errors/404.html"), 404
    headers = {key: value for key, value in error.get_headers() if key.lower() != "content-type"}
    return respond(error.code or 500, error.description or TITLES.get(error.code or 500, "Error"), headers)


def _unexpected(error: Exception):
    original = getattr(error, "original_exception", None) or error
    if isinstance(original, HTTPException):
        return _http_error(original)
    return respond(500, "The server failed to answer this request. Nothing you sent was half-saved; "
                        "try again in a moment.")


def _database_unavailable(error: Exception):
    """503 and Retry-After: the request changed nothing (its transaction rolled back), so a retry is safe."""
    current_app.logger.warning("database unavailable on %s %s: %s", request.method, request.path,
                               str(error).splitlines()[0] if str(error) else type(error).__name__)
    try:
        db.session.rollback()
    except database_errors.SQLAlchemyError:  # the connection is gone: the pool replaces it
        db.session().invalidate()  # the scoped session has no invalidate of its own
    database_unavailable.send(current_app._get_current_object())  # type: ignore[attr-defined]  # a proxy
    if "_login_user" not in g:  # the layout must not ask the database who is signed in
        g._login_user = login_manager.anonymous_user()
    return respond(503, "The database is not answering just now. Nothing you sent was half-saved; "
                        "try again in a moment.", {"Retry-After": str(RETRY_AFTER_SECONDS)})


def init_app(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _unexpected)
    for kind in TRANSIENT:
        app.register_error_handler(kind, _database_unavailable)
