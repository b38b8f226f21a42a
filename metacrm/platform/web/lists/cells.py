"""How a field value looks in a list cell (HTML) and in a CSV export (text).

One module for both so a list, a kanban card and an export always agree on
what a value *says* (a picklist's label, a lookup's name, a localised date).
A page builds one :class:`CellFormat` per column with :func:`cell_formats`:
what depends only on the column and the request's locale (option labels,
badges, translated words, Babel patterns) is worked out there, once, and a
cell only looks its value up — a list page formats hundreds of cells.
HTML is escaped with ``markupsafe``; only the few tags produced here are markup.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Iterable, Mapping

from flask_babel import gettext as _
from markupsafe import Markup, escape

from metacrm.metadata.compiled import CompiledObject
from metacrm.metadata.definitions import FieldDef

from ...query.fields import SYSTEM_FIELDS, value_definition
from .locale_formats import LocaleFormats, request_formats
from ..forms.display import rich_excerpt

REFERENCE_TYPES = ("lookup", "master_detail")
USER_COLUMNS = ("owner", "created_by", "updated_by")
NUMBER_TYPES = ("integer", "decimal", "currency", "percent")
#: Text values a spreadsheet would run as a formula (OWASP "CSV injection"); exported with a leading '.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_TEXT = 120
NUMBER = (Decimal, int, float)


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
        return Column(name, _system_label(name), d, "user" if name in USER_COLUMNS else d.type)
    return None


def _system_label(name: str) -> str:
    if name == "id":
        return _("ID")
    if name == "created_at":
        return _("Created")
    if name == "updated_at":
        return _("Last modified")
    if name == "created_by":
        return _("Created by")
    if name == "updated_by":
        return _("Modified by")
    return _("Owner")


@dataclass
class Names:
    """Display names of the records and users a page points at (resolved once per page)."""

    records: Mapping[tuple[str, int], str]
    users: Mapping[int, str]


NO_NAMES = Names({}, {})

Record = Mapping[str, Any]
Show = Callable[[Any, Record, Names], str]  # a non-empty value → its words


@dataclass(frozen=True)
class CellFormat:
    """One column's values in words (``text``), as a CSV writes them (``export``) and as markup (``html``)."""

    column: Column
    show: Show
    show_export: Show
    markup: Callable[[Any, Record, Names], str]  # a non-empty value → escaped HTML
    empty_html: Markup

    def text(self, record: Record, names: Names = NO_NAMES) -> str:
        value = record.get(self.column.name)
        return "" if _empty(value) else self.show(value, record, names)

    def export(self, record: Record, names: Names = NO_NAMES) -> str:
        """Numbers plain and dates ISO (any spreadsheet reads them); text that would run as a formula gets a '."""
        value = record.get(self.column.name)
        if _empty(value):
            return ""
        shown = self.show_export(value, record, names)
        return shown if isinstance(value, (*NUMBER, dt.date)) else _safe_cell(shown)

    def html(self, record: Record, names: Names = NO_NAMES) -> Markup:
        value = record.get(self.column.name)
        return self.empty_html if _empty(value) else Markup(self.markup(value, record, names))


def cell_formats(obj: CompiledObject, columns: Iterable[Column],
                 formats: LocaleFormats | None = None) -> list[CellFormat]:
    """The formatters of a page's columns, for this request's locale unless ``formats`` says otherwise."""
    formats = formats or request_formats()
    empty = Markup('<span class="text-body-tertiary" aria-label="{}">—</span>').format(_("empty"))
    return [_cell_format(obj, c, formats, empty) for c in columns]


def cell_format(obj: CompiledObject, column: Column, formats: LocaleFormats | None = None) -> CellFormat:
    return cell_formats(obj, [column], formats)[0]


def text(obj: CompiledObject, column: Column, record: Record, names: Names = NO_NAMES,
         *, for_export: bool = False) -> str:
    """One value as words and digits (an export's when ``for_export``); pages use :func:`cell_formats`."""
    fmt = cell_format(obj, column)
    return fmt.export(record, names) if for_export else fmt.text(record, names)


def html(obj: CompiledObject, column: Column, record: Record, names: Names = NO_NAMES) -> Markup:
    """One value as cell markup: links for lookups and contacts, badges for choices, icons for yes/no."""
    return cell_format(obj, column).html(record, names)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _cell_format(obj: CompiledObject, column: Column, formats: LocaleFormats, empty: Markup) -> CellFormat:
    show = _shower(obj, column, formats, for_export=False)
    return CellFormat(column, show, _shower(obj, column, formats, for_export=True), _marker(column, show), empty)


def _shower(obj: CompiledObject, column: Column, formats: LocaleFormats, *, for_export: bool) -> Show:
    """The function that turns one non-empty value of ``column`` into words."""
    d, kind = column.definition, column.kind
    if kind == "user":
        return lambda v, r, names: names.users.get(int(v), f"#{v}")
    if kind in REFERENCE_TYPES:
        target = d.target or ""
        return lambda v, r, names: names.records.get((target, int(v)), f"#{v}")
    if d.type == "boolean":
        yes, no = _("Yes"), _("No")
        return lambda v, r, names: yes if v else no
    if d.type in ("picklist", "multi_picklist"):
        labels = {o.value: o.label for o in d.options}
        if d.type == "picklist":
            return lambda v, r, names: labels.get(str(v), str(v))
        return lambda v, r, names: ", ".join(labels.get(str(x), str(x)) for x in v)
    if d.type == "rich_text":  # the words only: markup has no place in a cell or a CSV column
        return lambda v, r, names: rich_excerpt(v)
    if for_export:
        return _export_value
    is_id = kind == "id" or column.name == "id"
    currency = _currency_of(obj, column)

    def show(value: Any, record: Record, names: Names) -> str:
        if isinstance(value, NUMBER) and not isinstance(value, bool):
            if d.type == "currency":
                return formats.currency(value, currency(record))
            if d.type == "percent":
                return f"{formats.decimal(value)} %"
            return str(value) if is_id else formats.decimal(value)
        if d.type == "percent":
            return f"{formats.decimal(value)} %"
        if isinstance(value, dt.datetime):
            return formats.datetime(value)
        if isinstance(value, dt.date):
            return formats.date(value)
        if isinstance(value, dict):
            return str(value.get("name", ""))
        if isinstance(value, list):
            return ", ".join(map(str, value))
        return str(value)

    return show


def _export_value(value: Any, record: Record, names: Names) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, NUMBER):
        return str(value)
    if isinstance(value, dict):
        return str(value.get("name", ""))
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def _currency_of(obj: CompiledObject, column: Column) -> Callable[[Record], str]:
    """The currency code of a money value: the record's own on multi-currency objects, else the field's."""
    fixed = column.definition.currency or obj.definition.currency
    if not obj.definition.multi_currency:
        return lambda record: fixed
    return lambda record: str(record.get("currency_code") or fixed)


def _marker(column: Column, show: Show) -> Callable[[Any, Record, Names], str]:
    """The function that turns one non-empty value of ``column`` into escaped HTML."""
    d, kind = column.definition, column.kind
    if d.type == "boolean":
        yes, no = (_icon(icon, show(flag, {}, NO_NAMES)) for icon, flag in
                   (("check-circle-fill text-success", True), ("dash-circle text-body-tertiary", False)))
        return lambda v, r, names: yes if v else no
    if d.type in ("picklist", "multi_picklist"):
        badges = {o.value: str(badge(d, o.value)) for o in d.options}
        one = (lambda v: badges.get(v) or str(badge(d, v)))
        if d.type == "picklist":
            return lambda v, r, names: one(str(v))
        return lambda v, r, names: " ".join(one(str(x)) for x in v)
    if kind in REFERENCE_TYPES and d.target:
        prefix = f'<a href="/o/{escape(d.target)}/'
        return lambda v, r, names: f'{prefix}{int(v)}">{escape(show(v, r, names))}</a>'
    if d.type == "email":
        return lambda v, r, names: f'<a href="mailto:{escape(v)}">{escape(show(v, r, names))}</a>'
    if d.type == "phone":
        return lambda v, r, names: f'<a href="tel:{escape(str(v).replace(" ", ""))}">{escape(show(v, r, names))}</a>'

    def plain(value: Any, record: Record, names: Names) -> str:
        shown = show(value, record, names)
        if d.type == "url" and str(value).lower().startswith(("http://", "https://")):
            return f'<a href="{escape(value)}" rel="noopener noreferrer" target="_blank">{escape(shown)}</a>'
        if len(shown) > MAX_TEXT:
            return f'<span title="{escape(shown)}">{escape(shown[:MAX_TEXT])}…</span>'
        return str(escape(shown))

    return plain


def _icon(icon: str, words: str) -> str:
    return str(Markup('<i class="bi bi-{}" aria-hidden="true"></i><span class="visually-hidden">{}</span>').format(
        icon, words))


def badge(d: FieldDef, value: str) -> Markup:
    """A picklist value as a badge in its option's colour (text colour chosen for contrast)."""
    option = next((o for o in d.options if o.value == value), None)
    label = option.label if option else value
    color = option.color if option else None
    if color and _hex(color):
        return Markup('<span class="badge app-choice" style="background-color:{};color:{}">{}</span>').format(
            color, _contrast(color), label)
    return Markup('<span class="badge app-choice text-bg-light border">{}</span>').format(label)


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
