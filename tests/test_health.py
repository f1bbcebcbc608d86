"""/healthz says the process is alive; /readyz that the database takes a write and the disk has room."""

from __future__ import annotations

from sqlalchemy import event, select

from quiz import health
from quiz.extensions import db


def _unready(response, reason: str) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    assert response.get_json() == {"status": "unready", "error": reason}


def test_ready_means_a_write_went_in(client, app):
    response = client.get("/readyz")
    assert response.status_code == 200 and response.get_json() == {"status": "ready"}
    assert response.headers["Cache-Control"] == "no-store"
    with app.app_context():
        first = db.session.scalar(select(health.ReadinessCheck.checked_at))
    client.get("/readyz")
    with app.app_context():  # one row, written again by each check
        assert db.session.scalars(select(health.ReadinessCheck.id)).all() == [1]
        assert db.session.scalar(select(health.ReadinessCheck.checked_at)) >= first


def test_a_read_only_database_is_not_ready_but_alive(client, app):
    with app.app_context():
        engine = db.engine

    def read_only(connection, _record):
        connection.execute("PRAGMA query_only = ON")

    event.listen(engine, "connect", read_only)
    engine.dispose()
    try:
        _unready(client.get("/readyz"), "the database does not take a write")
        assert client.get("/healthz").status_code == 200
    finally:
        event.remove(engine, "connect", read_only)
        engine.dispose()


def test_a_disk_short_of_room_is_not_ready(client, app):
    app.config["READY_MIN_FREE_MB"] = 2**40  # more than any disk has free
    _unready(client.get("/readyz"), "the disk is nearly full")
    assert client.get("/healthz").status_code == 200


def test_a_server_shutting_down_is_not_ready(client, app):
    health.stopping(app)
    _unready(client.get("/readyz"), "this server is shutting down")


def test_alive_while_postgresql_is_down_but_not_ready(pg_app, postgres_cluster):
    client = pg_app.test_client()
    assert client.get("/readyz").status_code == 200
    postgres_cluster.stop()
    try:
        assert client.get("/healthz").get_json() == {"status": "ok"}
        _unready(client.get("/readyz"), "the database does not take a write")
    finally:
        postgres_cluster.start()
    assert client.get("/readyz").status_code == 200
