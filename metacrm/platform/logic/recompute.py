"""Recomputing stored computed values in bulk: after a roll-up or stored formula is added or changed,
after data was loaded around the record path, or to repair values someone wrote by hand.

It takes the same path as the live maintenance (:mod:`.dependents`): each
record is saved again as the system with no changes, in batches through
``RecordService.bulk_update`` (one transaction per batch, one savepoint per
record), so its roll-ups and stored formulas are recomputed by the before-save
hooks, only changed values are written (audited, announced), and what depends
on them follows. A record the save refuses (a validation rule that no longer
holds) is reported and skipped; the others are kept.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field as dc_field
from typing import TYPE_CHECKING, Any, Callable

import sqlalchemy as sa

from metacrm.metadata.compiled import CompiledObject

from ..errors import Unprocessable
from ..records.actor import SYSTEM
from ..records.errors import RecordNotFound

if TYPE_CHECKING:
    from ..records.service import RecordService
    from ..storage.planner import Plan

log = logging.getLogger(__name__)

BATCH_SIZE = 500


@dataclass
class RecomputeReport:
    object: str
    field: str | None = None
    records: int = 0  # live records saved again
    changed: int = 0  # records whose computed values changed (only the field, when one was named)
    errors: list[dict[str, Any]] = dc_field(default_factory=list)  # {"id", "detail", "errors"} per refused record


def computed_fields(obj: CompiledObject) -> list[str]:
    """The fields a recompute refreshes: roll-ups and stored formulas."""
    return [f.name for f in obj.fields.values()
            if f.definition.type == "rollup" or (f.definition.type == "formula" and f.definition.stored)]


def recompute(records: "RecordService", object_name: str, *, field_name: str | None = None,
              batch_size: int = BATCH_SIZE, progress: Callable[[int], None] | None = None) -> RecomputeReport:
    """Save every live record of ``object_name`` again as the system, ``batch_size`` at a time."""
    live = records.cache.get()
    obj = live.compiled.object(object_name)
    if obj is None:
        raise RecordNotFound(f'there is no object "{object_name}"')
    fields = computed_fields(obj)
    if field_name is not None and field_name not in fields:
        raise Unprocessable(f'"{field_name}" is not a roll-up or stored formula of {obj.definition.label}',
                            errors=[{"field": field_name, "code": "not_computed",
                                     "message": f"computed fields: {', '.join(fields) or 'none'}"}])
    report = RecomputeReport(object_name, field_name)
    table = live.tables[object_name]
    watched = [field_name] if field_name else fields
    last = 0
    while True:
        with records.engine.connect() as conn:
            rows = conn.execute(sa.select(table.c.id, table.c.version, *(table.c[n] for n in watched))
                                .where(table.c.id > last, table.c.deleted_at.is_(None))
                                .order_by(table.c.id).limit(batch_size)).mappings().all()
        if not rows:
            return report
        last = rows[-1]["id"]
        result = records.bulk_update(SYSTEM, object_name, [{"id": r["id"]} for r in rows], all_or_nothing=False)
        before = {r["id"]: r for r in rows}
        for record in result.records:
            old = before.get(record["id"])
            if old is None:
                continue
            if field_name is None:
                report.changed += record["version"] != old["version"]
            else:
                report.changed += record.get(field_name) != old[field_name]
        report.errors.extend({"id": e.get("id"), "detail": e.get("detail"), "errors": e.get("errors", [])}
                             for e in result.errors)
        report.records += len(rows)
        if progress is not None:
            progress(report.records)


def recompute_after_apply(records: "RecordService") -> Callable[["Plan"], None]:
    """A metadata ``after_apply`` step: fill roll-ups and stored formulas a plan added or redefined.

    Existing records would otherwise keep an empty (new column) or stale
    (changed formula or filter) value until their next save. The apply has
    committed by then; a failure here is logged and ``metacrm logic recompute``
    repeats the work.
    """
    def step(plan: "Plan") -> None:
        for name in sorted(needs_recompute(plan)):
            try:
                report = recompute(records, name)
            except Exception:  # the metadata change is committed; the command can redo this
                log.exception("recomputing %s after a metadata change failed; run `metacrm logic recompute %s`",
                              name, name)
                continue
            if report.errors:
                log.warning("recomputing %s: %d record(s) refused, first: %s", name, len(report.errors),
                            report.errors[0])
    return step


def needs_recompute(plan: "Plan") -> set[str]:
    """Objects of the plan whose roll-ups or stored formulas are new or computed differently (pure)."""
    found = set()
    for op in plan.operations:
        new = op.new
        if op.kind not in ("add_field", "update_field", "change_field_type") or new is None:
            continue
        computed = new.type == "rollup" or (new.type == "formula" and new.stored)
        old = op.old
        redefined = old is None or (old.type, old.formula, old.rollup, old.result_type, old.stored, old.scale) != \
            (new.type, new.formula, new.rollup, new.result_type, new.stored, new.scale)
        if computed and redefined:
            found.add(op.object)
    return found
