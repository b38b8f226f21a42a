"""Lists, related lists, the recycle bin and global search, through the query language.

Reads go through the same authorize hooks as writes, so field- and
record-level security (its own layer) applies to every list the same way;
the ``after_read`` hooks (the access log) see every page handed out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any, Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from metacrm.metadata.compiled import CompiledSchema

from ..query import Query, QueryError, parse_query, run_query
from ..query.parse import normalise
from ..schema_cache import LiveSchema, SchemaCache
from . import values
from .actor import Actor
from .errors import RecordNotFound
from .hooks import AccessRequest, ReadContext, RecordHooks

SEARCH_PER_OBJECT = 5


@dataclass
class Page:
    records: list[dict[str, Any]]
    total: int | None = None
    next_cursor: str | None = None
    groups: list[dict[str, Any]] | None = None
    fields: tuple[str, ...] | None = None  # the projection, when one was asked for


class RecordReader:
    def __init__(self, engine: Engine, cache: SchemaCache, hooks: RecordHooks):
        self.engine = engine
        self.cache = cache
        self.hooks = hooks

    def _visible(self, actor: Actor, schema: CompiledSchema) -> CompiledSchema:
        """The schema as this actor may query it: hidden (and masked) fields are not there to filter or sort on."""
        if not self.hooks.hidden and not self.hooks.unqueryable:
            return schema
        objects = {}
        for name, obj in schema.objects.items():
            hidden = self.hooks.unqueryable_fields(actor, schema, obj)
            if hidden:
                obj = replace(obj, fields=MappingProxyType({n: f for n, f in obj.fields.items() if n not in hidden}),
                              search_fields=tuple(n for n in obj.search_fields if n not in hidden))
            objects[name] = obj
        return replace(schema, objects=MappingProxyType(objects))

    def _page(self, live: LiveSchema, query: Query, actor: Actor, deleted: str, *,
              action: str = "list", purpose: str = "", count_cap: int | None = None) -> Page:
        obj = live.compiled.objects[query.object]
        self.hooks.check(AccessRequest("read", actor, obj, schema=live.compiled))
        # Record-level access is a WHERE term of the same statements, so counts and groups obey it too.
        access = self.hooks.row_clauses(actor, live, obj, "read")
        with self.engine.connect() as conn:
            result = run_query(conn, live, query, deleted=deleted, access=access, count_cap=count_cap)
        projection = tuple(ref.name for ref in query.fields) if query.fields is not None else None
        shape = obj if projection is None else _projected(obj, projection)
        records = []
        for row in result.rows:
            record = values.from_row(shape, row)
            if projection is not None:
                record = {k: v for k, v in record.items() if k == "id" or k in projection}
            records.append(record)
        records = self.hooks.redacted(actor, live.compiled, obj, records)
        if action != "search":  # search reports once per object, with the hits it keeps
            self.hooks.read(ReadContext(action, actor, obj, records, purpose))
        return Page(records, result.total, result.next_cursor, result.groups, projection)

    def list(self, actor: Actor, object_name: str, params: Mapping[str, Any], *,
             deleted: str = "exclude", today: dt.date | None = None, purpose: str = "",
             count_cap: int | None = None, live: LiveSchema | None = None) -> Page:
        """A page of records; ``count_cap`` bounds the count (``total`` is then at most cap + 1).

        ``live``: the schema the caller already holds for this request (a page that reads
        several lists checks the metadata version once, and reads them all in one version).
        """
        live = live or self.cache.get()
        obj = live.compiled.object(object_name)
        if obj is None:
            raise RecordNotFound(f'there is no object "{object_name}"')
        visible = self._visible(actor, live.compiled)
        query = parse_query(visible.objects[obj.name], visible, params, today=today or dt.date.today())
        return self._page(live, query, actor, deleted, purpose=purpose, count_cap=count_cap)

    def related(self, actor: Actor, object_name: str, record_id: int, child_object: str,
                params: Mapping[str, Any], *, today: dt.date | None = None, purpose: str = "",
                live: LiveSchema | None = None, parent_checked: bool = False) -> Page:
        """Children of one record: ``child_object`` records whose lookup points at it (``live``: the
        schema the caller's page already holds, as for :meth:`list`; ``parent_checked``: the caller
        has just read the parent as ``actor`` in that schema, so its read access is not checked again)."""
        live = live or self.cache.get()
        parent = live.compiled.object(object_name)
        if parent is None:
            raise RecordNotFound(f'there is no object "{object_name}"')
        relations = [c for c in parent.children if c.object == child_object]
        if not relations:
            valid = sorted({c.object for c in parent.children})
            raise RecordNotFound(f'{child_object} is not a related list of {object_name}; related lists: '
                                 f'{", ".join(valid) or "none"}')
        params = normalise(params)
        via = (params.pop("via", None) or [None])[-1]
        if via is not None:
            relations = [c for c in relations if c.field == via]
            if not relations:
                raise QueryError("unknown relation", errors=[{"parameter": "via", "message":
                                 f'{child_object} has no lookup "{via}" to {object_name}', "valid": []}])
        child = live.compiled.objects[child_object]
        if not parent_checked:
            self.require_readable(live, actor, parent, record_id)
        params[relations[0].field] = [str(record_id)]
        visible = self._visible(actor, live.compiled)
        query = parse_query(visible.objects[child.name], visible, params, today=today or dt.date.today())
        return self._page(live, query, actor, "exclude", purpose=purpose)

    def require_readable(self, live: LiveSchema, actor: Actor, obj: Any, record_id: Any) -> None:
        """404, worded as for a missing record, unless ``actor`` may read this live record."""
        table = live.tables[obj.name]
        try:
            rid = int(str(record_id))
        except ValueError:
            rid = 0
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(table.c.id).where(
                table.c.id == rid, table.c.deleted_at.is_(None),
                *self.hooks.row_clauses(actor, live, obj, "read"))).first() if 0 < rid < 2**63 else None
        if found is None:
            raise RecordNotFound(f"{obj.definition.label} #{record_id} does not exist")

    def search(self, actor: Actor, text: str, *, per_object: int = SEARCH_PER_OBJECT,
               purpose: str = "") -> list[dict[str, Any]]:
        """Global search: the best few matches of every searchable object the actor may read."""
        live = self.cache.get()
        visible = self._visible(actor, live.compiled)
        hits = []
        for name in sorted(live.compiled.objects):
            obj = live.compiled.objects[name]
            if not visible.objects[name].search_fields:  # none, or all hidden from this actor
                continue
            try:
                self.hooks.check(AccessRequest("read", actor, obj, schema=live.compiled))
            except Exception:  # objects the actor may not read are simply left out
                continue
            query = parse_query(visible.objects[name], visible, {"q": text, "limit": str(per_object)},
                                today=dt.date.today())
            page = self._page(live, query, actor, "exclude", action="search")
            if page.records:
                self.hooks.read(ReadContext("search", actor, obj, page.records, purpose))
            for record in page.records:
                hits.append({"object": name, "label": obj.definition.label, "id": record["id"],
                             "title": _title(obj, record), "record": record})
        return hits


def _projected(obj: Any, names: tuple[str, ...]) -> Any:
    """The object with only the fields a projection reads, so rows convert only those (a list page
    asks for a few columns of a wide object)."""
    wanted = set(names)
    return replace(obj, fields=MappingProxyType({n: f for n, f in obj.fields.items() if n in wanted}))


def _title(obj: Any, record: Mapping[str, Any]) -> str:
    name_field = obj.definition.name_field
    value = record.get(name_field) if name_field else None
    return str(value) if value is not None else f"{obj.definition.label} #{record['id']}"

