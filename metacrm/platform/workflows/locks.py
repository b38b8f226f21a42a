"""Locked records: a state that locks (a posted gift, an approved invoice) or a pending approval.

A locked record refuses updates and deletes from everyone — admins and
workflows too — because its point is that it no longer changes: a
correction is a new, reversing record. The one exception is the automation
that owns the lock: a state's ``on_enter``/``on_exit`` actions and an
approval's final actions run inside :func:`unlocked`, which marks the record
writable for that transaction's connection only (``conn.info``), so no flag
outlives the transaction or leaks to another request.

Only a change counts: a save that sends a locked record's values unchanged,
or only recomputes formulas and roll-ups (the platform keeping derived values
true), passes.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator, Mapping

from sqlalchemy.engine import Connection

from metacrm.metadata.compiled import CompiledObject

from ..records.errors import FieldError, RecordInvalid

_UNLOCKED = "metacrm.workflows.unlocked"
#: Values the platform derives; recomputing them is not an edit of a locked record.
DERIVED_TYPES = ("formula", "rollup")


class RecordLocked(RecordInvalid):
    """The record is read-only (a locking state, or an approval pending): nothing was saved."""

    type_slug = "record-locked"


def locked(obj: CompiledObject, record: Mapping[str, Any], why: str, field: str = "") -> RecordLocked:
    message = (f"{obj.definition.label} #{record.get('id')} is locked ({why}); corrections by a reversing record")
    return RecordLocked(message, [FieldError(field, "record_locked", message)], reason=why)


@contextmanager
def unlocked(conn: Connection, object_name: str, record_id: int) -> Iterator[None]:
    """Let the automation that owns a lock write the record, in this transaction only."""
    held = conn.info.setdefault(_UNLOCKED, [])
    held.append((object_name, record_id))
    try:
        yield
    finally:
        held.remove((object_name, record_id))


def is_unlocked(conn: Connection | None, object_name: str, record_id: Any) -> bool:
    return conn is not None and (object_name, record_id) in conn.info.get(_UNLOCKED, ())


def edits(obj: CompiledObject, values: Mapping[str, Any], previous: Mapping[str, Any]) -> list[str]:
    """The fields a save really changes, derived ones aside."""
    changed = []
    for name, value in values.items():
        f = obj.fields.get(name)
        if f is not None and f.definition.type in DERIVED_TYPES:
            continue
        if value != previous.get(name):
            changed.append(name)
    return changed
