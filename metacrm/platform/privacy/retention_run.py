"""``metacrm retention run``: list, or anonymise, the records their object's retention policy says are due.

Every object with a ``retention`` policy is read as the system; a record is due
when its inactivity field is older than ``after_years``. ``review`` policies only
list; ``anonymise`` ones anonymise each due record through the RecordService
(so validation, field history and events apply) and scrub its history, except
records under legal hold, which are reported as held. Each anonymised record
is one security-log entry with the policy as reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa

from metacrm.metadata.retention import anonymised_values, cutoff, personal_fields

from ..records.actor import SYSTEM
from ..runtime import Platform
from ..security import security_log
from . import events
from .subjects import scrub_history


@dataclass
class RetentionResult:
    object: str
    action: str
    due: list[int] = field(default_factory=list)
    anonymised: list[int] = field(default_factory=list)
    held: list[int] = field(default_factory=list)


def run_retention(platform: Platform, *, dry_run: bool = False, today: dt.date | None = None) -> list[RetentionResult]:
    live = platform.schema.get()
    results = []
    for name in sorted(live.compiled.objects):
        obj = live.compiled.objects[name]
        policy = obj.definition.retention
        if policy is None:
            continue
        table = live.tables[name]
        column = table.c[policy.inactivity_field]
        limit = cutoff(today or dt.date.today(), policy)
        if isinstance(column.type, sa.Date) and not isinstance(column.type, sa.DateTime):
            limit = limit.date()  # type: ignore[assignment]
        result = RetentionResult(name, policy.action)
        with platform.engine.connect() as conn:
            result.due = list(conn.execute(sa.select(table.c.id).where(
                column < limit, table.c.deleted_at.is_(None)).order_by(table.c.id)).scalars())
            held = platform.legal_holds.held_ids(conn, name) if platform.legal_holds else set()
        result.held = [i for i in result.due if i in held]
        if policy.action == "anonymise" and not dry_run:
            names = personal_fields(obj.definition)
            for rid in result.due:
                if rid in held:
                    continue
                platform.records.update(SYSTEM, name, rid, anonymised_values(obj.definition, rid, names))
                scrub_history(platform, name, rid, names)
                security_log.record(platform.engine, events.RETENTION_ANONYMISED, subject=f"{name}#{rid}",
                                    detail={"reason": f"retention: {policy.after_years} years without activity "
                                                      f"({policy.inactivity_field})"})
                result.anonymised.append(rid)
        results.append(result)
    return results
