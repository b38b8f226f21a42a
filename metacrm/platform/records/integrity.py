"""Checks that need the database: referenced records exist, unique values are free.

Both work on a batch of rows so a bulk create of 10,000 records costs a few
queries, not 20,000. Each returns errors keyed by the row's position.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable, Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from metacrm.metadata.compiled import CompiledObject
from metacrm.metadata.field_types import REFERENCE_TYPES

from ..schema_cache import LiveSchema
from ..storage.platform_tables import user
from .errors import FieldError

CHUNK = 500


def _matches(column: sa.ColumnElement[Any], values: list[Any]) -> sa.ColumnElement[bool]:
    """``=`` for one value: single creates are the common case, and an expanding IN costs more to compile."""
    return column == values[0] if len(values) == 1 else column.in_(values)


def _existing_ids(conn: Connection, table: sa.Table, ids: set[int],
                  clauses: Sequence[sa.ColumnElement[bool]] = ()) -> set[int]:
    found: set[int] = set()
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start:start + CHUNK]
        query = sa.select(table.c.id).where(_matches(table.c.id, chunk), *clauses)
        if "deleted_at" in table.c:
            query = query.where(table.c.deleted_at.is_(None))
        found.update(conn.execute(query).scalars())
    return found


def check_references(conn: Connection, live: LiveSchema, obj: CompiledObject, rows: Sequence[Mapping[str, Any]],
                     readable: Callable[[str], Sequence[sa.ColumnElement[bool]]] | None = None,
                     ) -> dict[int, list[FieldError]]:
    """Every lookup, polymorphic lookup and owner names a live record.

    ``readable(target)`` gives the record-level access terms of the acting user: a
    record they may not read answers exactly like a missing one, so a lookup
    cannot be used to probe which ids exist.
    """
    wanted: dict[str, set[int]] = defaultdict(set)  # target object -> ids (``""`` = users)
    refs: list[tuple[int, str, str, int]] = []  # row index, field, target, id
    for i, values in enumerate(rows):
        for name, value in values.items():
            if value is None:
                continue
            f = obj.fields.get(name)
            if name == "owner":
                target, rid = "", value
            elif f is not None and f.definition.type in REFERENCE_TYPES:
                target, rid = f.definition.target or "", value
            elif f is not None and f.definition.type == "polymorphic_lookup":
                target, rid = value["object"], value["id"]
            else:
                continue
            wanted[target].add(rid)
            refs.append((i, name, target, rid))
    found: dict[str, set[int]] = {}
    for target, ids in wanted.items():
        table = user if target == "" else live.tables.tables.get(target)
        clauses = readable(target) if readable is not None and target else ()
        found[target] = _existing_ids(conn, table, ids, clauses) if table is not None else set()
    errors: dict[int, list[FieldError]] = defaultdict(list)
    for i, name, target, rid in refs:
        if rid not in found[target]:
            what = "user" if target == "" else _label(live, target)
            errors[i].append(FieldError(name, "not_found", f"no {what} with id {rid} exists"))
    return errors


def _label(live: LiveSchema, name: str) -> str:
    target = live.compiled.object(name)
    return target.definition.label if target else name


def check_unique(conn: Connection, live: LiveSchema, obj: CompiledObject, rows: Sequence[Mapping[str, Any]],
                 ids: Sequence[int | None]) -> dict[int, list[FieldError]]:
    """Unique fields: not used by another stored record (the recycle bin included) nor twice in the batch."""
    table = live.tables[obj.name]
    errors: dict[int, list[FieldError]] = defaultdict(list)
    for f in obj.fields.values():
        if not f.definition.unique or not f.columns or f.definition.type == "polymorphic_lookup":
            continue
        name = f.name
        seen: dict[Any, int] = {}
        positions: dict[Any, list[int]] = defaultdict(list)
        for i, values in enumerate(rows):
            value = values.get(name)
            if value is None or name not in values:
                continue
            if value in seen:
                errors[i].append(FieldError(name, "duplicate",
                                            f'must be unique: "{value}" is also used by row {seen[value] + 1}'))
                continue
            seen[value] = i
            positions[value].append(i)
        values_list = list(seen)
        for start in range(0, len(values_list), CHUNK):
            chunk = values_list[start:start + CHUNK]
            query = sa.select(table.c.id, table.c[name], table.c.deleted_at).where(_matches(table.c[name], chunk))
            for rid, value, deleted_at in conn.execute(query):
                for i in positions.get(value, []):
                    if ids[i] == rid:
                        continue
                    where = " (in the recycle bin)" if deleted_at is not None else ""
                    errors[i].append(FieldError(
                        name, "duplicate",
                        f'must be unique: "{value}" is already used by {obj.definition.label} #{rid}{where}'))
    return errors
