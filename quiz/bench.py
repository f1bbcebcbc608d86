"""Endpoints for the benchmarks in ``tests/bench``; registered only when BENCH_ENDPOINTS is true."""

from __future__ import annotations

from flask import Blueprint

from quiz.extensions import csrf, db
from quiz.models import Attempt

blueprint = Blueprint("bench", __name__, url_prefix="/_bench")


@blueprint.post("/insert")
@csrf.exempt
def insert():
    """Insert and commit one row in the app's database: the baseline of a write request."""
    db.session.add(Attempt(user_id=None, settings={}))
    db.session.commit()
    return "", 204
