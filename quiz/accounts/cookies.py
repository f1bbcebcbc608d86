"""The session cookie: Flask's signed cookie, re-sent when it changes or a page is loaded."""

from __future__ import annotations

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin

# Requests that load a page: they push a permanent session's expiry forward.
PAGE_LOADS = frozenset({"GET", "HEAD"})


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed-cookie session, whose expiry slides on page loads only.

    Flask re-signs a permanent session's cookie on every response to push its
    expiry forward. A form post comes after the page that holds the form and,
    here, is followed by the page it redirects to: both push the expiry anyway,
    so re-signing the cookie on the post itself is work for the server and the
    browser, for nothing. A post that changes the session (signing in or out,
    a visitor's new attempt) still sends it.
    """

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        """Flask's rule, less the refresh of an unchanged session on anything but a page load."""
        if not session.modified and request.method not in PAGE_LOADS:
            return False
        return super().should_set_cookie(app, session)
