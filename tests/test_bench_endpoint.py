"""The benchmark-only endpoint: absent by default, a bare one-row insert when enabled."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from quiz import create_app
from quiz.extensions import db
from quiz.models import Attempt


def _attempts(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Attempt))


def test_absent_by_default(app, client):
    """Without BENCH_ENDPOINTS the route does not exist and nothing is written."""
    assert app.config["BENCH_ENDPOINTS"] is False
    assert client.post("/_bench/insert").status_code == 404
    assert _attempts(app) == 0


def test_inserts_one_row_when_enabled(tmp_path: Path):
    """With BENCH_ENDPOINTS each POST commits one attempt and answers 204, with no CSRF token."""
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-only-key",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'quiz.sqlite3'}",
        "BENCH_ENDPOINTS": True,
    }, instance_path=tmp_path / "instance")
    assert app.config["WTF_CSRF_ENABLED"] is not False  # the exemption is what lets it through
    with app.app_context():
        db.create_all()
    try:
        client = app.test_client()
        for _ in range(2):
            response = client.post("/_bench/insert")
            assert response.status_code == 204
            assert response.data == b""
        assert client.get("/_bench/insert").status_code == 405
        assert _attempts(app) == 2
        with app.app_context():
            row = db.session.scalars(select(Attempt)).first()
            assert row.user_id is None and row.settings == {}
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
