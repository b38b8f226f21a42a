"""Time triggers: "3 days before close_date", "1 hour after appointment_start", "5 business days after".

When a record is saved, each time workflow of its object is (re)planned as a
job keyed ``wf:<object>:<workflow>:<record id>``: the jobs layer keeps one
job per key, so moving the date moves the job, clearing it (or deleting the
record) cancels it, and planned times survive restarts in the job table.
When the job fires, the engine re-checks the record before acting.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from metacrm.metadata.workflows import TriggerDef

from ..logic.helpers import add_business_days

KIND = "workflow.time"


def job_key(object_name: str, workflow: str, record_id: int) -> str:
    return f"wf:{object_name}:{workflow}:{record_id}"


def as_moment(value: Any) -> dt.datetime | None:
    """A date field's value as a UTC moment (a date is its midnight, UTC)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value) if "T" in value or " " in value else dt.date.fromisoformat(value)
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.timezone.utc)
    return None


def due_at(trigger: TriggerDef, value: Any) -> dt.datetime | None:
    """When a time trigger fires for a record whose date field holds ``value`` (None: never)."""
    moment = as_moment(value)
    if moment is None:
        return None
    sign = -1 if trigger.direction == "before" else 1
    if trigger.unit == "business_days":
        day = add_business_days(moment.date(), sign * trigger.offset)
        return dt.datetime.combine(day, moment.timetz())
    return moment + sign * dt.timedelta(**{trigger.unit: trigger.offset})


def stamp(value: Any) -> str | None:
    """The date value as the job remembers it, to tell on firing whether it moved since."""
    moment = as_moment(value)
    return moment.isoformat() if moment is not None else None
