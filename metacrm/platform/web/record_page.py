"""The parts of a record page around its details: related lists and the activity timeline.

Related lists are read with the reader's ``related`` (first five rows, newest
first, with a total), so record-level security and hidden fields apply as in
the API; a child object the user may not read is simply not listed. The
timeline is the record's field history through the same function the history
endpoint uses (``AuditService.history`` + ``masking.history_entries``), so
hidden fields are left out and masked ones stay masked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Mapping
from urllib.parse import urlencode

from flask_babel import gettext as _
from markupsafe import Markup, escape

from metacrm.metadata.compiled import CompiledObject

from ..errors import PlatformError
from ..records.hooks import AccessRequest
from ..security import masking
from .forms.display import Labels, empty, show
from .record_context import RecordContext, lookup_labels, user_names

RELATED_ROWS = 5
TIMELINE_ENTRIES = 25
RELATED_COLUMNS = 4
NOT_COLUMNS = ("long_text", "rich_text", "multi_picklist", "file", "polymorphic_lookup")


@dataclass
class RelatedList:
    obj: CompiledObject
    field: str
    title: str
    columns: list[tuple[str, str]]
    rows: list[dict[str, Any]]
    total: int | None
    labels: Labels
    can_create: bool
    view_all_url: str
    new_url: str

    def cell(self, record: Mapping[str, Any], name: str) -> Markup:
        return show(self.obj, name, record, labels=self.labels)


@dataclass
class TimelineEntry:
    operation: str
    who: str
    at: dt.datetime | None
    changes: list[tuple[str, Markup, Markup]] = field(default_factory=list)


def related_lists(ctx: RecordContext, record: Mapping[str, Any]) -> list[RelatedList]:
    lists: list[RelatedList] = []
    hooks, schema = ctx.platform.records.hooks, ctx.live.compiled
    children = ctx.obj.children
    repeated = {c.object for c in children if sum(1 for d in children if d.object == c.object) > 1}
    for relation in children:
        child = schema.objects[relation.object]
        try:
            hooks.check(AccessRequest("read", ctx.actor, child, schema=schema))
        except PlatformError:
            continue
        hidden = hooks.hidden_fields(ctx.actor, schema, child)
        if relation.field in hidden:
            continue
        try:
            page = ctx.platform.records.reader.related(
                ctx.actor, ctx.obj.name, record["id"], child.name,
                {"via": relation.field, "limit": str(RELATED_ROWS), "count": "true", "sort": "-id"}, live=ctx.live,
                parent_checked=True)
        except PlatformError:
            continue
        title = child.definition.plural_label
        if relation.object in repeated:
            title = f"{title} ({child.fields[relation.field].definition.label})"
        sub = RecordContext(ctx.platform, ctx.actor, ctx.live, child, ctx.layout, hidden)
        columns = _columns(child, relation.field, hidden)
        lists.append(RelatedList(
            obj=child, field=relation.field, title=title, columns=columns,
            rows=page.records, total=page.total, labels=lookup_labels(sub, child, page.records,
                                                                      only=[name for name, _ in columns]),
            can_create=sub.allows("create") and sub.allows("create", (relation.field,)),
            view_all_url=f"/o/{child.name}?{urlencode({relation.field: record['id']})}",
            new_url=f"/o/{child.name}/new?{urlencode({relation.field: record['id']})}"))
    return lists


def _columns(child: CompiledObject, via: str, hidden: frozenset[str]) -> list[tuple[str, str]]:
    """The child's name field, then its first few short fields (not the lookup back to this record)."""
    name_field = child.definition.name_field
    names = [name_field] if name_field and name_field not in hidden else []
    for f in child.definition.fields:
        if len(names) >= RELATED_COLUMNS:
            break
        if f.name in names or f.name == via or f.name in hidden or f.type in NOT_COLUMNS:
            continue
        names.append(f.name)
    return [(n, child.fields[n].definition.label) for n in names]


def timeline(ctx: RecordContext, record_id: int) -> list[TimelineEntry]:
    """Newest first: who did what, when, and each visible field's old → new value."""
    page = ctx.platform.audit.history(ctx.obj.name, record_id, limit=TIMELINE_ENTRIES)
    entries = masking.history_entries(ctx.actor, ctx.live.compiled, ctx.obj, page.entries, ctx.hidden)
    names = user_names(ctx.platform, [e.get("actor_id") for e in entries])
    out = []
    for entry in entries:
        who = names.get(entry.get("actor_id"), _("MetaCRM") if entry.get("actor_id") is None else _("A former user"))
        item = TimelineEntry(entry["operation"], who, _parse_at(entry.get("at")))
        if entry["operation"] == "update":
            for name, pair in (entry.get("changes") or {}).items():
                old, new = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
                item.changes.append((_label(ctx.obj, name), _history_value(ctx, name, old),
                                     _history_value(ctx, name, new)))
        out.append(item)
    return out


def _label(obj: CompiledObject, name: str) -> str:
    f = obj.fields.get(name)
    return f.definition.label if f is not None else name.replace("_", " ").capitalize()


def _parse_at(text: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None


def _history_value(ctx: RecordContext, name: str, value: Any) -> Markup:
    """A JSON-form history value shown like the field shows it (typed again through the field type)."""
    if value is None or value == "" or value == []:
        return empty()
    if getattr(value, "masked", False):
        return escape(value)
    compiled = ctx.obj.fields.get(name)
    if compiled is None:
        return escape(str(value))
    try:
        typed = compiled.field_type.coerce(value, compiled.definition)
    except Exception:  # a value from an older type of the field: shown as recorded
        return escape(str(value))
    return show(ctx.obj, name, {name: typed}, labels={})
