"""The account forms (Flask-WTF: every one carries and checks a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from ..security.users import MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Keep me signed in on this device"))


class TotpForm(FlaskForm):
    code = StringField(_l("Six-digit code from your authenticator app"),
                       validators=[DataRequired(), Length(min=6, max=8)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True})


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "username", "autofocus": True})


class NewPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=1024, message=_l(
                                 "Use at least %(min)d characters (and at most %(max)d)."))],
                             render_kw={"autocomplete": "new-password", "autofocus": True})
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ"))],
                            render_kw={"autocomplete": "new-password"})


class TokenForm(FlaskForm):
    name = StringField(_l("Name (what uses this token)"), validators=[DataRequired(), Length(max=100)])
    scope = SelectField(_l("Scope"), choices=[SelectChoice("read", _l("Read only")), SelectChoice("write", _l("Read and write"))],
                        default="read")
    expires_in_days = SelectField(_l("Expires"), choices=[SelectChoice("30", _l("in 30 days")), SelectChoice("90", _l("in 90 days")),
                                                          SelectChoice("365", _l("in a year")),
                                                          SelectChoice("", _l("never"))],
                                  default="90", validators=[Optional()])


class ConfirmForm(FlaskForm):
    """A button-only form: the CSRF token is the whole point (logout, revoke, disable)."""
