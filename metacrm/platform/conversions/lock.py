"""Converted records are read-only: a before-save check keyed on the conversion's flag field.

Salesforce keeps a converted lead for reporting but lets nobody edit it; the
same holds here for any object whose conversion says ``lock`` (the default).
The platform itself (workflows acting with its rights, time-triggered runs)
may still write, so an admin's automation can tidy converted records.
"""

from __future__ import annotations

from typing import Any, Mapping

from metacrm.platform.records.errors import FieldError
from metacrm.platform.records.hooks import SaveContext


def converted_note(definition: Any, record: Mapping[str, Any]) -> str | None:
    """Why ``record`` is read-only after a locking conversion ("This lead was converted on …"), or None."""
    for conv in getattr(definition, "conversions", ()):
        if conv.lock and conv.flag_field and record.get(conv.flag_field):
            when = record.get(conv.date_field) if conv.date_field else None
            on = f" on {when.isoformat()}" if hasattr(when, "isoformat") else ""
            return f"This {definition.label.lower()} was converted{on} and is read-only; edit the records it became instead"
    return None


def conversion_lock(ctx: SaveContext) -> None:
    if ctx.operation != "update" or ctx.previous is None or ctx.actor.is_system:
        return
    note = converted_note(ctx.obj.definition, ctx.previous)
    if note is not None:
        flag = next(c.flag_field for c in ctx.obj.definition.conversions if c.lock and c.flag_field
                    and ctx.previous.get(c.flag_field))
        ctx.errors.append(FieldError(flag, "converted", note))
