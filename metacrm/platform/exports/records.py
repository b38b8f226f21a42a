"""A whole object's records as one actor may read them, page by page, for any export format.

Every page comes through :class:`RecordReader`, the path the list API uses, so
object and record permissions, hidden fields, masking and the access log apply
to an export exactly as to a list: an export can never show more than paging
through the API would.
"""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from ..records import Actor
from ..runtime import Platform
from .formats import ExportSource

PAGE = 200


def export_source(platform: Platform, actor: Actor, object_name: str,
                  params: Mapping[str, Any] | None = None, *, purpose: str = "export") -> ExportSource:
    """The records of ``object_name`` that ``actor`` may read (filters from ``params``), first page read now
    so a bad object or query fails before anything is streamed."""
    reader = platform.records.reader
    query = {k: v for k, v in (params or {}).items() if k not in ("limit", "cursor", "offset", "fields", "format")}
    query.setdefault("sort", "id")
    first = reader.list(actor, object_name, {**query, "limit": str(PAGE), "count": "0"}, purpose=purpose)
    live = platform.schema.get()
    obj = live.compiled.objects[object_name]
    hidden = platform.records.hooks.hidden_fields(actor, live.compiled, obj)
    fields = ("id", *(n for n in obj.fields if n not in hidden),
              *(s for s in ("owner", "created_at", "updated_at", "version")))

    def records() -> Iterator[dict[str, Any]]:
        page = first
        while True:
            yield from page.records
            if not page.next_cursor:
                return
            page = reader.list(actor, object_name, {**query, "limit": str(PAGE), "count": "0",
                                                      "cursor": page.next_cursor}, purpose=purpose)

    return ExportSource(obj, tuple(dict.fromkeys(fields)), records(), platform.records.json_encoder(object_name))
