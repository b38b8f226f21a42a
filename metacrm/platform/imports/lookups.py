"""Lookup cells ("Acme Ltd", "ERP-0042") → record ids, one query per chunk and target.

A lookup column matches the target's name field (case-insensitively), or the
field named in the mapping (``account.erp_id``: an external id); ``#42`` is
always record 42. Only records the importing user may read are found, so a
name never reveals a record hidden from them. A cell matching no record, or
several, fails its row with a sentence saying so.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable, Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from metacrm.metadata.compiled import CompiledObject
from metacrm.metadata.field_types import REFERENCE_TYPES

from ..records.errors import FieldError
from ..schema_cache import LiveSchema

Clauses = Callable[[str], list[Any]]  # target object → row filters of what the actor may read


def resolve(conn: Connection, live: LiveSchema, obj: CompiledObject, mapping: Mapping[str, str],
            rows: Sequence[dict[str, Any]], errors: Sequence[list[FieldError]], readable: Clauses) -> None:
    """Replace lookup texts in ``rows`` by ids, in place; failures go to the row's ``errors``."""
    for target_spec in mapping.values():
        field, _, via = target_spec.partition(".")
        f = obj.fields.get(field)
        if f is None or f.definition.type not in REFERENCE_TYPES or not f.definition.target:
            continue
        target = live.compiled.objects[f.definition.target]
        by = via or target.definition.name_field or "id"
        wanted = {str(r[field]) for r in rows if isinstance(r.get(field), str) and not r[field].startswith("#")}
        found = _find(conn, live, target, by, wanted, readable(target.name)) if wanted else {}
        for i, row in enumerate(rows):
            text = row.get(field)
            if not isinstance(text, str):
                continue
            if text.startswith("#") and text[1:].isdigit():
                row[field] = int(text[1:])  # the record service checks it exists and is readable
                continue
            ids = found.get(_key(text, by), [])
            if len(ids) == 1:
                row[field] = ids[0]
                continue
            row.pop(field, None)
            label = target.definition.label
            what = f'{by} "{text}"'
            errors[i].append(FieldError(field, "lookup_not_found", f"no {label} has {what}") if not ids else
                             FieldError(field, "lookup_ambiguous",
                                        f"{len(ids)} {target.definition.plural_label} have {what}; "
                                        f"map the column to {field}.<a unique field> or use #id"))


def _key(text: str, by: str) -> str:
    return text.strip() if by == "id" else text.strip().lower()


def _find(conn: Connection, live: LiveSchema, target: CompiledObject, by: str, wanted: set[str],
          clauses: list[Any]) -> dict[str, list[int]]:
    table = live.tables[target.name]
    column = table.c[by]
    found: dict[str, list[int]] = defaultdict(list)
    if by == "id":
        keys = [int(w) for w in wanted if w.strip().isdigit()]
        match = column.in_(keys)
    else:
        # SQLite's lower() folds ASCII only: exact texts are matched too, keys compare lower-cased in Python.
        keys = sorted({w.strip() for w in wanted} | {w.strip().lower() for w in wanted})
        match = sa.or_(column.in_(keys), sa.func.lower(column).in_(keys))
    if not keys:
        return found
    query = sa.select(table.c.id, column).where(match, table.c.deleted_at.is_(None), *clauses)
    for rid, value in conn.execute(query):
        found[_key(str(value), by)].append(rid)
    return found
