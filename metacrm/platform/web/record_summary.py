"""A record page's configured summary (a "Customer 360"): header KPIs, chosen related lists, an activity timeline.

Driven by the object's ``record_page`` metadata (``metacrm/metadata/record_pages.py``).
Every number and row is read as the signed-in user through the record reader,
so record- and field-level security apply as on any list: a section whose
object the user may not read (or whose lookup is hidden from them) is left
out, and so are the KPIs computed from it; a KPI field hidden from them is
left out too. The timeline merges the timeline object's records that point at
this record or at its related records (an account's contacts, opportunities
and cases), newest first, in pages, with one query: an ``or`` of ``__in``
filters on the timeline's lookups.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Mapping
from urllib.parse import urlencode

from markupsafe import Markup, escape

from metacrm.metadata.compiled import CompiledObject
from metacrm.metadata.record_pages import KpiDef, RecordPageDef, RelatedSectionDef, TimelineDef, included_relation, reach

from ..errors import PlatformError
from ..records.hooks import AccessRequest
from .forms.display import show
from .record_context import RecordContext, lookup_labels, title_of, titles
from .record_page import RelatedList, _columns

#: How many records of each included object the timeline follows (an account's first 100 contacts, say).
MAX_INCLUDED = 100
TIMELINE_PAGE_ARG = "timeline_page"


@dataclass
class Kpi:
    label: str
    value: Markup
    key: str


@dataclass
class TimelineItem:
    record: dict[str, Any]
    title: str
    url: str
    when: dt.datetime | dt.date | None
    regarding: list[Markup] = field(default_factory=list)


@dataclass
class ActivityTimeline:
    obj: CompiledObject
    title: str
    items: list[TimelineItem]
    page: int
    has_more: bool
    badges: list[tuple[str, str]]  # (field, label) shown as small badges: type, status

    def badge(self, item: TimelineItem, name: str) -> Markup:
        return show(self.obj, name, item.record, labels={})


@dataclass
class Summary:
    kpis: list[Kpi]
    related: list[RelatedList]
    timeline: ActivityTimeline | None


def summary_for(ctx: RecordContext, record: Mapping[str, Any], args: Mapping[str, Any]) -> Summary | None:
    page: RecordPageDef | None = getattr(ctx.obj.definition, "record_page", None)
    if page is None:
        return None
    sections = {s.key: (s, lst) for s in page.related if (lst := _section(ctx, record, s)) is not None}
    kpis = [k for i, kpi in enumerate(page.kpis) if (k := _kpi(ctx, record, kpi, sections, i)) is not None]
    timeline = _timeline(ctx, record, page.timeline, args) if page.timeline is not None else None
    return Summary(kpis, [lst for _, lst in sections.values()], timeline)


def _readable(ctx: RecordContext, obj: CompiledObject) -> frozenset[str] | None:
    """The fields of ``obj`` hidden from the actor, or None when they may not read it at all."""
    hooks, schema = ctx.platform.records.hooks, ctx.live.compiled
    try:
        hooks.check(AccessRequest("read", ctx.actor, obj, schema=schema))
    except PlatformError:
        return None
    return hooks.hidden_fields(ctx.actor, schema, obj)


def _section_params(s: RelatedSectionDef, record_id: int) -> dict[str, str]:
    return {**s.filter, s.via: str(record_id)}


def _section(ctx: RecordContext, record: Mapping[str, Any], s: RelatedSectionDef) -> RelatedList | None:
    child = ctx.live.compiled.object(s.object)
    hidden = _readable(ctx, child) if child is not None else None
    if child is None or hidden is None or s.via in hidden:
        return None
    params = _section_params(s, record["id"])
    try:
        found = ctx.platform.records.reader.list(ctx.actor, child.name, {
            **params, "limit": str(s.limit), "count": "true", "sort": s.sort}, live=ctx.live)
    except PlatformError:
        return None  # a filter on a field hidden from this user, say: the section is not theirs to see
    names = [c for c in s.columns if c not in hidden and c in child.fields] if s.columns else []
    columns = [(n, child.fields[n].definition.label) for n in names] or _columns(child, s.via, hidden)
    sub = RecordContext(ctx.platform, ctx.actor, ctx.live, child, ctx.layout, hidden)
    return RelatedList(
        obj=child, field=s.via, title=s.title or child.definition.plural_label, columns=columns,
        rows=found.records, total=found.total, labels=lookup_labels(sub, child, found.records),
        can_create=sub.allows("create") and sub.allows("create", (s.via,)),
        view_all_url=f"/o/{child.name}?{urlencode(params)}",
        new_url=f"/o/{child.name}/new?{urlencode({s.via: record['id']})}")


def _kpi(ctx: RecordContext, record: Mapping[str, Any], kpi: KpiDef,
         sections: Mapping[str, tuple[RelatedSectionDef, RelatedList]], index: int) -> Kpi | None:
    if kpi.section is None:
        name = kpi.field or ""
        if name in ctx.hidden or name not in ctx.obj.fields or name not in record:
            return None
        labels = lookup_labels(ctx, ctx.obj, [record])
        return Kpi(kpi.label, show(ctx.obj, name, record, labels=labels), f"kpi-{index}")
    found = sections.get(kpi.section)
    if found is None:
        return None  # the section is not shown to this user: neither is what it adds up to
    s, lst = found
    if kpi.function == "count":
        return Kpi(kpi.label, escape(f"{lst.total if lst.total is not None else len(lst.rows)}"), f"kpi-{index}")
    try:
        page = ctx.platform.records.reader.list(ctx.actor, s.object, {
            **_section_params(s, record["id"]), "agg": f"sum:{kpi.field}"}, live=ctx.live)
    except PlatformError:
        return None  # the summed field is hidden from this user
    total = (page.groups or [{}])[0].get(f"sum:{kpi.field}")
    return Kpi(kpi.label, show(lst.obj, kpi.field or "", {kpi.field: total or 0}, labels={}), f"kpi-{index}")


def _timeline(ctx: RecordContext, record: Mapping[str, Any], t: TimelineDef,
              args: Mapping[str, Any]) -> ActivityTimeline | None:
    schema = ctx.live.compiled
    target = schema.object(t.object)
    hidden = _readable(ctx, target) if target is not None else None
    if target is None or hidden is None:
        return None
    members: dict[str, list[int]] = {ctx.obj.name: [record["id"]]}
    for name in t.include_related:
        child = schema.object(name)
        rel = included_relation(child.definition, ctx.obj.name) if child is not None else None
        child_hidden = _readable(ctx, child) if child is not None else None
        if rel is None or child_hidden is None or rel.name in child_hidden:
            continue
        try:  # only the related records this user may read bring their activities along
            rows = ctx.platform.records.reader.list(ctx.actor, name, {
                rel.name: str(record["id"]), "limit": str(MAX_INCLUDED), "sort": "-id"}, live=ctx.live).records
        except PlatformError:
            continue
        members[name] = [r["id"] for r in rows]
    alternatives = []
    for via in t.via:
        f = target.fields.get(via)
        if f is None or via in hidden:
            continue
        d = f.definition
        values = [f"{obj}:{rid}" if d.type == "polymorphic_lookup" else str(rid)
                  for obj, ids in members.items() if reach(d, obj) for rid in ids]
        if values:
            alternatives.append(f"{via}__in={','.join(values)}")
    if not alternatives:
        return None
    page = _page_number(args)
    try:
        found = ctx.platform.records.reader.list(ctx.actor, target.name, {
            "or": "|".join(alternatives), "sort": "-created_at", "limit": str(t.page_size + 1),
            "offset": str((page - 1) * t.page_size)}, live=ctx.live)
    except PlatformError:
        return None
    rows = found.records[:t.page_size]
    return ActivityTimeline(target, t.title or target.definition.plural_label, _items(ctx, target, t, rows, hidden),
                            page, len(found.records) > t.page_size,
                            [(n, target.fields[n].definition.label) for n in ("type", "status")
                             if n in target.fields and n not in hidden])


def _page_number(args: Mapping[str, Any]) -> int:
    raw = str(args.get(TIMELINE_PAGE_ARG, "1"))
    return min(int(raw), 1000) if raw.isdigit() and int(raw) > 0 else 1


def _items(ctx: RecordContext, target: CompiledObject, t: TimelineDef, rows: list[dict[str, Any]],
           hidden: frozenset[str]) -> list[TimelineItem]:
    wanted: dict[str, set[int]] = {}
    for row in rows:
        for via in t.via:
            value = row.get(via)
            if isinstance(value, Mapping) and isinstance(value.get("id"), int):
                wanted.setdefault(value["object"], set()).add(value["id"])
            elif isinstance(value, int) and target.fields[via].definition.target:
                wanted.setdefault(target.fields[via].definition.target, set()).add(value)
    names = titles(ctx, wanted)
    items = []
    for row in rows:
        item = TimelineItem(row, title_of(target, row), f"/o/{target.name}/{row['id']}", _when(target, row))
        for via in t.via:
            value = row.get(via)
            ref = (value.get("object"), value.get("id")) if isinstance(value, Mapping) else \
                (target.fields[via].definition.target, value) if isinstance(value, int) else None
            if ref is None or ref[0] is None:
                continue
            obj = ctx.live.compiled.object(ref[0])
            label = names.get(ref) or f"{obj.definition.label if obj else ref[0]} #{ref[1]}"
            item.regarding.append(Markup('<a href="/o/{0}/{1}">{2}</a>').format(ref[0], ref[1], label))
        items.append(item)
    return items


def _when(target: CompiledObject, row: Mapping[str, Any]) -> dt.datetime | dt.date | None:
    """When the entry happened: its first date field with a value (a start, a due date), else when it was recorded."""
    for f in target.definition.fields:
        value = row.get(f.name)
        if f.type in ("date", "datetime") and isinstance(value, (dt.datetime, dt.date)):
            return value
    value = row.get("created_at")
    return value if isinstance(value, dt.datetime) else None
