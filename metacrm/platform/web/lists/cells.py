"""How a field value looks in a list cell (HTML) and in a CSV export (text).

One module for both so a list, a kanban card and an export always agree on
what a value *says* (a picklist's label, a lookup's name, a localised date).
HTML is built with ``markupsafe`` so every value is escaped; only the few
tags produced here are markup.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Mapping

from flask_babel import format_currency, format_date, format_datetime, format_decimal
from flask_babel import gettext as _
from markupsafe import Markup, escape

from metacrm.metadata.compiled import CompiledObject
from metacrm.metadata.definitions import FieldDef

from ...query.fields import SYSTEM_FIELDS, value_definition

REFERENCE_TYPES = ("lookup", "master_detail")
USER_COLUMNS = ("owner", "created_by", "updated_by")
NUMBER_TYPES = ("integer", "decimal", "currency", "percent")
#: Text values a spreadsheet would run as a formula (OWASP "CSV injection"); exported with a leading '.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_TEXT = 120


@dataclass(frozen=True)
class Column:
    """A list column: a field of the object or a system column, with what formatting it needs."""

    name: str
    label: str
    definition: FieldDef  # for formulas and roll-ups: the definition their values are stored as
    kind: str  # the definition's original type (formula, rollup, lookup, ...)

    @property
    def type(self) -> str:
        return self.definition.type

    @property
    def numeric(self) -> bool:
        return self.type in NUMBER_TYPES


def column_of(obj: CompiledObject, name: str) -> Column | None:
    """The column for ``name`` (a field or a readable system column), None if there is none."""
    compiled = obj.fields.get(name)
    if compiled is not None:
        d = compiled.definition
        return Column(name, d.label, value_definition(d, compiled.field_type), d.type)
    if name in SYSTEM_FIELDS and name != "version":
        d = SYSTEM_FIELDS[name][0]
        label = {"id": _("ID"), "created_at": _("Created"), "updated_at": _("Last modified"),
                 "created_by": _("Created by"), "updated_by": _("Modified by"), "owner": _("Owner")}[name]
        return Column(name, label, d, "user" if name in USER_COLUMNS else d.type)
    return None


@dataclass
class Names:
    """Display names of the records and users a page points at (resolved once per page)."""

    records: Mapping[tuple[str, int], str]
    users: Mapping[int, str]


NO_NAMES = Names({}, {})


def currency_of(obj: CompiledObject, column: Column, record: Mapping[str, Any]) -> str:
    if obj.definition.multi_currency and record.get("currency_code"):
        return str(record["currency_code"])
    return column.definition.currency or obj.definition.currency


def text(obj: CompiledObject, column: Column, record: Mapping[str, Any], names: Names = NO_NAMES,
         *, for_export: bool = False) -> str:
    """The value as words and digits: what a cell reads, and what an export writes.

    Exports keep numbers plain (``1234.5``, no grouping or symbol) and dates ISO,
    so a spreadsheet reads them as numbers and dates in any locale; every other
    exported text that a spreadsheet would run as a formula gets a leading ``'``.
    """
    shown = _text(obj, column, record, names, for_export)
    value = record.get(column.name)
    if for_export and not isinstance(value, (Decimal, int, float, dt.date)):
        return _safe_cell(shown)
    return shown


def _text(obj: CompiledObject, column: Column, record: Mapping[str, Any], names: Names, for_export: bool) -> str:
    value = record.get(column.name)
    if value is None or value == "" or value == []:
        return ""
    d, kind = column.definition, column.kind
    if kind == "user":
        return names.users.get(int(value), f"#{value}")
    if kind in REFERENCE_TYPES:
        return names.records.get((d.target or "", int(value)), f"#{value}")
    if d.type == "boolean":
        return _("Yes") if value else _("No")
    if d.type == "picklist":
        return _option_label(d, str(value))
    if d.type == "multi_picklist":
        return ", ".join(_option_label(d, str(v)) for v in value)
    if for_export:
        if isinstance(value, (dt.date, dt.datetime)):
            return value.isoformat()
        if isinstance(value, (Decimal, int, float)):
            return str(value)
    if d.type == "currency" and isinstance(value, (Decimal, int, float)):
        return format_currency(value, currency_of(obj, column, record))
    if d.type == "percent":
        return f"{format_decimal(value)} %"
    if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
        return format_decimal(value) if kind != "id" and column.name != "id" else str(value)
    if isinstance(value, dt.datetime):
        return format_datetime(value, "short")
    if isinstance(value, dt.date):
        return format_date(value, "medium")
    if isinstance(value, (dict, list)):
        return str(value.get("name", "")) if isinstance(value, dict) else ", ".join(map(str, value))
    return str(value)


def html(obj: CompiledObject, column: Column, record: Mapping[str, Any], names: Names = NO_NAMES) -> Markup:
    """The value as cell markup: links for lookups and contacts, badges for choices, icons for yes/no."""
    value = record.get(column.name)
    if value is None or value == "" or value == []:
        return Markup('<span class="text-body-tertiary" aria-label="{}">—</span>').format(_("empty"))
    d, kind = column.definition, column.kind
    shown = text(obj, column, record, names)
    if d.type == "boolean":
        icon = "check-circle-fill text-success" if value else "dash-circle text-body-tertiary"
        return Markup('<i class="bi bi-{}" aria-hidden="true"></i><span class="visually-hidden">{}</span>').format(
            icon, shown)
    if d.type == "picklist":
        return badge(d, str(value))
    if d.type == "multi_picklist":
        return Markup(" ").join(badge(d, str(v)) for v in value)
    if kind in REFERENCE_TYPES and d.target:
        return Markup('<a href="/o/{}/{}">{}</a>').format(d.target, int(value), shown)
    if d.type == "email":
        return Markup('<a href="mailto:{}">{}</a>').format(value, shown)
    if d.type == "phone":
        return Markup('<a href="tel:{}">{}</a>').format(str(value).replace(" ", ""), shown)
    if d.type == "url" and str(value).lower().startswith(("http://", "https://")):
        return Markup('<a href="{}" rel="noopener noreferrer" target="_blank">{}</a>').format(value, shown)
    if len(shown) > MAX_TEXT:
        return Markup('<span title="{}">{}…</span>').format(shown, shown[:MAX_TEXT])
    return escape(shown)


def badge(d: FieldDef, value: str) -> Markup:
    """A picklist value as a badge in its option's colour (text colour chosen for contrast)."""
    option = next((o for o in d.options if o.value == value), None)
    label = option.label if option else value
    color = option.color if option else None
    if color and _hex(color):
        return Markup('<span class="badge app-choice" style="background-color:{};color:{}">{}</span>').format(
            color, _contrast(color), label)
    return Markup('<span class="badge app-choice text-bg-light border">{}</span>').format(label)


def _option_label(d: FieldDef, value: str) -> str:
    for option in d.options:
        if option.value == value:
            return option.label
    return value


def _safe_cell(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _hex(color: str) -> bool:
    c = color.lstrip("#")
    return color.startswith("#") and len(c) in (3, 6) and all(ch in "0123456789abcdefABCDEF" for ch in c)


def _contrast(color: str) -> str:
    """Black or white, whichever reads better on ``color`` (WCAG relative luminance)."""
    c = color.lstrip("#")
    if len(c) == 3:
        c = "".join(ch * 2 for ch in c)
    channels = []
    for i in (0, 2, 4):
        v = int(c[i:i + 2], 16) / 255
        channels.append(v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4)
    luminance = 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]
    return "#000" if luminance > 0.179 else "#fff"
