"""A small in-process event bus for record changes.

Two phases, because subscribers need different guarantees: ``in_transaction``
listeners run inside the write's transaction (a field update by a workflow
must commit or roll back with the record); ``after_commit`` listeners run once
the change is durable (emails, webhooks and jobs must never fire for a
rolled-back write). A listener failing after commit is logged, not raised:
the record is already saved.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from sqlalchemy.engine import Connection

from .actor import Actor

log = logging.getLogger(__name__)

#: The documented event names; ``*`` subscribes to all of them.
RECORD_EVENTS = ("record.created", "record.updated", "record.deleted", "record.restored", "record.purged")
PHASES = ("in_transaction", "after_commit")


@dataclass(frozen=True)
class RecordEvent:
    name: str
    object: str
    record_id: int
    actor: Actor
    record: Mapping[str, Any] | None  # the record after the change (None once purged)
    previous: Mapping[str, Any] | None = None  # before the change, for updates and deletes
    changed: tuple[str, ...] = ()
    conn: Connection | None = field(default=None, compare=False)  # set for in_transaction listeners


Listener = Callable[[RecordEvent], None]


class EventBus:
    def __init__(self) -> None:
        self._listeners: dict[tuple[str, str], list[Listener]] = defaultdict(list)

    def listen(self, name: str, listener: Listener, *, phase: str = "after_commit") -> Listener:
        if name != "*" and name not in RECORD_EVENTS:
            raise ValueError(f"unknown event {name!r}; known: {', '.join(RECORD_EVENTS)}")
        if phase not in PHASES:
            raise ValueError(f"unknown phase {phase!r}; known: {', '.join(PHASES)}")
        self._listeners[(name, phase)].append(listener)
        return listener

    def remove(self, name: str, listener: Listener, *, phase: str = "after_commit") -> None:
        self._listeners[(name, phase)].remove(listener)

    def listens_for(self, name: str, *, phase: str = "after_commit") -> Callable[[Listener], Listener]:
        def decorator(fn: Listener) -> Listener:
            return self.listen(name, fn, phase=phase)
        return decorator

    def _for(self, name: str, phase: str) -> list[Listener]:
        return [*self._listeners.get((name, phase), ()), *self._listeners.get(("*", phase), ())]

    def emit_in_transaction(self, event: RecordEvent) -> None:
        for listener in self._for(event.name, "in_transaction"):
            listener(event)

    def emit_after_commit(self, events: list[RecordEvent]) -> None:
        for event in events:
            for listener in self._for(event.name, "after_commit"):
                try:
                    listener(event)
                except Exception:  # the write is durable; one bad subscriber must not hide it
                    log.exception("after-commit listener %r failed for %s %s #%s",
                                  listener, event.name, event.object, event.record_id)
