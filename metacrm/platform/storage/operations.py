"""One handler per plan operation kind: the DDL (and data moves) that apply runs.

Handlers share one transaction and never drop data: a removed field or
object, or the old column of a type change, is renamed to an archive name
and recorded in ``metacrm_archive`` until an explicit purge. SQLite runs the
same alembic operations natively (ADD/RENAME COLUMN, RENAME TABLE, indexes);
only a purge needs batch mode's table copy there.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable

import sqlalchemy as sa
from alembic.operations import Operations
from sqlalchemy.engine import Connection

from metacrm.metadata.definitions import FieldDef, ObjectDef
from metacrm.metadata.diff import Operation
from metacrm.metadata.field_types import FIELD_TYPES, StorageColumn

from . import store
from .columns import sql_column, system_columns
from .naming import archived_column, archived_table, fk_name, index_name, staging_column, table_name

COPY_CHUNK = 2000


@dataclass
class ApplyContext:
    conn: Connection
    ops: Operations
    version: int  # the version being created
    restore: bool  # rollback: bring archived data back where it fits
    deferred: list[Callable[[], None]] = field(default_factory=list)

    @property
    def with_fk(self) -> bool:
        return self.conn.dialect.name == "postgresql"


Handler = Callable[[ApplyContext, Operation], None]
OPERATION_HANDLERS: dict[str, Handler] = {}


def handles(kind: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        OPERATION_HANDLERS[kind] = fn
        return fn
    return register


def columns_of(f: FieldDef) -> list[StorageColumn]:
    return FIELD_TYPES.get(f.type).columns(f)


def storage_signature(f: FieldDef) -> list[tuple[str, str, Any, Any, Any]]:
    return [(c.name, c.kind, c.length, c.precision, c.scale) for c in columns_of(f)]


# --- indexes and foreign keys derived from a field definition ---------------------------------

def _reference_index(table: str, f: FieldDef) -> tuple[str, list[str]] | None:
    cols = [c.name for c in columns_of(f) if c.kind == "reference"]
    if f.type == "polymorphic_lookup":
        cols = [c.name for c in columns_of(f)]
    return (index_name(table, f"{f.name}_ref"), cols) if cols else None


def create_field_indexes(ctx: ApplyContext, table: str, f: FieldDef, *, user: bool = True) -> None:
    ref = _reference_index(table, f)
    if ref:
        ctx.ops.create_index(ref[0], table, ref[1])
    if user and (f.unique or f.indexed) and columns_of(f):
        col = columns_of(f)[0].name
        ctx.ops.create_index(index_name(table, col, f.unique), table, [col], unique=f.unique)


def drop_field_indexes(ctx: ApplyContext, table: str, f: FieldDef, *, user: bool = True) -> None:
    ref = _reference_index(table, f)
    if ref:
        ctx.ops.drop_index(ref[0], table_name=table)
    if user and (f.unique or f.indexed) and columns_of(f):
        col = columns_of(f)[0].name
        ctx.ops.drop_index(index_name(table, col, f.unique), table_name=table)


def create_field_fks(ctx: ApplyContext, table: str, f: FieldDef) -> None:
    if not ctx.with_fk:
        return
    for c in columns_of(f):
        if c.kind == "reference" and c.target:
            ondelete = {"restrict": "RESTRICT", "set_null": "SET NULL", "cascade": "CASCADE"}[c.on_delete or "restrict"]
            ctx.ops.create_foreign_key(fk_name(table, c.name), table, table_name(c.target), [c.name], ["id"],
                                       ondelete=ondelete)


def drop_field_fks(ctx: ApplyContext, table: str, f: FieldDef) -> None:
    if not ctx.with_fk:
        return
    for c in columns_of(f):
        if c.kind == "reference" and c.target:
            ctx.ops.drop_constraint(fk_name(table, c.name), table, type_="foreignkey")


BIN_ONLY = sa.text("deleted_at IS NOT NULL")


def _system_indexes(table: str) -> list[tuple[str, list[str], dict[str, Any]]]:
    """Owner (record access), last change (every default list view sorts by it) and the recycle bin.

    The bin's index is partial: a full index on ``deleted_at`` matches every
    live record, and SQLite's planner then prefers it over scanning — slower
    for every list — so it covers only deleted records.
    """
    return [(index_name(table, "owner"), ["owner"], {}),
            (index_name(table, "updated_at"), ["updated_at"], {}),
            (index_name(table, "deleted_at"), ["deleted_at"], {"postgresql_where": BIN_ONLY, "sqlite_where": BIN_ONLY})]


def archive_field_columns(ctx: ApplyContext, obj: str, f: FieldDef) -> None:
    """Detach a field's columns (indexes, FKs) and rename them to archive names."""
    table = table_name(obj)
    drop_field_indexes(ctx, table, f)
    drop_field_fks(ctx, table, f)
    renamed = []
    for c in columns_of(f):
        archived = archived_column(c.name, ctx.version)
        ctx.ops.alter_column(table, c.name, new_column_name=archived)
        renamed.append((archived, c.name))
    if renamed:
        store.record_archive(ctx.conn, obj=obj, field=f.name, table=table, columns=renamed,
                             definition=f.to_json(), version=ctx.version)


def _restorable(ctx: ApplyContext, obj: str, f: FieldDef) -> store.ArchiveEntry | None:
    """An archived copy of exactly this field's storage, if a rollback can reuse it."""
    if not ctx.restore:
        return None
    entry = store.latest_archive(ctx.conn, obj, f.name)
    if entry is None:
        return None
    from metacrm.metadata.loader import load_objects

    try:
        archived = load_objects([{"name": obj, "fields": [entry.definition]}], prefix="").bundle.objects[obj].fields[0]
    except Exception:  # an archived definition that no longer loads is simply not reused
        return None
    return entry if storage_signature(archived) == storage_signature(f) else None


def _restore_columns(ctx: ApplyContext, entry: store.ArchiveEntry, table: str) -> None:
    for archived, original in entry.physical_columns:
        ctx.ops.alter_column(table, archived, new_column_name=original)
    store.set_archive_state(ctx.conn, entry.id, "restored")


# --- handlers ----------------------------------------------------------------------------------

@handles("create_object")
def create_object(ctx: ApplyContext, op: Operation) -> None:
    obj: ObjectDef = op.new
    table = table_name(obj.name)
    entry = store.latest_archive(ctx.conn, obj.name, None) if ctx.restore else None
    if entry is not None:
        ctx.ops.rename_table(entry.physical_table, table)
        store.set_archive_state(ctx.conn, entry.id, "restored")
        present = {c["name"] for c in sa.inspect(ctx.conn).get_columns(table)}
        for f in obj.fields:
            for c in columns_of(f):
                if c.name not in present:
                    ctx.ops.add_column(table, sql_column(c, table, with_fk=False))
    else:
        columns = system_columns(obj.multi_currency)
        columns += [sql_column(c, table, with_fk=False) for f in obj.fields for c in columns_of(f)]
        ctx.ops.create_table(table, *columns)
    for name, cols, options in _system_indexes(table):
        ctx.ops.create_index(name, table, cols, **options)
    for f in obj.fields:
        create_field_indexes(ctx, table, f, user=False)  # user indexes come as add_index operations
        ctx.deferred.append(lambda f=f: create_field_fks(ctx, table, f))


@handles("remove_object")
def remove_object(ctx: ApplyContext, op: Operation) -> None:
    obj: ObjectDef = op.old
    table = table_name(obj.name)
    for f in obj.fields:
        drop_field_indexes(ctx, table, f)
        drop_field_fks(ctx, table, f)
    for name, _, _ in _system_indexes(table):  # tables older than an index in this list lack it
        ctx.ops.drop_index(name, table_name=table, if_exists=True)
    archived = archived_table(table, ctx.version)
    ctx.ops.rename_table(table, archived)
    store.record_archive(ctx.conn, obj=obj.name, field=None, table=archived, columns=[],
                         definition=obj.to_json(), version=ctx.version)


@handles("rename_object")
def rename_object(ctx: ApplyContext, op: Operation) -> None:
    old_obj: ObjectDef = op.old
    old_table, new_table = table_name(old_obj.name), table_name(op.new.name)
    for f in old_obj.fields:
        drop_field_indexes(ctx, old_table, f)
        drop_field_fks(ctx, old_table, f)
    for name, _, _ in _system_indexes(old_table):
        ctx.ops.drop_index(name, table_name=old_table, if_exists=True)
    ctx.ops.rename_table(old_table, new_table)
    for name, cols, options in _system_indexes(new_table):
        ctx.ops.create_index(name, new_table, cols, **options)
    for f in old_obj.fields:  # field-level changes follow as their own operations
        create_field_indexes(ctx, new_table, f)
        ctx.deferred.append(lambda f=f: create_field_fks(ctx, new_table, f))


@handles("update_object")
def update_object(ctx: ApplyContext, op: Operation) -> None:
    old, new = op.old, op.new
    table = table_name(new.name)
    if new.multi_currency and not old.multi_currency:
        entry = store.latest_archive(ctx.conn, new.name, "currency_code") if ctx.restore else None
        if entry:
            _restore_columns(ctx, entry, table)
        else:
            ctx.ops.add_column(table, sa.Column("currency_code", sa.String(3), nullable=True))
    elif old.multi_currency and not new.multi_currency:
        archived = archived_column("currency_code", ctx.version)
        ctx.ops.alter_column(table, "currency_code", new_column_name=archived)
        store.record_archive(ctx.conn, obj=new.name, field="currency_code", table=table,
                             columns=[(archived, "currency_code")], definition={"name": "currency_code"},
                             version=ctx.version)


@handles("add_field")
def add_field(ctx: ApplyContext, op: Operation) -> None:
    f: FieldDef = op.new
    table = table_name(op.object)
    entry = _restorable(ctx, op.object, f)
    if entry is not None:
        _restore_columns(ctx, entry, table)
    else:
        for c in columns_of(f):
            ctx.ops.add_column(table, sql_column(c, table, with_fk=False))
    create_field_indexes(ctx, table, f, user=False)
    create_field_fks(ctx, table, f)


@handles("remove_field")
def remove_field(ctx: ApplyContext, op: Operation) -> None:
    archive_field_columns(ctx, op.object, op.old)


@handles("rename_field")
def rename_field(ctx: ApplyContext, op: Operation) -> None:
    old, new = op.old, op.new
    table = table_name(op.object)
    drop_field_indexes(ctx, table, old)
    drop_field_fks(ctx, table, old)
    for before, after in zip(columns_of(old), columns_of(new)):
        ctx.ops.alter_column(table, before.name, new_column_name=after.name)
    renamed_old = replace(old, name=new.name)
    create_field_indexes(ctx, table, renamed_old)
    create_field_fks(ctx, table, renamed_old)


@handles("change_field_type")
def change_field_type(ctx: ApplyContext, op: Operation) -> None:
    """New column, converted copy, old column archived: exact and reversible."""
    old, new = op.old, op.new
    table = table_name(op.object)
    entry = _restorable(ctx, op.object, new)
    if entry is not None:  # a rollback of an earlier type change: swap the original back
        archive_field_columns(ctx, op.object, old)
        _restore_columns(ctx, entry, table)
        create_field_indexes(ctx, table, new, user=False)
        create_field_fks(ctx, table, new)
        return
    new_cols = columns_of(new)
    staged = [staging_column(c.name, ctx.version) for c in new_cols]
    for c, name in zip(new_cols, staged):
        ctx.ops.add_column(table, sql_column(c, table, with_fk=False, name=name))
    if len(new_cols) == 1 and len(columns_of(old)) == 1:
        _copy_converted(ctx, table, old, new, staged[0])
    archive_field_columns(ctx, op.object, old)
    for c, name in zip(new_cols, staged):
        ctx.ops.alter_column(table, name, new_column_name=c.name)
    create_field_indexes(ctx, table, new, user=False)
    create_field_fks(ctx, table, new)


def convert_value(value: Any, old: FieldDef, new: FieldDef) -> Any:
    """Carry a stored value across a type change (through its JSON form)."""
    if value is None:
        return None
    as_json = FIELD_TYPES.get(old.type).to_json(value, old)
    if isinstance(as_json, list):
        as_json = ";".join(str(v) for v in as_json)
    return FIELD_TYPES.get(new.type).coerce(as_json, new)


def field_table(table: str, f: FieldDef, *, name: str | None = None) -> sa.Table:
    """A throw-away Table with just ``id`` and one field's column, for data moves and checks."""
    col = sql_column(columns_of(f)[0], table, with_fk=False, name=name)
    return sa.Table(table, sa.MetaData(), sa.Column("id", sa.BigInteger, primary_key=True), col)


def _copy_converted(ctx: ApplyContext, table: str, old: FieldDef, new: FieldDef, target: str) -> None:
    source_table = field_table(table, old)
    source = source_table.c[columns_of(old)[0].name]
    dest = field_table(table, new, name=target)
    update = dest.update().where(dest.c.id == sa.bindparam("row_id")).values({target: sa.bindparam("value")})
    last_id = 0
    while True:
        rows = ctx.conn.execute(
            sa.select(source_table.c.id, source).where(source.is_not(None), source_table.c.id > last_id)
            .order_by(source_table.c.id).limit(COPY_CHUNK)
        ).all()
        if not rows:
            break
        ctx.conn.execute(update, [{"row_id": r[0], "value": convert_value(r[1], old, new)} for r in rows])
        last_id = rows[-1][0]


@handles("add_index")
def add_index(ctx: ApplyContext, op: Operation) -> None:
    f: FieldDef = op.new
    col = columns_of(f)[0].name
    ctx.ops.create_index(index_name(table_name(op.object), col, f.unique), table_name(op.object), [col],
                         unique=f.unique)


@handles("drop_index")
def drop_index(ctx: ApplyContext, op: Operation) -> None:
    f: FieldDef = op.old
    col = columns_of(f)[0].name
    ctx.ops.drop_index(index_name(table_name(op.object), col, f.unique), table_name=table_name(op.object))


@handles("change_picklist")
@handles("update_field")
@handles("update_roles")
@handles("update_reports")
def metadata_only(ctx: ApplyContext, op: Operation) -> None:
    """Labels, choices, help text, required, roles...: the new version is the change."""
