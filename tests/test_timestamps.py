"""Every datetime column reads back aware and in UTC, whatever zone it was written in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import select

from quiz.extensions import db
from quiz.models import User

TOKYO = timezone(timedelta(hours=9))


def test_a_moment_written_in_another_zone_reads_back_as_the_same_instant_in_utc(app):
    written = datetime(2026, 3, 2, 18, 0, tzinfo=TOKYO)  # 09:00 UTC
    with app.app_context():
        db.session.add(User(name="ann", password_hash="x", created_at=written))
        db.session.commit()
        db.session.expunge_all()
        read = db.session.scalar(select(User.created_at).where(User.name == "ann"))
    assert read == written
    assert read.tzinfo is UTC and read.hour == 9


def test_a_naive_moment_is_taken_as_utc_and_reads_back_aware(app):
    with app.app_context():
        db.session.add(User(name="bo", password_hash="x", created_at=datetime(2026, 3, 2, 9, 0)))
        db.session.commit()
        db.session.expunge_all()
        read = db.session.scalar(select(User.created_at).where(User.name == "bo"))
    assert read == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
