"""The run log: every workflow run with its trigger, condition result and each action's outcome.

A run is written in the transaction of the work it describes, so the log
never shows a change that was rolled back: a save refused because one of its
workflow's actions failed leaves no run (the caller gets the error instead,
and it is logged to the process log). A run whose condition was false is not
a run: logging ten rows per save for workflows that did nothing would cost
more than the save.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ..errors import NotFound
from ..security.users import as_utc
from ..storage.store import utcnow
from .tables import workflow_run

STATUSES = ("succeeded", "failed", "cut", "error", "skipped")


@dataclass
class Run:
    """A run being recorded; ``actions`` gets one entry per action considered."""

    object: str
    workflow: str
    record_id: int | None
    trigger: str
    actor_id: int | None
    depth: int = 0
    condition_result: bool | None = None
    status: str = "succeeded"
    error: str | None = None
    actions: list[dict[str, Any]] = field(default_factory=list)
    started_at: dt.datetime = field(default_factory=utcnow)
    id: int | None = None  # set once written

    def outcome(self, index: int, type_: str, status: str, started: float, finished: float, **extra: Any) -> None:
        self.actions.append({"index": index, "type": type_, "status": status,
                             "duration_ms": round((finished - started) * 1000, 3), **extra})


def write(conn: Connection, run: Run) -> int:
    values = {k: getattr(run, k) for k in ("object", "workflow", "record_id", "trigger", "status", "condition_result",
                                           "depth", "actions", "error", "actor_id", "started_at")}
    run.id = conn.execute(workflow_run.insert().values(**values, finished_at=utcnow())
                          .returning(workflow_run.c.id)).scalar_one()
    return run.id


def _json(row: Any) -> dict[str, Any]:
    out = dict(row._mapping)
    for key in ("started_at", "finished_at"):
        out[key] = as_utc(out[key]).isoformat() if out[key] is not None else None
    return out


def list_runs(engine: Engine, *, object_name: str | None = None, workflow: str | None = None,
              status: str | None = None, record_id: int | None = None, limit: int = 50,
              before: int | None = None) -> tuple[list[dict[str, Any]], int | None]:
    """Runs newest first, and the cursor of the next page (None at the end)."""
    query = sa.select(workflow_run).order_by(workflow_run.c.id.desc()).limit(limit + 1)
    for column, value in ((workflow_run.c.object, object_name), (workflow_run.c.workflow, workflow),
                          (workflow_run.c.status, status), (workflow_run.c.record_id, record_id)):
        if value is not None:
            query = query.where(column == value)
    if before is not None:
        query = query.where(workflow_run.c.id < before)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    page = [_json(r) for r in rows[:limit]]
    return page, (page[-1]["id"] if len(rows) > limit else None)


def get_run(engine: Engine, run_id: int) -> dict[str, Any]:
    with engine.connect() as conn:
        row = conn.execute(sa.select(workflow_run).where(workflow_run.c.id == run_id)).first()
    if row is None:
        raise NotFound(f"there is no workflow run #{run_id}")
    return _json(row)
