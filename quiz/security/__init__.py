"""What keeps the app safe to put on a school's network: bounded URLs, private files, headers, limits."""

from __future__ import annotations

from flask import Flask

from quiz.security import headers
from quiz.security.converters import BoundedInt


def init_app(app: Flask) -> None:
    """Install the safeguards; call before any blueprint is registered (the URL rules use them)."""
    app.url_map.converters["int"] = BoundedInt
    headers.init_app(app)
