"""Accounts through the test client: signing up, logging in, and what the header says, CSRF on."""

from __future__ import annotations

import re

from quiz.accounts.service import create_user
from quiz.extensions import db
from quiz.models import User
from tests.helpers.forms import token

PASSWORD = "correct horse battery"


def signup(client, name: str = "ada", password: str = PASSWORD, confirm: str | None = None,
           url: str = "/signup"):
    """Post the sign-up form the way a browser does: fetch it, then send it with its token."""
    return client.post(url, data={
        "csrf_token": token(client, url), "name": name, "password": password,
        "confirm": password if confirm is None else confirm,
    })


def login(client, name: str = "ada", password: str = PASSWORD, *, remember: bool = False,
          url: str = "/login"):
    """Post the log-in form with the token of a freshly fetched copy."""
    data = {"csrf_token": token(client, url), "name": name, "password": password}
    if remember:
        data["remember"] = "y"
    return client.post(url, data=data)


def make_user(app, name: str = "ada", password: str = PASSWORD) -> int:
    """An account made directly through the service; its id."""
    with app.app_context():
        user = create_user(db.session, name, password)
        db.session.commit()
        return user.id


def users(app) -> list[str]:
    """The names of every account."""
    with app.app_context():
        return list(db.session.scalars(db.select(User.name).order_by(User.id)))


def signed_in_as(client) -> str | None:
    """The name the header shows as signed in, or None when it offers to log in."""
    body = client.get("/").get_data(as_text=True)
    found = re.search(r"Signed in as </span><strong>([^<]*)</strong>", body)
    if found:
        return found.group(1)
    assert 'href="/login"' in body
    return None


def cookie(response, name: str) -> dict[str, str] | None:
    """The attributes of the ``name`` cookie that ``response`` sets, lower-cased, or None."""
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(f"{name}="):
            parts = [part.strip() for part in header.split(";")]
            attributes = {"value": parts[0].split("=", 1)[1]}
            for part in parts[1:]:
                key, _, value = part.partition("=")
                attributes[key.lower()] = value
            return attributes
    return None

