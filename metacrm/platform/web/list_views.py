"""List pages: ``GET /o/<object>`` with views, sorting, filters, search, paging and bulk actions.

The page is rendered on the server; htmx swaps ``#list-results`` for every
sort, filter or page change and the server answers with ``HX-Push-Url`` set
to the canonical URL of the new state, so the address bar always describes
the list on screen and back/forward replay it. Records are read only through
:class:`RecordReader` and written only through :class:`RecordService`, so
field, object and record permissions apply to every cell and every bulk edit.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required
from werkzeug.datastructures import MultiDict

from ..errors import PlatformError
from ..query import QueryError
from .lists import cells
from .lists.filters import control_for, describe
from .lists.page import (COUNT_CAP, Context, Row, context_for, listable_columns, may, name_column, platform, read_page,
                         resolve_names, state_for)
from .lists.saved_views import SavedViews
from .lists.state import MAX_BACK, ListState, sortable
from .lists.table import row_cells
from .session import current_actor

bp = Blueprint("web_lists", __name__, template_folder="templates")

BULK_TYPES = ("text", "email", "phone", "url", "integer", "decimal", "currency", "percent", "date", "datetime",
              "boolean", "picklist", "long_text")
MAX_BULK = 200


@bp.get("/o/<object_name>")
@login_required
def list_page(object_name: str) -> Any:
    ctx = context_for(platform(), current_actor(), object_name)
    views, state = state_for(ctx, request.args)
    data = _results(ctx, state, count=request.args.get("count") == "1")
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "list-results":
        response = platform_response(render_template("web/lists/_results.html", **data))
    else:
        response = platform_response(render_template("web/lists/list.html", views=views, **data))
    response.headers["HX-Push-Url"] = state.url()
    return response


@bp.get("/o/<object_name>/count")
@login_required
def list_count(object_name: str) -> Any:
    """"1–50 of 1,234" for the list with this query string: fetched by the page after it is shown.

    Counting walks every matching row (up to the cap), often more work than the page itself,
    so the page is sent without it and htmx asks for it here (``hx-trigger="load"``).
    """
    ctx = context_for(platform(), current_actor(), object_name)
    _views, state = state_for(ctx, request.args)
    try:
        total = read_page(ctx, state, count=True, limit=0).total or 0
    except QueryError:
        total = 0
    start = state.page_index * state.view.page_size
    last = min(start + state.view.page_size, total)
    return render_template("web/lists/_count.html", total=total, count_cap=COUNT_CAP, first=start + 1 if last > start
                           else 0, last=last)


def platform_response(body: str) -> Any:
    response = make_response(body)
    response.headers["Vary"] = "HX-Request, HX-Target"
    return response


def _results(ctx: Context, state: ListState, *, message: str = "", message_kind: str = "success",
             row_errors: dict[int, str] | None = None, count: bool = False) -> dict[str, Any]:
    """Everything ``_results.html`` shows: rows, headers, filters, paging, and any error of the query.

    The total is counted only when asked (``count``) or when the page itself tells it (the
    last page); otherwise the page names ``count_url``, which the browser fetches after it.
    """
    error, page = "", None
    try:
        page = read_page(ctx, state, count=count)
    except QueryError as exc:
        details = [f"{e.get('parameter')}: {e.get('message')}" for e in exc.errors] or [exc.detail]
        error = "; ".join(details)
    records = page.records if page else []
    names = resolve_names(ctx, state.columns, records)
    link = name_column(ctx, state)
    link_index = next((i for i, c in enumerate(state.columns) if c.name == link), -1)
    formats = cells.cell_formats(ctx.obj, state.columns)
    errors = row_errors or {}
    d = ctx.obj.definition
    rows = [Row(r["id"], row_cells(formats, link_index, r, names, f"/o/{d.name}/{r['id']}", f"{d.label} #{r['id']}",
                                   errors.get(r["id"], "")), r, errors.get(r["id"], "")) for r in records]
    all_columns = listable_columns(ctx)
    by_name = {c.name: c for c in all_columns}
    view_filters = [describe(k, v, by_name) for k, v in state.view.filters.items() if k != "q" or not v]
    if state.view.filters.get("q"):
        view_filters.append(_('Search "%(q)s"', q=state.view.filters["q"]))
    start = state.page_index * state.view.page_size
    total = page.total if page else 0
    if page and total is None and not page.next_cursor and len(state.back) < MAX_BACK:
        total = start + len(rows)  # the last page: everything before it was full pages
    return {
        "ctx": ctx, "obj": ctx.obj, "state": state, "rows": rows, "link_column": link, "error": error,
        "total": total, "count_cap": COUNT_CAP, "count_url": _sibling_url(ctx, state, "count")
        if total is None else None, "next_url": state.next_url(page.next_cursor) if page and page.next_cursor
        else None, "previous_url": state.previous_url(), "first": start + 1 if rows else 0, "last": start + len(rows),
        "controls": {c.name: control_for(c, ctx.schema) for c in state.columns}, "sortable": sortable,
        "words": _column_words(),
        "all_columns": all_columns, "view_filters": view_filters, "message": message,
        "message_kind": message_kind, "can_create": may(ctx, "create"), "can_update": may(ctx, "update"),
        "can_delete": may(ctx, "delete"), "bulk_fields": _bulk_fields(ctx), "kanban_field": kanban_field(ctx),
        "clear_url": state.url(q=None, cursor=None, **{k: None for k in state.filters}),
        "export_url": _sibling_url(ctx, state, "export.csv"), "count_link": state.url(count="1"),
    }


def _column_words() -> dict[str, str]:
    """Words the table repeats per column or row, translated once per page (labels go in with ``format``)."""
    return {"sort": _("sort"), "filter": _("Filter"), "filter_by": _("Filter by %(label)s"), "any": _("Any"),
            "range_from": _("%(label)s from"), "range_to": _("%(label)s to"), "min": _("min"), "max": _("max"),
            "select_row": _("Select row %(id)s")}


def _sibling_url(ctx: Context, state: ListState, path: str) -> str:
    """The URL of ``/o/<object>/<path>`` for the list on screen (same query string)."""
    return state.url().replace(f"/o/{ctx.obj.name}", f"/o/{ctx.obj.name}/{path}", 1)


def _bulk_fields(ctx: Context) -> list[Any]:
    out = []
    for name in ctx.visible:
        compiled = ctx.obj.fields.get(name)
        if compiled and not compiled.field_type.computed and compiled.definition.type in BULK_TYPES:
            out.append(compiled.definition)
    return out


def kanban_field(ctx: Context) -> str | None:
    """The first picklist the actor can see: the list page links to a board grouped by it."""
    for name in ctx.visible:
        compiled = ctx.obj.fields.get(name)
        if compiled and compiled.definition.type == "picklist":
            return name
    return None


def _posted_state(ctx: Context) -> tuple[Any, ListState]:
    """The list state a bulk form was sent from (its query string rides along as ``state``)."""
    args = MultiDict(parse_qsl(request.form.get("state", ""), keep_blank_values=True))
    return state_for(ctx, args)


def _ids() -> list[int]:
    ids = [int(i) for i in request.form.getlist("ids") if i.isdigit()]
    if len(ids) > MAX_BULK:
        abort(400)
    return list(dict.fromkeys(ids))


@bp.get("/o/<object_name>/bulk-value")
@login_required
def bulk_value(object_name: str) -> Any:
    """The value input for the field chosen in the bulk-edit bar (a select for choices and yes/no)."""
    ctx = context_for(platform(), current_actor(), object_name)
    field = next((f for f in _bulk_fields(ctx) if f.name == request.args.get("field")), None)
    return render_template("web/lists/_bulk_value.html", field=field)


@bp.post("/o/<object_name>/bulk-edit")
@login_required
def bulk_edit(object_name: str) -> Any:
    """Set one field on the selected rows; rows that fail are reported on the row, the others saved."""
    ctx = context_for(platform(), current_actor(), object_name)
    _views, state = _posted_state(ctx)
    ids, field = _ids(), request.form.get("field", "")
    if not ids or field not in {f.name for f in _bulk_fields(ctx)}:
        data = _results(ctx, state, message=_("Choose some rows and a field first."), message_kind="warning")
        return render_template("web/lists/_results.html", **data)
    value: Any = request.form.get("value", "")
    value = None if value == "" else value
    try:
        result = ctx.platform.records.bulk_update(ctx.actor, ctx.obj.name, [{"id": i, field: value} for i in ids],
                                                  all_or_nothing=False)
        failed = {ids[e["index"]]: _row_error(e) for e in result.errors}
        saved = len(result.records)
    except PlatformError as exc:  # refused as a whole (e.g. no update permission)
        failed, saved = {i: exc.detail for i in ids}, 0
    label = ctx.obj.fields[field].definition.label
    message = ngettext("%(num)d record updated (%(field)s).", "%(num)d records updated (%(field)s).", saved,
                       field=label)
    if failed:
        message += " " + ngettext("%(num)d record was not changed — see the highlighted row.",
                                  "%(num)d records were not changed — see the highlighted rows.", len(failed))
    data = _results(ctx, state, message=message, message_kind="warning" if failed else "success",
                    row_errors=failed, count=True)  # a bulk change: the new total at once
    return render_template("web/lists/_results.html", **data)


def _row_error(error: dict[str, Any]) -> str:
    fields = error.get("errors") or []
    if fields:
        return "; ".join(f"{e.get('field')}: {e.get('message')}" for e in fields)
    return str(error.get("detail") or _("not saved"))


@bp.post("/o/<object_name>/bulk-delete")
@login_required
def bulk_delete(object_name: str) -> Any:
    """Move the selected rows to the recycle bin, one by one through the service; refusals stay listed."""
    ctx = context_for(platform(), current_actor(), object_name)
    _views, state = _posted_state(ctx)
    failed: dict[int, str] = {}
    deleted = 0
    for record_id in _ids():
        try:
            ctx.platform.records.delete(ctx.actor, ctx.obj.name, record_id)
            deleted += 1
        except PlatformError as exc:
            failed[record_id] = exc.detail
    message = ngettext("%(num)d record moved to the recycle bin.", "%(num)d records moved to the recycle bin.",
                       deleted)
    if failed:
        message += " " + ngettext("%(num)d record could not be deleted — see the highlighted row.",
                                  "%(num)d records could not be deleted — see the highlighted rows.", len(failed))
    data = _results(ctx, state, message=message, message_kind="warning" if failed else "success",
                    row_errors=failed, count=True)  # a bulk change: the new total at once
    return render_template("web/lists/_results.html", **data)


@bp.post("/o/<object_name>/views")
@login_required
def save_view(object_name: str) -> Any:
    """Save the list as the user's own view (same label: replaced) and open it."""
    ctx = context_for(platform(), current_actor(), object_name)
    _views, state = _posted_state(ctx)
    label = request.form.get("label", "").strip()
    if not label:
        flash(_("Give your view a name."), "warning")
        return redirect(state.url())
    try:
        saved = SavedViews(ctx.platform.engine).save(ctx.actor.id, ctx.obj.name, label, state.saved_state())
    except ValueError as exc:
        flash(str(exc), "warning")
        return redirect(state.url())
    flash(_('Saved the view "%(label)s".', label=saved.label), "success")
    return redirect(f"/o/{ctx.obj.name}?view={saved.key}")


@bp.post("/o/<object_name>/views/<int:view_id>/delete")
@login_required
def delete_view(object_name: str, view_id: int) -> Any:
    ctx = context_for(platform(), current_actor(), object_name)
    if SavedViews(ctx.platform.engine).delete(ctx.actor.id, ctx.obj.name, view_id):
        flash(_("The view was deleted."), "success")
    return redirect(f"/o/{ctx.obj.name}")
