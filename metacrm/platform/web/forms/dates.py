"""Dates and date-times with the browser's own pickers (``type=date`` and ``datetime-local``).

A date-time is stored in UTC but typed in the user's time zone (Flask-Babel's,
from the user's profile): the input shows local time and the submitted value
is converted back to UTC before it reaches the record service.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import get_timezone
from wtforms import StringField
from wtforms.widgets import DateInput, DateTimeLocalInput

from metacrm.metadata.definitions import FieldDef

from .base import WidgetSpec, describe, text_or_none, validators_for

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def date(f: FieldDef) -> WidgetSpec:
    field = StringField(f.label, validators=validators_for(f), widget=DateInput(), description=describe(f))
    return WidgetSpec(field, "input", to_form=lambda v: v.isoformat() if isinstance(v, dt.date) else v)


def to_local(value: Any) -> Any:
    """A stored UTC datetime as ``2026-01-31T15:30`` in the user's zone, for ``datetime-local``."""
    if not isinstance(value, dt.datetime):
        return value
    aware = value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    return aware.astimezone(get_timezone()).strftime(LOCAL_FORMAT)


def to_utc(value: Any) -> Any:
    """What the user typed (local wall time) as an ISO UTC text; anything unparsable goes through
    unchanged so the record service reports it in its own words."""
    value = text_or_none(value)
    if value is None:
        return None
    try:
        local = dt.datetime.fromisoformat(str(value).strip())
    except ValueError:
        return value
    if local.tzinfo is None:
        local = local.replace(tzinfo=get_timezone())
    return local.astimezone(dt.timezone.utc).isoformat()


def datetime(f: FieldDef) -> WidgetSpec:
    field = StringField(f.label, validators=validators_for(f), widget=DateTimeLocalInput(), description=describe(f))
    return WidgetSpec(field, "input", to_record=to_utc, to_form=to_local)
