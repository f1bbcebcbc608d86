"""The security headers of every response, set in this one place by Flask-Talisman.

Pages load nothing but this site's own files: no inline script or style (the
templates keep theirs in ``static/``), no plugin, no frame of this site on
another page (nor on this one), no form that posts elsewhere. HSTS is sent
only when the cookies are marked secure, that is, when the site is served
over HTTPS; on plain HTTP it would mean nothing.
"""

from __future__ import annotations

from flask import Flask
from flask_talisman import Talisman

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "frame-ancestors": "'none'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
}
# The path of a page (a live session's PIN among them) never leaves the site.
REFERRER_POLICY = "same-origin"
# Nothing here uses the camera, microphone or location: no page may ask for them.
PERMISSIONS_POLICY = {"camera": "()", "microphone": "()", "geolocation": "()", "browsing-topics": "()"}

talisman = Talisman()


def init_app(app: Flask) -> None:
    """Send the headers on every response, error pages included."""
    secure = bool(app.config["SESSION_COOKIE_SECURE"])
    talisman.init_app(
        app,
        content_security_policy=CONTENT_SECURITY_POLICY,
        frame_options="DENY",  # what frame-ancestors says, for browsers that predate it
        referrer_policy=REFERRER_POLICY,
        permissions_policy=PERMISSIONS_POLICY,
        x_content_type_options=True,
        # HTTPS is the proxy's business: it redirects plain HTTP, and says so in X-Forwarded-Proto.
        force_https=False,
        strict_transport_security=secure,
        strict_transport_security_max_age=app.config["HSTS_SECONDS"],
        # Other sites of a school's domain may still be plain HTTP: HSTS covers this host only.
        strict_transport_security_include_subdomains=False,
        # The cookie settings stay the app's own (quiz/config.py), not Talisman's defaults.
        session_cookie_secure=False,
        session_cookie_http_only=bool(app.config["SESSION_COOKIE_HTTPONLY"]),
        session_cookie_samesite=app.config["SESSION_COOKIE_SAMESITE"],
    )
