"""Cron expressions for recurring jobs ("0 7 * * *" = every day at 07:00), via croniter.

A recurring job is an ordinary pending row carrying its cron expression; when
a run ends the next one is planned, so schedules live in the database and
survive restarts of every process.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from croniter import croniter


def check(cron: str) -> str:
    cron = cron.strip()
    if not croniter.is_valid(cron):
        raise ValueError(f"not a cron expression: {cron!r} (expected five fields, e.g. '0 7 * * *')")
    return cron


def next_run(cron: str, after: dt.datetime, *, time_zone: str = "UTC") -> dt.datetime:
    """The first time strictly after ``after`` that ``cron`` names, read in ``time_zone``; returned in UTC."""
    local = after.astimezone(ZoneInfo(time_zone))
    return croniter(cron, local).get_next(dt.datetime).astimezone(dt.timezone.utc)
