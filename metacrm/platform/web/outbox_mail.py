"""The emails the account pages send, composed in the user's language."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.engine import Engine

from .. import outbox
from ..security.users import User


def send_password_reset(engine: Engine, user: User, link: str, minutes: int) -> None:
    subject = _("Choose a new MetaCRM password")
    body = _("Hello %(name)s,\n\nSomeone (hopefully you) asked to reset the password of %(email)s.\n"
             "Open this link within %(minutes)s minutes to choose a new one:\n\n%(link)s\n\n"
             "If it was not you, ignore this message: your password stays as it is.\n",
             name=user.name or user.email, email=user.email, minutes=minutes, link=link)
    outbox.queue(engine, to=user.email, subject=subject, body=body, kind="password_reset")
