"""Masked fields: a role may see a field only as ``•••• 1234``.

A role's field access ``masked`` sits between full access and ``hidden``.
The same "visible if ANY reading role allows" rule as for hidden fields
decides what an actor gets: the full value when one of its reading roles
leaves the field unrestricted or ``read_only``; the masked value when none
does but one masks it; nothing when all hide it (hidden is the strictest).

Why the rest follows:

* A masked field is returned by every read (get, lists, related lists,
  search hits, field history), as a :class:`Masked` string, so the record
  keeps its shape and a UI can show that a value exists.
* It is *unqueryable*: ``ssn__startswith=1`` or ``sort=ssn`` would reveal the
  value a character at a time, so the reader leaves it out of the schema the
  query parser sees (an ``unqueryable`` hook), exactly as for hidden fields.
* It is not writable: a role that masks a field is a restriction like
  ``read_only`` (the permission check refuses a write unless another role
  granting the write leaves the field unrestricted). Writing a value one
  cannot read back would invite blind overwrites.

The mask's shape comes from the field's metadata (``"mask": {"show_last": 4}``,
the default, or ``{"show_first": 4, "show_last": 0}`` for a birth year);
never more than half of the value is shown, so a short value is not given
away whole.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Iterable, Mapping

from metacrm.metadata.compiled import CompiledObject, CompiledSchema
from metacrm.metadata.definitions import FieldDef, RoleDef

from ..records.actor import Actor
from .permissions import actor_roles, privileged

MASK = "••••"
DEFAULT_SHOW_LAST = 4


class Masked(str):
    """A value shown masked. A ``str`` so templates and JSON show it as it is; the type lets encoders
    (``values.to_json``) pass it through instead of formatting it as the field's own type."""

    __slots__ = ()
    #: What the record layer checks (it does not import security): ``getattr(value, "masked", False)``.
    masked = True


def shape(definition: FieldDef | None) -> tuple[int, int]:
    """(leading, trailing) characters the field's mask shows: its metadata, else the last 4."""
    mask = (definition.mask if definition is not None else None) or {}
    return int(mask.get("show_first", 0)), int(mask.get("show_last", DEFAULT_SHOW_LAST))


def _text(value: Any) -> str:
    """The value as its user would read it: the text the mask is cut from."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, Mapping):
        return ""  # a polymorphic reference: nothing of it is shown
    return str(value)


def mask_value(value: Any, definition: FieldDef | None = None) -> Masked | None:
    """``•••• 1234``; an empty value stays empty (None), like an unmasked empty field."""
    if value is None:
        return None
    if isinstance(value, Masked):
        return value
    text = _text(value)
    first, last = shape(definition)
    budget = len(text) // 2  # never more than half of the value, so a short one is not given away
    first = min(first, budget)
    last = min(last, budget - first)
    parts = (text[:first], MASK, text[len(text) - last:] if last else "")
    return Masked(" ".join(p for p in parts if p))


def _readers(actor: Actor, schema: CompiledSchema | None, obj: CompiledObject) -> list[RoleDef]:
    """The roles whose field access counts for reading (the same choice as ``permissions.hidden_fields``)."""
    roles = actor_roles(actor, schema)
    return [r for r in roles if r.grants(obj.name, "read")] or roles


def masked_fields(actor: Actor, schema: CompiledSchema | None, obj: CompiledObject) -> frozenset[str]:
    """Fields the actor sees only masked: no reading role shows them in full and at least one masks them.

    Installed as the record hooks' ``unqueryable`` hook, so they cannot be filtered, sorted or searched on.
    """
    if privileged(actor):
        return frozenset()
    readers = _readers(actor, schema, obj)
    if not readers:
        return frozenset()
    found = []
    for name in obj.fields:
        access = [r.field_access(obj.name, name) for r in readers]
        if "masked" in access and all(a in ("hidden", "masked") for a in access):
            found.append(name)
    return frozenset(found)


def mask(actor: Actor, schema: CompiledSchema | None, obj: CompiledObject,
         records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The ``redact`` step (after hidden fields were taken out): masked fields replaced by their mask."""
    records = [dict(r) for r in records]
    masked = masked_fields(actor, schema, obj)
    if not masked:
        return records
    for record in records:
        for name in masked:
            if name in record:
                record[name] = mask_value(record[name], obj.fields[name].definition)
    return records


def history_entries(actor: Actor, schema: CompiledSchema | None, obj: CompiledObject,
                    entries: Iterable[Mapping[str, Any]], hidden: frozenset[str]) -> list[dict[str, Any]]:
    """Field history as the actor may see it: hidden fields left out, masked fields masked.

    ``hidden`` is what the record hooks hide from the actor. An update whose every
    change was hidden is left out whole: showing that *something* changed at that
    moment would itself tell more than the record does.
    """
    masked = masked_fields(actor, schema, obj)
    out = []
    for entry in entries:
        changes = entry.get("changes") or {}
        kept = {}
        for name, pair in changes.items():
            if name in hidden:
                continue
            if name in masked and isinstance(pair, (list, tuple)):
                definition = obj.fields[name].definition
                pair = [mask_value(v, definition) for v in pair]
            kept[name] = pair
        if changes and not kept and entry.get("operation") == "update":
            continue
        out.append({**entry, "changes": kept})
    return out
