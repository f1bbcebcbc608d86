"""Health checks for whoever runs the server: ``/healthz`` (alive) and ``/readyz`` (can take work).

A process manager restarts a server that is not alive; a load balancer sends
no traffic to one that is not ready. The two differ on purpose: a database
restart makes every server unready for a moment, and none should be killed
for it.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from flask import Blueprint, Flask, current_app, jsonify
from sqlalchemy import Integer
from sqlalchemy import exc as database_errors
from sqlalchemy.orm import Mapped, mapped_column

from quiz.clock import now_for
from quiz.database import insert_for
from quiz.extensions import Model, db
from quiz.timestamps import UtcDateTime

blueprint = Blueprint("health", __name__)
STOPPING = "quiz_stopping"  # the app's extensions key set once the process is shutting down
RETRY_AFTER_SECONDS = 2


class ReadinessCheck(Model):
    """The one row ``/readyz`` writes, so that a check proves the database takes a write."""

    __tablename__ = "readiness_checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    checked_at: Mapped[datetime] = mapped_column(UtcDateTime())


def stopping(app: Flask) -> None:
    """Mark the process as shutting down: from now on ``/readyz`` says so."""
    app.extensions[STOPPING] = True


def written_folders(app: Flask) -> list[Path]:
    """The folders the app writes to: the SQLite file's (if it is one) and the content folder."""
    folders = []
    database = db.engine.url.database if db.engine.url.get_backend_name() == "sqlite" else None
    if database and database != ":memory:":
        folders.append(Path(database).resolve().parent)
    folders.append(Path(app.config["CONTENT_DIR"]))
    return [folder for folder in folders if folder.exists()]


def short_of_room(folders: list[Path], minimum_bytes: int) -> Path | None:
    """The first folder whose disk has less than ``minimum_bytes`` free, or None."""
    for folder in folders:
        if shutil.disk_usage(folder).free < minimum_bytes:
            return folder
    return None


def _unready(reason: str):
    response = jsonify(status="unready", error=reason)
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("/healthz")
def healthz():
    """Answer 200 while the process serves requests; the database is ``/readyz``'s business."""
    return {"status": "ok"}


@blueprint.get("/readyz")
def readyz():
    """200 when the database takes a write and its disk has room; 503 with the reason otherwise."""
    app = current_app._get_current_object()
    if app.extensions.get(STOPPING):
        return _unready("this server is shutting down")
    now = now_for(app)
    try:
        db.session.execute(insert_for(db.session)(ReadinessCheck).values(id=1, checked_at=now)
                           .on_conflict_do_update(index_elements=["id"], set_={"checked_at": now}))
        db.session.commit()
    except database_errors.SQLAlchemyError as exc:
        try:
            db.session.rollback()
        except database_errors.SQLAlchemyError:  # the connection is gone: the pool replaces it
            db.session.invalidate()
        app.logger.warning("not ready: the database refused a write: %s", str(exc).splitlines()[0])
        return _unready("the database does not take a write")
    full = short_of_room(written_folders(app), int(app.config["READY_MIN_FREE_MB"]) * 2**20)
    if full is not None:
        app.logger.warning("not ready: under %s MiB free on the disk of %s", app.config["READY_MIN_FREE_MB"],
                           full)
        return _unready("the disk is nearly full")
    response = jsonify(status="ready")
    response.headers["Cache-Control"] = "no-store"
    return response
