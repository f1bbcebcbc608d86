"""What keeps the app safe to put on a school's network: bounded URLs, private files, headers, limits."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from quiz.security import headers, limits
from quiz.security.converters import BoundedInt


def init_app(app: Flask) -> None:
    """Install the safeguards; call before any blueprint is registered (the URL rules use them)."""
    app.url_map.converters["int"] = BoundedInt
    headers.init_app(app)
    limits.init_app(app)
    proxies = int(app.config["PROXY_COUNT"])
    if proxies:  # the client's address and scheme as the proxies in front pass them on
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask documents wrapping it so
            app.wsgi_app, x_for=proxies, x_proto=proxies)
