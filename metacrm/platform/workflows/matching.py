"""Which workflows a record event triggers (pure: definitions and values in, a yes or no out)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Iterable, Mapping

from metacrm.metadata.workflows import TriggerDef

#: The trigger types each record event can fire.
EVENT_TRIGGERS: dict[str, frozenset[str]] = {
    "record.created": frozenset({"created", "created_or_updated"}),
    "record.updated": frozenset({"updated", "created_or_updated", "field_changed"}),
    "record.deleted": frozenset({"deleted"}),
}


def triggered(trigger: TriggerDef, event: str, changed: Iterable[str],
              previous: Mapping[str, Any] | None, record: Mapping[str, Any] | None) -> bool:
    """Whether ``trigger`` fires for this event; ``field_changed`` fires on updates that change the
    field, from one of ``from_values`` (if any) to one of ``to_values`` (if any)."""
    if trigger.type not in EVENT_TRIGGERS.get(event, ()):
        return False
    if trigger.type != "field_changed":
        return True
    name = trigger.field or ""
    if name not in changed:
        return False
    if trigger.from_values and not any(same(previous.get(name) if previous else None, v)
                                       for v in trigger.from_values):
        return False
    return not trigger.to_values or any(same(record.get(name) if record else None, v) for v in trigger.to_values)


def same(value: Any, expected: Any) -> bool:
    """A stored value against a JSON one: ``date(2026, 1, 5)`` is ``"2026-01-05"``, ``Decimal("5")`` is 5."""
    if value == expected:
        return True
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat() == expected
    if isinstance(value, Decimal) and isinstance(expected, str):
        try:
            return value == Decimal(expected)
        except ArithmeticError:
            return False
    return False
