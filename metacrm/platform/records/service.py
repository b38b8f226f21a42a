"""RecordService: the one path every record change takes.

Forms, the REST API, imports, workflows and pack installs all call these
methods, so every write is validated, authorised, run through the logic
hooks, audited and announced the same way:

defaults → coercion & validation → references & uniqueness → authorize →
before-save hooks → write (optimistic lock) → after-write hooks (audit) →
in-transaction events → commit → after-commit events.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from metacrm.metadata.compiled import CompiledObject

from ..errors import Conflict, Forbidden
from ..schema_cache import LiveSchema, SchemaCache
from ..storage.engine import write_transaction
from ..storage.store import utcnow
from . import autonumber, deletion, integrity, values
from . import rows as row_access
from .actor import Actor
from .errors import FieldError, RecordInvalid, RecordNotFound, VersionConflict, invalid
from .events import EventBus, RecordEvent
from .hooks import AccessRequest, ReadContext, RecordHooks, SaveContext, WriteContext
from .reading import RecordReader

Record = dict[str, Any]


@dataclass
class BulkResult:
    """Records written, and for rows that were not (partial mode) their errors by position."""

    records: list[Record] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)  # [{"index": i, "errors": [...]}]


@dataclass
class _Pending:
    events: list[RecordEvent] = field(default_factory=list)


class RecordService:
    def __init__(self, engine: Engine, cache: SchemaCache, *, bus: EventBus | None = None,
                 hooks: RecordHooks | None = None, clock: Callable[[], Any] = utcnow):
        self.engine = engine
        self.cache = cache
        self.bus = bus or EventBus()
        self.hooks = hooks or RecordHooks()
        self.clock = clock
        #: Lists, related lists, the recycle bin and search (reads share the authorize hooks).
        self.reader = RecordReader(engine, cache, self.hooks)
        #: Write transactions in progress (by connection), for nested writes.
        self._open: dict[int, _Pending] = {}

    # --- helpers -------------------------------------------------------------------------
    def _object(self, live: LiveSchema, name: str) -> CompiledObject:
        obj = live.compiled.object(name)
        if obj is None:
            raise RecordNotFound(f'there is no object "{name}"')
        return obj

    @contextmanager
    def _writing(self, pending: _Pending) -> Iterator[Connection]:
        """A write transaction that remembers its pending events, so writes nested in it can join."""
        with write_transaction(self.engine) as conn:
            self._open[id(conn)] = pending
            try:
                yield conn
            finally:
                self._open.pop(id(conn), None)

    def _joined(self, conn: Connection) -> _Pending:
        pending = self._open.get(id(conn))
        if pending is None:
            raise RuntimeError("a nested write needs the connection of a record write in progress "
                               "(the conn of a hook's context or of an in_transaction event)")
        return pending

    def _finish(self, pending: _Pending) -> None:
        self.bus.emit_after_commit(pending.events)

    def _announce(self, conn: Connection, pending: _Pending, event: RecordEvent) -> None:
        self.bus.emit_in_transaction(RecordEvent(**{**event.__dict__, "conn": conn}))
        pending.events.append(event)

    def to_json(self, object_name: str, record: Mapping[str, Any]) -> dict[str, Any]:
        return self.json_encoder(object_name)(record)

    def json_encoder(self, object_name: str) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
        """One schema lookup for a whole page of records, not one per record."""
        obj = self._object(self.cache.get(), object_name)
        return lambda record: values.to_json(obj, record)

    # --- reading -------------------------------------------------------------------------
    def get(self, actor: Actor, object_name: str, record_id: Any, *, include_deleted: bool = False,
            purpose: str = "", live: LiveSchema | None = None) -> Record:
        """``live``: the schema the caller's request already holds (no second metadata version check)."""
        with self.engine.connect() as conn:
            live = live or self.cache.get(conn)
            obj = self._object(live, object_name)
            row = row_access.load(conn, live, obj, record_id, deleted=None if include_deleted else False)
            row_access.require_access(self.hooks, conn, live, obj, actor, row["id"], "read")
            record = values.from_row(obj, row)
            self.hooks.check(AccessRequest("read", actor, obj, record, schema=live.compiled))
        record = self.hooks.redacted(actor, live.compiled, obj, [record])[0]
        self.hooks.read(ReadContext("view", actor, obj, [record], purpose))
        return record

    def require_access(self, actor: Actor, object_name: str, record_id: Any, action: str = "update") -> Record:
        """The live record if ``actor`` may read it and, unless ``action`` is "read", change it (404 / 403
        as for the action itself); for callers that act *about* a record, such as managing its shares."""
        with self.engine.connect() as conn:
            live = self.cache.get(conn)
            obj = self._object(live, object_name)
            row = row_access.load(conn, live, obj, record_id)
            row_access.require_access(self.hooks, conn, live, obj, actor, row["id"], "read")
            if action != "read":
                row_access.require_access(self.hooks, conn, live, obj, actor, row["id"], action)
            return values.from_row(obj, row)

    # --- creating ------------------------------------------------------------------------
    def create(self, actor: Actor, object_name: str, data: Mapping[str, Any]) -> Record:
        result = self._create_many(actor, object_name, [data], all_or_nothing=True, single=True)
        return result.records[0]

    def bulk_create(self, actor: Actor, object_name: str, rows: Sequence[Mapping[str, Any]], *,
                    all_or_nothing: bool = True) -> BulkResult:
        return self._create_many(actor, object_name, rows, all_or_nothing=all_or_nothing, single=False)

    def _create_many(self, actor: Actor, object_name: str, rows: Sequence[Mapping[str, Any]], *,
                     all_or_nothing: bool, single: bool) -> BulkResult:
        pending = _Pending()
        try:
            with self._writing(pending) as conn:
                result = self._insert(conn, actor, object_name, rows, all_or_nothing, single, pending)
        except IntegrityError as exc:
            raise self._explain_integrity(actor, object_name, rows, [None] * len(rows), exc) from exc
        self._finish(pending)
        return result

    def _insert(self, conn: Connection, actor: Actor, object_name: str, rows: Sequence[Mapping[str, Any]],
                all_or_nothing: bool, single: bool, pending: _Pending) -> BulkResult:
        live = self.cache.get(conn)
        obj = self._object(live, object_name)
        written = tuple(dict.fromkeys(k for r in rows if isinstance(r, Mapping) for k in r))
        self.hooks.check(AccessRequest("create", actor, obj, fields=written, schema=live.compiled,
                                       values=tuple(r for r in rows if isinstance(r, Mapping))))
        prepared, errors = self._validate(conn, live, obj, actor, rows, [None] * len(rows), creating=True)
        if any(errors):
            if single:
                raise invalid(obj.definition.label, errors[0])
            failed = [{"index": i, "errors": [e.to_json() for e in errs]} for i, errs in enumerate(errors) if errs]
            if all_or_nothing:
                raise RecordInvalid(f"{len(failed)} of {len(rows)} row(s) are invalid; nothing was saved",
                                    rows=failed)
        else:
            failed = []
        keep = [i for i, errs in enumerate(errors) if not errs]
        now = self.clock()
        to_write = [prepared[i] for i in keep]
        autonumber.assign(conn, obj.name, [f.definition for f in obj.fields.values()
                                           if f.definition.type == "autonumber"], to_write)
        result = BulkResult(errors=failed)
        if not to_write:
            return result
        table = live.tables[obj.name]
        db_rows = [{**values.to_row(obj, v), "created_at": now, "updated_at": now, "created_by": actor.id,
                    "updated_by": actor.id, "owner": v.get("owner", actor.id), "version": 1} for v in to_write]
        db_rows = _same_columns(db_rows)
        stmt = table.insert().returning(table.c.id, sort_by_parameter_order=True)
        ids = list(conn.execute(stmt, db_rows).scalars()) if len(db_rows) > 1 else \
            [conn.execute(stmt, db_rows[0]).scalar_one()]
        if len(row_access.visible_ids(self.hooks, conn, live, obj, actor, ids, "read")) < len(ids):
            # A portal user creating a record not linked to them, say: refused, so nobody
            # writes records they would lose sight of (the transaction rolls back).
            raise Forbidden(f"you would not be able to see the {obj.definition.label} record(s) you are creating; "
                            "link them to yourself (or keep yourself as their owner)", object=obj.name,
                            action="create")
        records = [values.from_row(obj, {**row, "id": rid}) for rid, row in zip(ids, db_rows)]
        written_all = [WriteContext("create", actor, obj, conn, rid, None, r) for rid, r in zip(ids, records)]
        for hook in self.hooks.after_write:
            batch = getattr(hook, "many", None)  # a hook that writes a whole batch in one statement
            if batch is not None:
                batch(written_all)
            else:
                for context in written_all:
                    hook(context)
        for rid, record in zip(ids, records):
            self._announce(conn, pending, RecordEvent("record.created", obj.name, rid, actor, record))
        result.records.extend(self.hooks.redacted(actor, live.compiled, obj, records))
        return result

    def _validate(self, conn: Connection, live: LiveSchema, obj: CompiledObject, actor: Actor,
                  rows: Sequence[Mapping[str, Any]], ids: Sequence[int | None], *, creating: bool,
                  previous: Sequence[Mapping[str, Any] | None] | None = None,
                  ) -> tuple[list[dict[str, Any]], list[list[FieldError]]]:
        prepared: list[dict[str, Any]] = []
        errors: list[list[FieldError]] = []
        for data in rows:
            if not isinstance(data, Mapping):
                prepared.append({})
                errors.append([FieldError("", "invalid_record", "must be a JSON object of field values")])
                continue
            errs = values.check_keys(obj, data, allow=() if creating else ("version", "id"),
                                     unsuggested=self.hooks.hidden_fields(actor, live.compiled, obj))
            clean, more = values.coerce_values(obj, data, creating=creating)
            prepared.append(clean)
            errors.append(errs + more)
        def readable(target: str) -> list[Any]:
            return self.hooks.row_clauses(actor, live, live.compiled.objects[target], "read")

        for found in (integrity.check_references(conn, live, obj, prepared, readable),
                      integrity.check_unique(conn, live, obj, prepared, ids)):
            for i, errs in found.items():
                errors[i].extend(e for e in errs if e.field not in {x.field for x in errors[i]})
        for i, clean in enumerate(prepared):
            # Hooks run even when a field already failed (its value is then absent),
            # so rule errors are reported with the type errors in one round trip.
            if not self.hooks.before_save or not isinstance(rows[i], Mapping):
                continue
            context = SaveContext("create" if creating else "update", actor, obj, live, conn, clean,
                                  previous[i] if previous else None)
            for hook in self.hooks.before_save:
                hook(context)
            errors[i].extend(context.errors)
        return prepared, errors

    def _explain_integrity(self, actor: Actor, object_name: str, rows: Sequence[Mapping[str, Any]],
                           ids: Sequence[int | None], exc: IntegrityError) -> Exception:
        """A constraint fired after our checks passed: a concurrent write took the value."""
        with self.engine.connect() as conn:
            live = self.cache.get(conn)
            obj = self._object(live, object_name)
            prepared = [values.coerce_values(obj, r, creating=ids[i] is None)[0] for i, r in enumerate(rows)]
            found = integrity.check_unique(conn, live, obj, prepared, ids)
        if found:
            errs = [e for i in sorted(found) for e in found[i]]
            return invalid(obj.definition.label, errs)
        return Conflict("The change collided with another change made at the same time; try again",
                        reason=str(exc.orig))

    # --- updating ------------------------------------------------------------------------
    def update(self, actor: Actor, object_name: str, record_id: Any, changes: Mapping[str, Any], *,
               expected_version: int | None = None) -> Record:
        if "version" in changes:  # a lock token in the body counts as the expected version
            changes = dict(changes)
            token = changes.pop("version")
            expected_version = token if expected_version is None else expected_version
        pending = _Pending()
        try:
            with self._writing(pending) as conn:
                record = self._update(conn, actor, object_name, record_id, changes, expected_version, pending)
        except IntegrityError as exc:
            raise self._explain_integrity(actor, object_name, [changes], [row_access.safe_id(record_id)], exc) from exc
        self._finish(pending)
        return record

    def bulk_update(self, actor: Actor, object_name: str, updates: Sequence[Mapping[str, Any]], *,
                    all_or_nothing: bool = True) -> BulkResult:
        """Each update is ``{"id": ..., "version": ... (optional), field: value, ...}``."""
        pending, result, failed = _Pending(), BulkResult(), []
        with self._writing(pending) as conn:
            for i, item in enumerate(updates):
                try:
                    with conn.begin_nested():
                        changes = {k: v for k, v in item.items() if k not in ("id", "version")}
                        result.records.append(self._update(conn, actor, object_name, item.get("id"), changes,
                                                           item.get("version"), pending))
                except (RecordInvalid, RecordNotFound, VersionConflict) as exc:
                    failed.append({"index": i, "id": item.get("id"), "status": exc.status,
                                   "detail": exc.detail, "errors": exc.extra.get("errors", [])})
            if failed and all_or_nothing:
                raise RecordInvalid(f"{len(failed)} of {len(updates)} update(s) failed; nothing was saved",
                                    rows=failed)
        result.errors = failed
        self._finish(pending)
        return result

    def _update(self, conn: Connection, actor: Actor, object_name: str, record_id: Any,
                changes: Mapping[str, Any], expected_version: Any, pending: _Pending) -> Record:
        live = self.cache.get(conn)
        obj = self._object(live, object_name)
        row = row_access.load(conn, live, obj, record_id, lock=True)
        previous = values.from_row(obj, row)
        if expected_version is not None and str(expected_version) != str(row["version"]):
            raise VersionConflict(
                f"{obj.definition.label} #{row['id']} was changed by someone else (version {row['version']}, "
                f"you sent {expected_version}); reload it and apply your change again",
                current_version=row["version"])
        row_access.require_access(self.hooks, conn, live, obj, actor, row["id"], "read")
        self.hooks.check(AccessRequest("update", actor, obj, previous, tuple(changes), schema=live.compiled,
                                       values=(changes,)))
        row_access.require_access(self.hooks, conn, live, obj, actor, row["id"], "update")
        prepared, errors = self._validate(conn, live, obj, actor, [changes], [row["id"]], creating=False,
                                          previous=[previous])
        if errors[0]:
            raise invalid(obj.definition.label, errors[0])
        new = prepared[0]
        after = {**previous, **new}
        changed = values.changed_fields(previous, after)
        if not changed:
            return self.hooks.redacted(actor, live.compiled, obj, [previous])[0]
        table = live.tables[obj.name]
        now = self.clock()
        stamp = {"updated_at": now, "updated_by": actor.id, "version": row["version"] + 1}
        done = conn.execute(sa.update(table).where(table.c.id == row["id"], table.c.version == row["version"])
                            .values(**values.to_row(obj, {k: new[k] for k in changed if k in new}), **stamp))
        if done.rowcount != 1:
            raise VersionConflict(f"{obj.definition.label} #{row['id']} was changed at the same time; reload it",
                                  current_version=None)
        after.update(stamp)
        for hook in self.hooks.after_write:
            hook(WriteContext("update", actor, obj, conn, row["id"], previous, after))
        self._announce(conn, pending, RecordEvent("record.updated", obj.name, row["id"], actor, after,
                                                  previous, changed))
        return self.hooks.redacted(actor, live.compiled, obj, [after])[0]

    # --- writing inside another write's transaction --------------------------------------
    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction of the caller's own that :meth:`create_in`/:meth:`update_in` join (a
        scheduled or manually run workflow acts in one): it commits or rolls back as a whole, and the
        after-commit events of the writes in it fire after it commits."""
        pending = _Pending()
        with self._writing(pending) as conn:
            yield conn
        self._finish(pending)

    def create_in(self, conn: Connection, actor: Actor, object_name: str, data: Mapping[str, Any]) -> Record:
        """Create a record inside the transaction of a write in progress (``conn`` from a hook or an
        in_transaction event): the whole pipeline runs, the new record commits or rolls back with the
        outer write, and its after-commit events fire after the outer commit. Used by same-transaction
        workflow actions and after-save scripts."""
        return self._insert(conn, actor, object_name, [data], True, True, self._joined(conn)).records[0]

    def update_in(self, conn: Connection, actor: Actor, object_name: str, record_id: Any,
                  changes: Mapping[str, Any], *, expected_version: int | None = None) -> Record:
        """Update a record inside the transaction of a write in progress (see :meth:`create_in`)."""
        return self._update(conn, actor, object_name, record_id, changes, expected_version, self._joined(conn))

    def bulk_create_in(self, conn: Connection, actor: Actor, object_name: str,
                       rows: Sequence[Mapping[str, Any]]) -> BulkResult:
        """:meth:`bulk_create` (partial mode) inside a write in progress (``conn`` of :meth:`write`):
        imports commit a chunk's records and their per-row outcomes in one transaction."""
        return self._insert(conn, actor, object_name, rows, False, False, self._joined(conn))

    # --- deleting ------------------------------------------------------------------------
    def delete(self, actor: Actor, object_name: str, record_id: Any, *,
               expected_version: int | None = None) -> dict[str, list[int]]:
        """Move to the recycle bin (with cascades); returns the ids deleted per object."""
        pending = _Pending()
        with self._writing(pending) as conn:
            deleted = self._delete(conn, actor, object_name, record_id, expected_version, pending)
        self._finish(pending)
        return deleted

    def delete_in(self, conn: Connection, actor: Actor, object_name: str, record_id: Any) -> dict[str, list[int]]:
        """:meth:`delete` inside the transaction of a write in progress (a merge deletes the duplicate
        in the transaction that updates the master; see :meth:`create_in`)."""
        return self._delete(conn, actor, object_name, record_id, None, self._joined(conn))

    def _delete(self, conn: Connection, actor: Actor, object_name: str, record_id: Any,
                expected_version: int | None, pending: _Pending) -> dict[str, list[int]]:
        live = self.cache.get(conn)
        obj = self._object(live, object_name)
        row = row_access.load(conn, live, obj, record_id, lock=True)
        previous = values.from_row(obj, row)
        if expected_version is not None and str(expected_version) != str(row["version"]):
            raise VersionConflict(f"{obj.definition.label} #{row['id']} was changed by someone else; "
                                  "reload it before deleting", current_version=row["version"])
        row_access.require_access(self.hooks, conn, live, obj, actor, row["id"], "read")
        self.hooks.check(AccessRequest("delete", actor, obj, previous, schema=live.compiled))
        row_access.require_access(self.hooks, conn, live, obj, actor, row["id"], "delete")
        plan = deletion.plan_delete(conn, live, obj.name, row["id"])
        for name, ids in plan.deleted.items():
            if name != obj.name or ids != [row["id"]]:
                self.hooks.check(AccessRequest("delete", actor, self._object(live, name), schema=live.compiled))
        cleared = _cleared_records(conn, live, plan) if self.hooks.after_write else []
        now = self.clock()
        deletion.soft_delete(conn, live, plan, actor_id=actor.id, now=now)
        for ref, before in cleared:  # set_null: each cleared record is an update of that field
            after = {**before, ref.field: None, "updated_at": now, "updated_by": actor.id,
                     "version": before["version"] + 1}
            for hook in self.hooks.after_write:
                hook(WriteContext("update", actor, live.compiled.objects[ref.object], conn, before["id"],
                                  before, after))
        for name, ids in plan.deleted.items():
            for rid in ids:
                # Only the record asked for was read; cascaded details (even of the
                # same object, or sharing its id in another table) carry no snapshot.
                before = previous if (name, rid) == (obj.name, row["id"]) else None
                for hook in self.hooks.after_write:
                    hook(WriteContext("delete", actor, live.compiled.objects[name], conn, rid, before, None))
                self._announce(conn, pending, RecordEvent("record.deleted", name, rid, actor, None, before))
        return plan.deleted

    def restore(self, actor: Actor, object_name: str, record_id: Any) -> Record:
        """Bring a record back from the recycle bin with the details deleted along with it."""
        pending = _Pending()
        with self._writing(pending) as conn:
            live = self.cache.get(conn)
            obj = self._object(live, object_name)
            row = row_access.load(conn, live, obj, record_id, deleted=True, lock=True)
            row_access.require_access(self.hooks, conn, live, obj, actor, row["id"], "read", in_bin=True)
            self.hooks.check(AccessRequest("restore", actor, obj, values.from_row(obj, row), schema=live.compiled))
            row_access.require_access(self.hooks, conn, live, obj, actor, row["id"], "restore", in_bin=True)
            _require_live_masters(conn, live, obj, row)
            group = deletion.cascade_group(conn, live, obj.name, row["id"], row["deleted_at"])
            deletion.restore_group(conn, live, group, actor_id=actor.id, now=self.clock())
            restored = values.from_row(obj, row_access.load(conn, live, obj, row["id"]))
            for name, ids in group.items():
                for rid in ids:
                    # Ids repeat across objects: a restored detail with the master's id is not the master.
                    record = restored if (name, rid) == (obj.name, row["id"]) else None
                    for hook in self.hooks.after_write:
                        hook(WriteContext("restore", actor, live.compiled.objects[name], conn, rid, None, record))
                    self._announce(conn, pending, RecordEvent("record.restored", name, rid, actor, record))
        self._finish(pending)
        return self.hooks.redacted(actor, live.compiled, obj, [restored])[0]

    def purge(self, actor: Actor, object_name: str, record_id: Any) -> dict[str, list[int]]:
        """Remove a record in the recycle bin for good (details that cascade go with it)."""
        pending = _Pending()
        with self._writing(pending) as conn:
            live = self.cache.get(conn)
            obj = self._object(live, object_name)
            row = row_access.load(conn, live, obj, record_id, deleted=True, lock=True)
            previous = values.from_row(obj, row)
            row_access.require_access(self.hooks, conn, live, obj, actor, row["id"], "read", in_bin=True)
            self.hooks.check(AccessRequest("purge", actor, obj, previous, schema=live.compiled))
            row_access.require_access(self.hooks, conn, live, obj, actor, row["id"], "purge", in_bin=True)
            plan = deletion.plan_delete(conn, live, obj.name, row["id"], live_only=False)
            deletion.hard_delete(conn, live, plan)
            for name, ids in plan.deleted.items():
                for rid in ids:
                    before = previous if (name, rid) == (obj.name, row["id"]) else None
                    for hook in self.hooks.after_write:
                        hook(WriteContext("purge", actor, live.compiled.objects[name], conn, rid, before, None))
                    self._announce(conn, pending, RecordEvent("record.purged", name, rid, actor, None))
        self._finish(pending)
        return plan.deleted


def _cleared_records(conn: Connection, live: LiveSchema, plan: deletion.DeletionPlan,
                     ) -> list[tuple[deletion.Reference, Record]]:
    """The records a delete's set_null references clear, as they were before (for after-write hooks)."""
    found = []
    for ref, ids in plan.cleared:
        table, obj = live.tables[ref.object], live.compiled.objects[ref.object]
        for row in conn.execute(sa.select(table).where(table.c.id.in_(ids)).order_by(table.c.id)).mappings():
            found.append((ref, values.from_row(obj, row)))
    return found


def _same_columns(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give every row the columns any row has (NULL where left out).

    One multi-row INSERT needs the same parameters in every row; rows of a bulk
    create may name different fields, and a field left out is NULL anyway
    (object columns have no server defaults).
    """
    columns = dict.fromkeys(key for row in rows for key in row)
    return [{key: row.get(key) for key in columns} for row in rows]




def _require_live_masters(conn: Connection, live: LiveSchema, obj: CompiledObject, row: Mapping[str, Any]) -> None:
    for f in obj.fields.values():
        if f.definition.type != "master_detail" or row.get(f.name) is None:
            continue
        master = live.tables[f.definition.target or ""]
        alive = conn.execute(sa.select(master.c.id).where(master.c.id == row[f.name],
                                                          master.c.deleted_at.is_(None))).first()
        if alive is None:
            raise Conflict(f"restore {f.definition.target} #{row[f.name]} first: this "
                           f"{obj.definition.label} belongs to it")
