"""Finding the probable duplicates of a record: SQL narrows, ``metadata.duplicates`` decides, the reader shows.

The candidates are narrowed in SQL (``prefilter.py``) with the actor's record-level access
as part of the same statement, compared in Python with the rule's normalised (exact or
fuzzy) comparison, and the matches are finally read through the record reader as the
actor — object permission, hidden and masked fields and the access log apply exactly as
on a list — so nobody learns of a record they may not read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from metacrm.metadata.duplicates import DuplicateRule, matcher

from ..errors import PlatformError
from ..records.actor import Actor
from ..records.errors import RecordNotFound
from ..schema_cache import LiveSchema
from .prefilter import candidate_clause

if TYPE_CHECKING:
    from ..records import RecordService

#: Matches reported per rule, and rows a rule's SQL filter may hand to Python.
PER_RULE = 10
CANDIDATES = 2000


@dataclass(frozen=True)
class Match:
    rule: DuplicateRule
    id: int
    title: str
    record: Mapping[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule.name, "match": self.rule.match, "action": self.rule.action,
                "fields": list(self.rule.fields), "id": self.id, "title": self.title}


class DuplicateFinder:
    """Probable duplicates of one record's values, as one actor may see them."""

    def __init__(self, records: "RecordService"):
        self.records = records

    def find(self, actor: Actor, object_name: str, values: Mapping[str, Any], *, exclude_id: int | None = None,
             rules: Sequence[DuplicateRule] | None = None, conn: Connection | None = None,
             live: LiveSchema | None = None, per_rule: int = PER_RULE) -> list[Match]:
        """Matches per rule (``rules``: default the object's), at most ``per_rule`` each, newest first.

        ``conn``/``live``: a hook's transaction and schema (the candidates are read in it).
        """
        live = live or self.records.cache.get()
        obj = live.compiled.object(object_name)
        if obj is None:
            raise RecordNotFound(f'there is no object "{object_name}"')
        rules = obj.definition.duplicate_rules if rules is None else rules
        if not rules:
            return []
        types = {name: f.definition.type for name, f in obj.fields.items()}
        found: list[tuple[DuplicateRule, int]] = []
        if conn is not None:
            found = self._compare(conn, live, obj, actor, rules, values, types, exclude_id, per_rule)
        else:
            with self.records.engine.connect() as own:
                found = self._compare(own, live, obj, actor, rules, values, types, exclude_id, per_rule)
        if not found:
            return []
        shown = self._readable(actor, obj.name, sorted({rid for _, rid in found}), live)
        name_field = obj.definition.name_field
        return [Match(rule, rid, _title(obj.definition.label, shown[rid], name_field), shown[rid])
                for rule, rid in found if rid in shown]

    def _compare(self, conn: Connection, live: LiveSchema, obj: Any, actor: Actor,
                 rules: Sequence[DuplicateRule], values: Mapping[str, Any], types: Mapping[str, str],
                 exclude_id: int | None, per_rule: int) -> list[tuple[DuplicateRule, int]]:
        table = live.tables[obj.name]
        access = self.records.hooks.row_clauses(actor, live, obj, "read")
        found: list[tuple[DuplicateRule, int]] = []
        for rule in rules:
            clause = candidate_clause(rule, table, values, types, conn.dialect.name)
            if clause is None:
                continue
            columns = [table.c.id, *(c for n in rule.fields for c in _columns(table, n))]
            # Newest first, sorted after filtering: ordering by the bare id lets PostgreSQL walk the primary
            # key backwards testing every row, far slower than scanning once and sorting the few candidates.
            query = (sa.select(*columns).where(clause, table.c.deleted_at.is_(None), *access)
                     .order_by((table.c.id + 0).desc()).limit(CANDIDATES))
            if exclude_id is not None:
                query = query.where(table.c.id != exclude_id)
            hits, matches = 0, matcher(rule, values, types)
            for row in conn.execute(query).mappings():
                if matches(_stored(row, rule.fields)):
                    found.append((rule, row["id"]))
                    hits += 1
                    if hits >= per_rule:
                        break
        return found

    def _readable(self, actor: Actor, object_name: str, ids: list[int], live: LiveSchema) -> dict[int, Mapping[str, Any]]:
        """The records as the actor reads them through the reader (none when the object is not readable)."""
        shown: dict[int, Mapping[str, Any]] = {}
        for start in range(0, len(ids), 200):
            chunk = ids[start:start + 200]
            try:
                page = self.records.reader.list(actor, object_name, {"id__in": ",".join(map(str, chunk)),
                                                                      "limit": str(len(chunk))},
                                                purpose="duplicates", live=live)
            except PlatformError:
                return {}
            shown.update({r["id"]: r for r in page.records})
        return shown


def _columns(table: sa.Table, name: str) -> list[Any]:
    """The columns holding a rule's field: its own, or a polymorphic lookup's object and id."""
    if name in table.c:
        return [table.c[name]]
    return [table.c[c] for c in (f"{name}_object", f"{name}_id") if c in table.c]


def _stored(row: Mapping[str, Any], names: Sequence[str]) -> dict[str, Any]:
    """A candidate's values of the rule's fields, as the comparison reads them (text, ids, dates as stored:
    the types rules may name are stored as themselves)."""
    out: dict[str, Any] = {}
    for name in names:
        if name in row:
            out[name] = row[name]
        elif row.get(f"{name}_id") is not None:
            out[name] = {"object": row.get(f"{name}_object"), "id": row.get(f"{name}_id")}
    return out


def _title(label: str, record: Mapping[str, Any], name_field: str | None) -> str:
    """"Ada Lovelace" for people (first and last name), else the name field, else "Contact #12"."""
    parts = [record.get("first_name"), record.get("last_name")] if name_field == "last_name" else []
    text = " ".join(str(p) for p in parts if p) or (record.get(name_field) if name_field else None)
    return str(text) if text else f"{label} #{record['id']}"
