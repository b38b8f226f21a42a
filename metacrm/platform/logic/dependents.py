"""Keeping computed values right when the records they read change: roll-ups and cross-lookup formulas.

A parent's roll-ups (:mod:`.rollups`) and a record's stored formulas are
computed when *that* record is saved. This module re-saves the records whose
computed values depend on a write, inside the write's transaction (an
``after_write`` hook: it runs for every created, updated, deleted, restored
and purged record, cascades and cleared references included):

* a child created, deleted, restored or purged, or updated in its relationship
  field (a reparent: the old and the new parent), its summarised field or a
  field its filter reads → the parents whose roll-ups summarise it;
* a record updated in a field that stored formulas of other objects read
  through a lookup (``company.industry`` on contact), or deleted or restored →
  the records pointing at it through that lookup (one statement per lookup);
* a record whose lookup was cleared by a delete (``set_null`` writes no save of
  its own) → that record, so formulas reading through the lookup go empty.

How the re-save is written: ``RecordService.update_in(conn, SYSTEM, object, id, {})``,
an empty update through the whole record path. The parent's before-save hooks
compute its roll-ups and formulas; only values that changed are written, with
field history, events and a version bump, and a parent whose values did not
change is not written at all (which is what ends the chain). The SYSTEM actor
is deliberate: a roll-up is a fact the system keeps, so a child's author who
may not edit the parent still moves its total. The parent's validation rules
and before-save scripts do run (a rule such as "total <= credit_limit" refuses
the child write), and their refusal is reported on the child's write as a 422
naming the parent (code ``dependent_invalid``).

Loops and depth: re-saves nest (a deal's total moves the account's total,
which moves a formula of its contacts). A record being re-saved that is asked
for again is re-run once its save ends (at most :data:`MAX_ROUNDS` times, so
a cycle through data settles or stops); nesting deeper than :data:`MAX_DEPTH`
stops with a warning in the log.

Once per batch: within one transaction a record re-saved is remembered as
fresh until the next save begins. Bulk creates, cascade deletes and restores
write all their rows before any after-write hook runs, so each parent is
re-saved once per statement, not once per child; a bulk update saves item by
item (each in its savepoint), so its parents are re-saved per item.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from metacrm.metadata.compiled import CompiledSchema
from metacrm.metadata.dependencies import LookupRead, lookup_reads

from ..records.actor import SYSTEM
from ..records.errors import FieldError, RecordInvalid, RecordNotFound
from ..records.hooks import SaveContext, WriteContext
from ..schema_cache import LiveSchema
from .rollups import rollup_fields, watched_fields

if TYPE_CHECKING:
    from ..records.service import RecordService

log = logging.getLogger(__name__)

MAX_DEPTH = 12
MAX_ROUNDS = 3
REFUSED = "dependent_invalid"
Key = tuple[str, int]


@dataclass(frozen=True)
class RollupWatch:
    parent: str  # the object holding the roll-up
    field: str  # the roll-up field
    relationship: str  # the child's field pointing at the parent
    watched: frozenset[str]  # child fields whose change can move it


@dataclass(frozen=True)
class DependencyIndex:
    """For one compiled schema: who must be re-saved when a record of an object changes."""

    rollups: Mapping[str, tuple[RollupWatch, ...]]  # child object → roll-ups over it
    reads: Mapping[tuple[str, str], tuple[LookupRead, ...]]  # (object, field) → formulas reading it
    read_objects: frozenset[str]  # objects some stored formula reads through a lookup
    own_lookups: Mapping[str, frozenset[str]]  # object → its lookups its stored formulas read through

    @classmethod
    def build(cls, schema: CompiledSchema) -> "DependencyIndex":
        rollups: dict[str, list[RollupWatch]] = {}
        for obj in schema.objects.values():
            for f in rollup_fields(obj):
                r = f.definition.rollup
                assert r is not None
                rollups.setdefault(r.child, []).append(
                    RollupWatch(obj.name, f.name, r.relationship_field, watched_fields(schema, f)))
        reads = lookup_reads(schema.bundle)
        own: dict[str, set[str]] = {}
        for found in reads.values():
            for read in found:
                own.setdefault(read.object, set()).add(read.lookup)
        return cls({k: tuple(v) for k, v in rollups.items()}, reads, frozenset(t for t, _ in reads),
                   {k: frozenset(v) for k, v in own.items()})


_indexes: dict[int, tuple[CompiledSchema, DependencyIndex]] = {}


def index_for(schema: CompiledSchema) -> DependencyIndex:
    hit = _indexes.get(id(schema))
    if hit is not None and hit[0] is schema:
        return hit[1]
    if len(_indexes) > 50:
        _indexes.clear()
    built = DependencyIndex.build(schema)
    _indexes[id(schema)] = (schema, built)
    return built


@dataclass
class _Transaction:
    """What one write transaction has re-saved so far (kept in ``conn.info``)."""

    txn: Any
    live: LiveSchema | None = None  # the schema this transaction writes with (read once)
    fresh: set[Key] = field(default_factory=set)  # computed values up to date since the last save began
    stack: list[Key] = field(default_factory=list)  # re-saves in progress, outermost first
    again: set[Key] = field(default_factory=set)  # asked for while in progress: run once more


STATE = "metacrm.logic.dependents"


def _state(conn: Connection) -> _Transaction:
    txn = conn.get_transaction()
    st = conn.info.get(STATE)
    if st is None or st.txn is not txn:
        st = conn.info[STATE] = _Transaction(txn)
    return st


class Dependents:
    """The ``before_save`` and ``after_write`` hooks; :meth:`bind` gives them the record service."""

    def __init__(self) -> None:
        self.records: "RecordService | None" = None

    def bind(self, records: "RecordService") -> None:
        self.records = records

    # --- bookkeeping of saves ------------------------------------------------------------------
    def before_save(self, ctx: SaveContext) -> None:
        st = _state(ctx.conn)
        key = (ctx.obj.name, ctx.previous["id"]) if ctx.previous is not None else None
        if key is not None and key in st.stack:
            return  # our own re-save of this record
        st.fresh.clear()  # another row is about to be written: what was fresh may not be
        if key is not None:
            st.fresh.add(key)  # this save computes its own values

    # --- the after-write hook ------------------------------------------------------------------
    def after_write(self, ctx: WriteContext) -> None:
        if self.records is None:
            return
        st = _state(ctx.conn)
        live = st.live = st.live or self.records.cache.get(ctx.conn)
        index = index_for(live.compiled)
        name = ctx.obj.name
        if name not in index.rollups and name not in index.read_objects and name not in index.own_lookups:
            return
        for key, via in self.affected(ctx, live, index):
            self.resave(ctx.conn, key, via)

    def affected(self, ctx: WriteContext, live: LiveSchema, index: DependencyIndex) -> list[tuple[Key, str]]:
        """The records to re-save, each with the field of ``ctx``'s record that links them (for errors)."""
        name, found = ctx.obj.name, {}
        before, after = ctx.before, ctx.after
        if ctx.operation in ("delete", "restore", "purge") and before is None and after is None:
            before = after = _row(ctx.conn, live, name, ctx.record_id)  # a cascaded record: no snapshot
            if before is None:
                return []
        changed = _changed(before, after) if ctx.operation == "update" else None
        if changed is not None and changed & index.own_lookups.get(name, frozenset()):
            found[(name, ctx.record_id)] = ""  # a lookup cleared by a delete: re-save the record itself
        for watch in index.rollups.get(name, ()):
            if changed is not None and not changed & watch.watched:
                continue
            for snapshot in (before, after):
                parent = snapshot.get(watch.relationship) if snapshot else None
                if isinstance(parent, int):
                    found.setdefault((watch.parent, parent), watch.relationship)
        if ctx.operation in ("update", "delete", "restore"):
            for key in self._referrers(ctx.conn, live, index, name, ctx.record_id, changed):
                found.setdefault(key, "")
        return list(found.items())

    def _referrers(self, conn: Connection, live: LiveSchema, index: DependencyIndex, name: str, record_id: int,
                   changed: frozenset[str] | None) -> Iterable[Key]:
        """Live records whose stored formulas read a changed field of ``name`` #``record_id`` through a lookup."""
        pairs: dict[tuple[str, str], None] = {}
        for (target, fname), reads in index.reads.items():
            if target == name and (changed is None or fname in changed):
                pairs.update({(r.object, r.lookup): None for r in reads})
        for obj, lookup in pairs:
            table = live.tables[obj]
            ids = conn.execute(sa.select(table.c.id).where(table.c[lookup] == record_id,
                                                           table.c.deleted_at.is_(None)).order_by(table.c.id))
            yield from ((obj, rid) for rid in ids.scalars())

    # --- re-saving -----------------------------------------------------------------------------
    def resave(self, conn: Connection, key: Key, via: str = "") -> None:
        """Save ``key`` again as the system so its roll-ups and formulas are recomputed (see the module doc)."""
        assert self.records is not None
        st = _state(conn)
        if key in st.fresh:
            return
        if key in st.stack:
            st.again.add(key)
            return
        if len(st.stack) >= MAX_DEPTH:
            log.warning("computed values of %s #%s not refreshed: dependencies nest deeper than %d (%s)",
                        key[0], key[1], MAX_DEPTH, " → ".join(f"{o} #{i}" for o, i in st.stack))
            return
        st.stack.append(key)
        try:
            for _ in range(MAX_ROUNDS):
                st.again.discard(key)
                try:
                    self.records.update_in(conn, SYSTEM, key[0], key[1], {})
                except RecordNotFound:
                    return  # deleted (in the bin, or with this very write): nothing to keep right
                except RecordInvalid as exc:
                    raise _refused(self.records, conn, key, via, exc) from exc
                if key not in st.again:
                    break
        finally:
            st.stack.pop()
            st.again.discard(key)
        st.fresh.add(key)


def _refused(records: "RecordService", conn: Connection, key: Key, via: str, exc: RecordInvalid) -> RecordInvalid:
    if any(e.code == REFUSED for e in exc.field_errors):
        return exc  # refused further down: already says which record
    obj = records.cache.get(conn).compiled.objects[key[0]]
    reasons = "; ".join(dict.fromkeys(e.message if not e.field else f"{e.field}: {e.message}"
                                      for e in exc.field_errors)) or exc.detail
    message = f"{obj.definition.label} #{key[1]} would not be valid after this change ({reasons})"
    return RecordInvalid(f"The change was not saved: {message}", [FieldError(via, REFUSED, message)])


def _changed(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> frozenset[str]:
    before, after = before or {}, after or {}
    return frozenset(k for k in {*before, *after} if before.get(k) != after.get(k))


def _row(conn: Connection, live: LiveSchema, name: str, record_id: int) -> dict[str, Any] | None:
    table = live.tables[name]
    row = conn.execute(sa.select(table).where(table.c.id == record_id)).mappings().first()
    return dict(row) if row is not None else None
