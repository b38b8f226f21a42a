"""Hook points of the record pipeline, filled by later layers.

The logic layer adds ``before_save`` hooks (formulas, validation rules,
before-save scripts), security adds ``authorize`` hooks and ``redact`` steps, audit adds
``after_write`` hooks and ``after_read`` hooks (the access log). Each hook is a plain callable with one context
argument, so a layer plugs in without the service knowing about it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from sqlalchemy.engine import Connection

from metacrm.metadata.compiled import CompiledObject, CompiledSchema

from ..schema_cache import LiveSchema
from .actor import Actor
from .errors import FieldError


@dataclass
class SaveContext:
    """What a before-save hook sees and may change.

    ``values`` are the coerced field values about to be written (hooks may set
    computed fields there); a hook reports problems by appending to ``errors``.
    Hooks also run when other fields already failed, so that every problem is
    reported at once: the values of those fields are then absent, as are
    fields an update does not change.
    """

    operation: str  # create | update
    actor: Actor
    obj: CompiledObject
    live: LiveSchema
    conn: Connection
    values: dict[str, Any]
    previous: Mapping[str, Any] | None = None
    errors: list[FieldError] = field(default_factory=list)


@dataclass(frozen=True)
class AccessRequest:
    action: str  # create | read | update | delete | restore | purge
    actor: Actor
    obj: CompiledObject
    record: Mapping[str, Any] | None = None
    fields: tuple[str, ...] = ()
    schema: CompiledSchema | None = None  # the version in use: its roles decide


@dataclass(frozen=True)
class WriteContext:
    """After the row was written, inside the transaction (audit, field history)."""

    operation: str  # create | update | delete | restore | purge
    actor: Actor
    obj: CompiledObject
    conn: Connection
    record_id: int
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None


@dataclass(frozen=True)
class ReadContext:
    """After records were read and authorised, outside any transaction (access log)."""

    action: str  # view | list | search
    actor: Actor
    obj: CompiledObject
    records: Sequence[Mapping[str, Any]]
    purpose: str = ""


@dataclass
class RecordHooks:
    authorize: list[Callable[[AccessRequest], None]] = field(default_factory=list)
    before_save: list[Callable[[SaveContext], None]] = field(default_factory=list)
    after_write: list[Callable[[WriteContext], None]] = field(default_factory=list)
    after_read: list[Callable[[ReadContext], None]] = field(default_factory=list)
    #: Steps that take fields out of records handed back to an actor (hidden fields).
    redact: list[Callable[[Actor, CompiledSchema | None, CompiledObject, list[dict[str, Any]]],
                          list[dict[str, Any]]]] = field(default_factory=list)

    #: Which fields of an object an actor may not see at all; the query parser is given a
    #: schema without them, so a hidden field cannot be filtered, sorted, grouped or searched on.
    hidden: list[Callable[[Actor, CompiledSchema | None, CompiledObject], frozenset[str]]] = \
        field(default_factory=list)

    def hidden_fields(self, actor: Actor, schema: CompiledSchema | None, obj: CompiledObject) -> frozenset[str]:
        found: frozenset[str] = frozenset()
        for hook in self.hidden:
            found |= hook(actor, schema, obj)
        return found

    def check(self, request: AccessRequest) -> None:
        for hook in self.authorize:
            hook(request)

    def redacted(self, actor: Actor, schema: CompiledSchema | None, obj: CompiledObject,
                 records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for step in self.redact:
            records = step(actor, schema, obj, records)
        return records

    def read(self, context: ReadContext) -> None:
        for hook in self.after_read:
            hook(context)
