"""Security headers on every response, and templates that need nothing the CSP refuses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from quiz import create_app

PROJECT = Path(__file__).resolve().parent.parent
DIRECTIVES = ["default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'",
              "form-action 'self'"]


def policy(response) -> list[str]:
    """The Content-Security-Policy's directives."""
    return [part.strip() for part in response.headers["Content-Security-Policy"].split(";")]


@pytest.mark.parametrize("url", ["/", "/login", "/study", "/export", "/no/such/page", "/healthz",
                                 "/static/style.css"])
def test_every_response_carries_the_headers(synced, url):
    response = synced.test_client().get(url)
    assert set(DIRECTIVES) <= set(policy(response))
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP: no HSTS


def test_an_error_page_for_a_script_carries_them_too(client):
    response = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert set(DIRECTIVES) <= set(policy(response))


def secure_app(tmp_path):
    return create_app({"SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True,
                       "SESSION_COOKIE_SECURE": True, "REMEMBER_COOKIE_SECURE": True},
                      instance_path=tmp_path / "instance")


def test_hsts_is_sent_over_https_when_cookies_are_secure(tmp_path):
    client = secure_app(tmp_path).test_client()
    over_https = client.get("/login", base_url="https://quiz.example")
    assert over_https.headers["Strict-Transport-Security"] == "max-age=31536000"
    behind_proxy = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert behind_proxy.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "secure" in behind_proxy.headers["Set-Cookie"].lower()


def test_secure_cookies_do_not_redirect_or_change_the_cookie_settings(tmp_path):
    app = secure_app(tmp_path)
    response = app.test_client().get("/login")
    assert response.status_code == 200  # the proxy redirects plain HTTP, not the app
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_headers_keep_the_apps_own_cookie_settings(client, app):
    client.get("/login")
    assert app.config["SESSION_COOKIE_SECURE"] is False  # not forced on by the header library


INLINE = [
    (re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"<style[\s>]", re.I), "a <style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an event-handler attribute"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
]


def test_no_template_needs_what_the_policy_refuses():
    found = []
    for template in sorted((PROJECT / "templates").rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{template.relative_to(PROJECT)}:{line}: {what}")
    assert not found, "move these to static/:\n" + "\n".join(found)
