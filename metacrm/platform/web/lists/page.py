"""Building one list page: choose the view, read the records, name what they point at.

Shared by the list page, its CSV export and the kanban board, so all three
pick views, apply permissions and format values identically. Records come
only from :class:`RecordReader` (permissions, record-level access and the
access log apply); the names of looked-up records are read through it too,
so a lookup to a record the user may not read shows its number, not its name.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable, Iterable, Mapping

from flask import current_app, g, has_app_context

from metacrm.metadata.compiled import CompiledObject, CompiledSchema
from metacrm.metadata.list_views import VIEW_SYSTEM_FIELDS, ViewDef, views_of

from ...errors import PlatformError
from ...records.actor import Actor
from ...records.hooks import AccessRequest
from ...records.reading import Page
from ...schema_cache import LiveSchema
from .cells import REFERENCE_TYPES, USER_COLUMNS, Column, Names, column_of
from .saved_views import PREFIX, SavedView, SavedViews
from .state import ListState, read_state

MAX_NAME_LOOKUP = 200


@dataclass
class Context:
    """What a list page needs from the platform for one request."""

    platform: Any
    actor: Actor
    live: LiveSchema
    obj: CompiledObject
    visible: tuple[str, ...]  # the columns this actor may read, in definition order

    @property
    def schema(self) -> CompiledSchema:
        return self.live.compiled

    @property
    def reader(self) -> Any:
        return self.platform.records.reader

    def list(self, object_name: str, params: Mapping[str, Any], **options: Any) -> Page:
        """``RecordReader.list`` as this actor, in the schema version this request started with."""
        return self.reader.list(self.actor, object_name, params, live=self.live, **options)


def live_schema(platform: Any) -> LiveSchema:
    """The compiled schema of this request: the metadata version is checked once per request, not per read."""
    if not has_app_context():
        return platform.metadata.current()
    if "metacrm_live" not in g:
        g.metacrm_live = platform.metadata.current()
    return g.metacrm_live


def context_for(platform: Any, actor: Actor, object_name: str) -> Context:
    """The object as this actor sees it; 404 for an unknown object, 403 without read access."""
    from ...records.errors import RecordNotFound

    live = live_schema(platform)
    obj = live.compiled.object(object_name)
    if obj is None:
        raise RecordNotFound(f'there is no object "{object_name}"')
    platform.records.hooks.check(AccessRequest("read", actor, obj, schema=live.compiled))
    hidden = platform.records.hooks.unqueryable_fields(actor, live.compiled, obj)
    fields = [n for n in obj.fields if n not in hidden]
    return Context(platform, actor, live, obj, tuple([*fields, *VIEW_SYSTEM_FIELDS]))


def may(ctx: Context, action: str) -> bool:
    try:
        ctx.platform.records.hooks.check(AccessRequest(action, ctx.actor, ctx.obj, schema=ctx.schema))
    except PlatformError:
        return False
    return True


@dataclass
class Views:
    shared: list[ViewDef]
    current: ViewDef
    load_personal: Callable[[], list[SavedView]]

    @cached_property
    def personal(self) -> list[SavedView]:
        """The user's own views: read only when shown (the view picker) or opened, not for every htmx swap."""
        return self.load_personal()


def choose_view(ctx: Context, key: str | None) -> Views:
    """The metadata views shared with the actor, their personal views, and the one asked for."""
    shared = [v for v in views_of(ctx.obj.definition) if v.shared_with(ctx.actor.roles, is_admin=ctx.actor.is_admin)]
    if not shared:  # every view is shared with other roles: this user still gets the derived one
        shared = [_fallback(ctx)]
    views = Views(shared, shared[0], lambda: SavedViews(ctx.platform.engine).list(ctx.actor.id, ctx.obj.name)
                  if ctx.actor.id else [])
    default = views.current = next((v for v in shared if v.default), shared[0])
    if key and key.startswith(PREFIX):
        found = next((v for v in views.personal if v.key == key), None)
        views.current = found.as_view(default.page_size) if found else default
    elif key:
        views.current = next((v for v in shared if v.name == key), default)
    return views


def _fallback(ctx: Context) -> ViewDef:
    from metacrm.metadata.list_views import default_view

    return default_view(ctx.obj.definition)


def state_for(ctx: Context, args: Any) -> tuple[Views, ListState]:
    views = choose_view(ctx, (args.get("view") or "").strip() or None)
    return views, read_state(ctx.obj, views.current, args, ctx.visible)


#: Lists count matches up to here and then say "10,000+": an exact count walks every matching row.
COUNT_CAP = 10_000


def read_page(ctx: Context, state: ListState, *, count: bool = True, extra_fields: Iterable[str] = (),
              limit: int | None = None) -> Page:
    return ctx.list(ctx.obj.name, state.query_params(count=count, extra_fields=tuple(extra_fields), limit=limit),
                    count_cap=COUNT_CAP)


def resolve_names(ctx: Context, columns: list[Column], records: list[Mapping[str, Any]]) -> Names:
    """Names of the records the lookup columns point at, and of the users in user columns."""
    wanted: dict[str, set[int]] = {}
    user_ids: set[int] = set()
    for column in columns:
        for record in records:
            value = record.get(column.name)
            if value is None:
                continue
            if column.kind == "user":
                user_ids.add(int(value))
            elif column.kind in REFERENCE_TYPES and column.definition.target:
                wanted.setdefault(column.definition.target, set()).add(int(value))
    names: dict[tuple[str, int], str] = {}
    for target, ids in wanted.items():
        names.update(_record_names(ctx, target, sorted(ids)[:MAX_NAME_LOOKUP]))
    return Names(names, ctx.platform.users.display_names(user_ids) if user_ids else {})


def _record_names(ctx: Context, target: str, ids: list[int]) -> dict[tuple[str, int], str]:
    obj = ctx.schema.objects.get(target)
    name_field = obj.definition.name_field if obj else None
    if not obj or not name_field or not ids:
        return {}
    try:
        page = ctx.list(target, {"id__in": ",".join(map(str, ids)), "fields": name_field, "limit": str(len(ids))})
    except PlatformError:  # no read access to the target, or its name field is hidden: numbers it is
        return {}
    return {(target, r["id"]): str(r[name_field]) for r in page.records if r.get(name_field) not in (None, "")}


def platform() -> Any:
    return current_app.extensions["metacrm"]


@dataclass
class Row:
    """One record as the table shows it: ``cells`` is the markup of its cells (see ``table.row_cells``)."""

    id: int
    cells: Any
    record: Mapping[str, Any]
    error: str = ""


def name_column(ctx: Context, state: ListState) -> str | None:
    """The column linked to the record page: the name field, or else the first column."""
    name_field = ctx.obj.definition.name_field
    names = [c.name for c in state.columns]
    return name_field if name_field in names else (names[0] if names else None)


def listable_columns(ctx: Context) -> list[Column]:
    """Every column the actor may add with the column picker (long texts and files are left out)."""
    out = []
    for name in ctx.visible:
        column = column_of(ctx.obj, name)
        if column and column.type not in ("long_text", "rich_text", "file") and name not in USER_COLUMNS[1:]:
            out.append(column)
    return out
