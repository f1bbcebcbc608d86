"""`quiz user create`: hashed passwords, roles, and refusals with a clear message."""

from __future__ import annotations

from werkzeug.security import check_password_hash

from quiz.accounts.service import authenticate
from quiz.extensions import db
from quiz.models import User

PASSWORD = "correct horse battery"


def users(app) -> list[User]:
    """Every account, oldest first."""
    with app.app_context():
        found = db.session.execute(db.select(User).order_by(User.id)).scalars().all()
        db.session.expunge_all()
        return list(found)


def create(runner, *args: str, password: str | None = PASSWORD, **kwargs):
    """Invoke `user create` with ``args`` and, unless None, ``--password``."""
    extra = ["--password", password] if password is not None else []
    return runner.invoke(args=["user", "create", *args, *extra], **kwargs)


def test_creates_a_learner_with_a_hashed_password(app, runner):
    result = create(runner, "alice")
    assert result.exit_code == 0, result.output
    assert "created learner 'alice'" in result.output
    [user] = users(app)
    assert (user.name, user.is_instructor) == ("alice", False)
    assert PASSWORD not in user.password_hash
    assert check_password_hash(user.password_hash, PASSWORD)
    with app.app_context():
        assert authenticate(db.session, "alice", PASSWORD).id == user.id
        assert authenticate(db.session, "alice", "wrong password") is None


def test_instructor_flag_makes_an_instructor(app, runner):
    result = create(runner, "teacher", "--instructor")
    assert result.exit_code == 0, result.output
    assert "created instructor 'teacher'" in result.output
    assert [(u.name, u.is_instructor) for u in users(app)] == [("teacher", True)]


def test_password_is_prompted_for_when_not_given(app, runner):
    result = create(runner, "bob", password=None, input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output  # the prompt does not echo it
    [user] = users(app)
    assert check_password_hash(user.password_hash, PASSWORD)


def test_same_password_hashes_differently_for_two_users(app, runner):
    assert create(runner, "one").exit_code == 0
    assert create(runner, "two").exit_code == 0
    first, second = users(app)
    assert first.password_hash != second.password_hash


def test_taken_name_is_refused(app, runner):
    assert create(runner, "alice").exit_code == 0
    result = create(runner, "alice", "--instructor")
    assert result.exit_code != 0
    assert "The name 'alice' is taken." in result.output
    assert [(u.name, u.is_instructor) for u in users(app)] == [("alice", False)]


def test_taken_name_is_refused_whatever_its_case(app, runner):
    assert create(runner, "alice").exit_code == 0
    result = create(runner, "ALICE")
    assert result.exit_code != 0
    assert "is taken" in result.output
    assert len(users(app)) == 1


def test_short_password_is_refused(app, runner):
    result = create(runner, "carol", password="short")
    assert result.exit_code != 0
    assert "A password is 8 to 200 characters long." in result.output
    assert users(app) == []


def test_malformed_name_is_refused(app, runner):
    result = create(runner, "no spaces please")
    assert result.exit_code != 0
    assert "A name is 2 to 40" in result.output
    assert users(app) == []
