"""The ``quiz`` console script: Flask's command line over ``create_app()``.

Each feature adds its own commands from its ``init_app`` (``quiz content``
from catalog, ``quiz user`` from accounts, ``quiz export`` and ``quiz import``
from exchange, ``quiz serve`` from the app), so ``flask --app quiz ...``
offers the same commands; this module only builds the app for the script.
"""

from __future__ import annotations

from flask.cli import FlaskGroup

from quiz import create_app

main = FlaskGroup(create_app=create_app, help="The virtualization quiz.")
