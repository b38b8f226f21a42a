"""What a workflow's expressions see, and whether they hold.

Conditions, action ``when`` gates and "=expression" values run in the logic
layer's sandbox with the names a validation rule sees — the record's fields
(lookups load on first use), ``old`` (the record before the change, ``None``
on create), ``current_user`` — plus ``record``, the triggering record as a
whole, so ``"=record.id"`` maps it into a new record.
"""

from __future__ import annotations

from typing import Any, Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from metacrm.metadata.compiled import CompiledObject

from ..logic.limits import SandboxError, ScriptFailure
from ..logic.record_logic import user_view
from ..logic.sandbox import evaluate
from ..logic.views import LookupValue, RecordView
from ..records import values as record_values
from ..records.actor import Actor
from ..schema_cache import LiveSchema

REFERENCE_TYPES = ("lookup", "master_detail")


class ExpressionFailed(Exception):
    """An admin's expression could not run (its message says why, with the line)."""


def loader(conn: Connection, live: LiveSchema) -> Any:
    """Loads looked-up records on first use, once each, from the transaction in progress."""
    cache: dict[tuple[str, int], Mapping[str, Any] | None] = {}

    def load(target: str, record_id: int) -> Mapping[str, Any] | None:
        if (target, record_id) not in cache:
            tobj = live.compiled.objects.get(target)
            row = None
            if tobj is not None:
                table = live.tables[target]
                row = conn.execute(sa.select(table).where(table.c.id == record_id, table.c.deleted_at.is_(None))
                                   ).mappings().first()
            cache[(target, record_id)] = record_values.from_row(tobj, row) if row is not None else None
        return cache[(target, record_id)]
    return load


def names(obj: CompiledObject, record: Mapping[str, Any], actor: Actor, load: Any,
          previous: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The expression scope for ``record`` (and ``previous``, the record before the change)."""
    scope: dict[str, Any] = {name: None for name in obj.fields}
    for key, value in record.items():
        f = obj.fields.get(key)
        if f is not None and f.definition.type in REFERENCE_TYPES and isinstance(value, int) and load:
            value = LookupValue(value, f.definition.target or "", load)
        scope[key] = value
    scope["current_user"] = user_view(actor)
    scope["old"] = RecordView(previous, "old") if previous is not None else None
    scope["record"] = RecordView(record, "record")
    return scope


def value_of(source: Any, scope: Mapping[str, Any]) -> Any:
    """A mapping value: ``"=expr"`` is evaluated, anything else is a literal."""
    if isinstance(source, str) and source.startswith("="):
        try:
            return _plain(evaluate(source[1:], scope))
        except (SandboxError, ScriptFailure) as exc:
            raise ExpressionFailed(f"{source[1:]!r} could not run: {exc}") from None
    return source


def holds(source: str | None, scope: Mapping[str, Any]) -> bool:
    """Whether a condition (or a ``when``) is true; no condition always holds."""
    if not source:
        return True
    try:
        return bool(evaluate(source, scope))
    except (SandboxError, ScriptFailure) as exc:
        raise ExpressionFailed(f"the condition could not run: {exc}") from None


def _plain(value: Any) -> Any:
    """Sandbox views back to plain values (a looked-up id, a record's values)."""
    if isinstance(value, LookupValue):
        return int(value)
    if isinstance(value, RecordView):
        return value.to_dict()
    return value
