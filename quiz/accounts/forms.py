"""The account forms: sign up, log in, change the password, delete; the service still has the final word."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp, ValidationError

from quiz.accounts.service import MAX_PASSWORD, MIN_PASSWORD, NAME_PATTERN
from quiz.security.passwords import weakness

# The bounds written into NAME_PATTERN; a test fails if the two drift apart.
NAME_MIN = 2
NAME_MAX = 40
NAME_RULE = f"{NAME_MIN} to {NAME_MAX} letters, digits, dots, dashes or underscores."
PASSWORD_RULE = f"At least {MIN_PASSWORD} characters, not a common password, not your name."


def _strip(value: str | None) -> str | None:
    """The value without surrounding spaces, as the service will see it."""
    return value.strip() if isinstance(value, str) else value


def not_weak(form, field) -> None:
    """Refuse a common password, or one equal to the name of the account (``form.account_name()``)."""
    problem = weakness(form.account_name() or "", field.data or "")
    if problem:
        raise ValidationError(problem)


class SignupForm(FlaskForm):
    """A new account: a name, and a password typed twice."""

    name = StringField("Name", filters=[_strip], validators=[
        DataRequired("Choose a name."),
        Length(min=NAME_MIN, max=NAME_MAX, message=f"A name is {NAME_RULE}"),
        Regexp(NAME_PATTERN, message=f"A name is {NAME_RULE}"),
    ])
    password = PasswordField("Password", validators=[
        DataRequired("Choose a password."),
        Length(min=MIN_PASSWORD, max=MAX_PASSWORD,
               message=f"A password is {MIN_PASSWORD} to {MAX_PASSWORD} characters long."),
        not_weak,
    ])
    confirm = PasswordField("Confirm password", validators=[
        DataRequired("Type the password again."),
        EqualTo("password", message="The two passwords differ."),
    ])

    def account_name(self) -> str | None:
        """The name the password must differ from."""
        return self.name.data


class LoginForm(FlaskForm):
    """Name and password of an existing account, and whether to stay signed in."""

    # No length or pattern rules here: a failed login says only "wrong name or password".
    name = StringField("Name", filters=[_strip], validators=[DataRequired("Enter your name.")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])
    remember = BooleanField("Remember me on this device")


class PasswordForm(FlaskForm):
    """A new password for the signed-in account, given with the current one."""

    current = PasswordField("Current password", validators=[DataRequired("Enter your current password.")])
    password = PasswordField("New password", validators=[
        DataRequired("Choose a new password."),
        Length(min=MIN_PASSWORD, max=MAX_PASSWORD,
               message=f"A password is {MIN_PASSWORD} to {MAX_PASSWORD} characters long."),
        not_weak,
    ])
    confirm = PasswordField("Confirm new password", validators=[
        DataRequired("Type the new password again."),
        EqualTo("password", message="The two passwords differ."),
    ])

    def __init__(self, name: str, **kwargs):
        super().__init__(**kwargs)
        self._name = name

    def account_name(self) -> str:
        """The name the password must differ from: the signed-in account's."""
        return self._name


class DeleteAccountForm(FlaskForm):
    """Deleting the account for good: the password says it is really its owner asking."""

    password = PasswordField("Your password", validators=[DataRequired("Enter your password to confirm.")])
