"""Converted records are read-only: a before-save check keyed on the conversion's flag field.

Salesforce keeps a converted lead for reporting but lets nobody edit it; the
same holds here for any object whose conversion says ``lock`` (the default).
The platform itself (workflows acting with its rights, time-triggered runs)
may still write, so an admin's automation can tidy converted records.
"""

from __future__ import annotations

from metacrm.platform.records.errors import FieldError
from metacrm.platform.records.hooks import SaveContext


def conversion_lock(ctx: SaveContext) -> None:
    if ctx.operation != "update" or ctx.previous is None or ctx.actor.is_system:
        return
    definition = ctx.obj.definition
    for conv in getattr(definition, "conversions", ()):
        if conv.lock and conv.flag_field and ctx.previous.get(conv.flag_field):
            when = ctx.previous.get(conv.date_field) if conv.date_field else None
            on = f" on {when.isoformat()}" if hasattr(when, "isoformat") else ""
            ctx.errors.append(FieldError(conv.flag_field, "converted",
                                         f"This {definition.label.lower()} was converted{on} and is read-only; "
                                         f"edit the records it became instead"))
            return
