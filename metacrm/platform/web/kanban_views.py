"""Kanban boards: ``GET /o/<object>/kanban?by=<picklist>`` and the card moves dropped on them.

A board is a list grouped by one picklist: a column per choice, in the
admin's order (inactive choices only while records still hold them), with
the number of cards and, when the object has a currency field, their sum —
both from one grouped query, so they count every matching record, not only
the cards shown. Dropping a card posts the move (with the card's version)
to the record service, the one write path, so validation, permissions and
optimistic locking decide; a refused move comes back with the reason and
the board puts the card back where it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, render_template, request
from flask_babel import format_currency
from flask_babel import gettext as _
from flask_login import login_required

from metacrm.metadata.definitions import FieldDef
from metacrm.metadata.list_views import views_of

from ..errors import PlatformError
from ..records.errors import RecordInvalid
from .lists import cells
from .lists.cells import Column, column_of
from .lists.page import Context, context_for, may, platform, resolve_names, state_for
from .lists.state import ListState
from .session import current_actor

bp = Blueprint("web_kanban", __name__, template_folder="templates")

CARDS_PER_COLUMN = 25
CARD_FIELDS = 3
NO_VALUE = ""


@dataclass
class BoardColumn:
    value: str  # "" for records without a value
    label: str
    color: str | None
    count: int = 0
    total: Decimal | None = None
    cards: list[dict[str, Any]] = field(default_factory=list)


def _picklists(ctx: Context) -> list[FieldDef]:
    return [ctx.obj.fields[n].definition for n in ctx.visible
            if n in ctx.obj.fields and ctx.obj.fields[n].definition.type == "picklist"]


def _sum_field(ctx: Context) -> Column | None:
    for name in ctx.visible:
        compiled = ctx.obj.fields.get(name)
        if compiled and compiled.definition.type == "currency":
            return column_of(ctx.obj, name)
    return None


def _card_columns(ctx: Context, by: str) -> list[Column]:
    """The name field and up to three key fields of the default view (never the grouping field)."""
    default = views_of(ctx.obj.definition)[0]
    names = [n for n in default.columns if n in ctx.visible and n != by]
    name_field = ctx.obj.definition.name_field
    rest = [n for n in names if n != name_field][:CARD_FIELDS]
    chosen = ([name_field] if name_field in ctx.visible else []) + rest
    return [c for c in (column_of(ctx.obj, n) for n in chosen) if c]


@bp.get("/o/<object_name>/kanban")
@login_required
def board(object_name: str) -> Any:
    ctx = context_for(platform(), current_actor(), object_name)
    picklists = _picklists(ctx)
    if not picklists:
        abort(404)
    by = next((f for f in picklists if f.name == request.args.get("by")), picklists[0])
    args = request.args.copy()
    args.poplist("by")  # the board's own parameter; the rest filter the cards as on the list
    _views, state = state_for(ctx, args)
    state.columns = _card_columns(ctx, by.name)
    money = _sum_field(ctx)
    error = ""
    try:
        columns = _columns(ctx, state, by, money)
    except PlatformError as exc:
        columns, error = [], exc.detail
    return render_template("web/kanban/board.html", obj=ctx.obj, by=by, picklists=picklists, columns=columns,
                           money=money, error=error, can_update=may(ctx, "update"), state=state,
                           card_columns=state.columns, ctx=ctx, format_currency=format_currency, words=card_words())


def card_words() -> dict[str, str]:
    """The words on every card, translated once per board (the title goes into ``move`` per card)."""
    return {"drag": _("Drag to move"), "move": _("Move %(title)s to…")}


def _columns(ctx: Context, state: ListState, by: FieldDef, money: Column | None) -> list[BoardColumn]:
    params = state.query_params(count=False)
    for key in ("sort", "limit", "fields", "cursor"):
        params.pop(key, None)
    params["group_by"] = [by.name]
    params["agg"] = ["count"] + ([f"sum:{money.name}"] if money else [])
    groups = ctx.list(ctx.obj.name, params).groups or []
    counts = {(g.get(by.name) or NO_VALUE): g for g in groups}
    columns = [BoardColumn(o.value, o.label, o.color) for o in by.options if o.active or o.value in counts]
    if NO_VALUE in counts:
        columns.insert(0, BoardColumn(NO_VALUE, _("No %(label)s", label=by.label.lower()), None))
    extra = ["version", *([money.name] if money else [])]
    for column in columns:
        group = counts.get(column.value, {})
        column.count = int(group.get("count") or 0)
        column.total = group.get(f"sum:{money.name}") if money else None
        if not column.count:
            continue
        page_state = ListState(state.obj, state.view, state.columns, state.sort, state.q,
                               {**state.filters, **({by.name: [column.value]} if column.value else
                                                    {f"{by.name}__isnull": ["true"]})})
        page = ctx.list(ctx.obj.name, page_state.query_params(count=False, limit=CARDS_PER_COLUMN,
                                                               extra_fields=extra))
        column.cards = page.records
    names = resolve_names(ctx, state.columns, [r for c in columns for r in c.cards])
    formats = _card_formats(ctx, state.columns)
    for column in columns:
        column.cards = [card(ctx, formats, r, names, money) for r in column.cards]
    return columns


def _card_formats(ctx: Context, columns: list[Column]) -> list[cells.CellFormat]:
    """The formatters of the values a card lists (every column but the title), built once per board."""
    name_field = ctx.obj.definition.name_field
    return cells.cell_formats(ctx.obj, [c for c in columns if c.name != name_field])


def card(ctx: Context, formats: list[cells.CellFormat], record: dict[str, Any], names: cells.Names,
         money: Column | None, error: str = "") -> dict[str, Any]:
    """What a card shows: its title, a few labelled values, and what a move needs (id, version)."""
    name_field = ctx.obj.definition.name_field
    title = record.get(name_field) if name_field else None
    return {
        "id": record["id"], "version": record.get("version"), "error": error,
        "title": str(title) if title not in (None, "") else f"{ctx.obj.definition.label} #{record['id']}",
        "fields": [(f.column.label, f.html(record, names)) for f in formats
                   if record.get(f.column.name) not in (None, "")],
        "amount": str(record.get(money.name) or 0) if money else "",
    }


@bp.post("/o/<object_name>/kanban/move")
@login_required
def move(object_name: str) -> Any:
    """Set the board's field of one record to the column it was dropped on; answer with its card."""
    ctx = context_for(platform(), current_actor(), object_name)
    by = next((f for f in _picklists(ctx) if f.name == request.form.get("by")), None)
    record_id = request.form.get("id", "")
    if by is None or not record_id.isdigit():
        abort(400)
    value = request.form.get("value") or None
    money = _sum_field(ctx)
    columns = _card_columns(ctx, by.name)
    status, error = 200, ""
    try:
        record = ctx.platform.records.update(ctx.actor, ctx.obj.name, int(record_id), {by.name: value},
                                             expected_version=request.form.get("version") or None)
    except PlatformError as exc:
        status, error = exc.status, _move_error(exc, by)
        try:
            record = ctx.platform.records.get(ctx.actor, ctx.obj.name, int(record_id))
        except PlatformError:
            return render_template("web/kanban/_error_card.html", error=error), status
    names = resolve_names(ctx, columns, [record])
    return render_template("web/kanban/_card.html", c=card(ctx, _card_formats(ctx, columns), record, names, money,
                                                           error), obj=ctx.obj,
                           by=by, can_update=True, words=card_words()), status


def _move_error(exc: PlatformError, by: FieldDef) -> str:
    if isinstance(exc, RecordInvalid) and exc.field_errors:
        return "; ".join(f"{by.label if e.field == by.name else e.field}: {e.message}" for e in exc.field_errors)
    return exc.detail
