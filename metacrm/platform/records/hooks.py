"""Hook points of the record pipeline, filled by later layers.

The logic layer adds ``before_save`` hooks (formulas, validation rules,
before-save scripts), security adds ``authorize`` hooks and ``redact`` steps, audit adds
``after_write`` hooks and ``after_read`` hooks (the access log). Each hook is a plain callable with one context
argument, so a layer plugs in without the service knowing about it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Protocol, Sequence

from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

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
    #: The values sent (one mapping per row of a create; the changes of an update), for checks on values
    #: such as who may assign ``owner``.
    values: tuple[Mapping[str, Any], ...] = ()


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


class RowFilter(Protocol):
    """Record-level access as SQL: which rows of an object an actor may read or edit.

    The reader adds ``clause(..., "read")`` to every list, count, group and search, and the
    service runs both modes against one id before a get or a change, so no path can skip it.
    """

    def clause(self, actor: Actor, live: LiveSchema, obj: CompiledObject,
               mode: str) -> ColumnElement[bool] | None: ...

    def refusal(self, actor: Actor, obj: CompiledObject, record_id: int, action: str) -> str: ...


@dataclass
class RecordHooks:
    authorize: list[Callable[[AccessRequest], None]] = field(default_factory=list)
    before_save: list[Callable[[SaveContext], None]] = field(default_factory=list)
    #: Called once per written record; a hook that also has ``many(contexts)`` is handed a bulk
    #: create's records in one call instead (field history inserts them with one statement).
    after_write: list[Callable[[WriteContext], None]] = field(default_factory=list)
    after_read: list[Callable[[ReadContext], None]] = field(default_factory=list)
    #: Steps that take fields out of records handed back to an actor (hidden fields).
    redact: list[Callable[[Actor, CompiledSchema | None, CompiledObject, list[dict[str, Any]]],
                          list[dict[str, Any]]]] = field(default_factory=list)

    #: Which fields of an object an actor may not see at all; the query parser is given a
    #: schema without them, so a hidden field cannot be filtered, sorted, grouped or searched on.
    hidden: list[Callable[[Actor, CompiledSchema | None, CompiledObject], frozenset[str]]] = \
        field(default_factory=list)
    #: Record-level access (owner, hierarchy, sharing, teams, denies, portal), applied in SQL.
    row_filter: list[RowFilter] = field(default_factory=list)

    def row_clauses(self, actor: Actor, live: LiveSchema, obj: CompiledObject,
                    mode: str = "read") -> list[ColumnElement[bool]]:
        """The WHERE terms that keep the records ``actor`` may not read (or edit) out of a query."""
        found = (f.clause(actor, live, obj, mode) for f in self.row_filter)
        return [c for c in found if c is not None]

    def hidden_fields(self, actor: Actor, schema: CompiledSchema | None, obj: CompiledObject) -> frozenset[str]:
        found: frozenset[str] = frozenset()
        for hook in self.hidden:
            found |= hook(actor, schema, obj)
        return found

    #: Fields an actor is handed but may not query (masked ones: a filter such as ``ssn__startswith=1``
    #: would reveal the value a character at a time); left out of the parser's schema like hidden ones.
    unqueryable: list[Callable[[Actor, CompiledSchema | None, CompiledObject], frozenset[str]]] = \
        field(default_factory=list)

    def unqueryable_fields(self, actor: Actor, schema: CompiledSchema | None, obj: CompiledObject) -> frozenset[str]:
        """Hidden fields and the fields the ``unqueryable`` hooks name: what the query parser must not see."""
        found = self.hidden_fields(actor, schema, obj)
        for hook in self.unqueryable:
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
