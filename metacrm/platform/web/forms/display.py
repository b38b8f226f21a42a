"""Values as a record page shows them: locale-formatted, linked, and always escaped.

One function per family, chosen by the field type (for formulas and roll-ups,
by their result type), so the record page, related lists and the inline-edit
swap render a value the same way. Links are built only from what MetaCRM
stores itself (record ids, ``http(s)`` URLs checked by the URL type), and every
text goes through ``escape``: a value can never inject markup.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Callable, Mapping

from flask_babel import format_currency, format_date, format_datetime, format_decimal
from flask_babel import gettext as _
from markupsafe import Markup, escape

from metacrm.metadata.compiled import CompiledObject
from metacrm.metadata.definitions import FieldDef
from metacrm.metadata.field_types.scalar import RichTextType

from .files import human_size

EMPTY = Markup('<span class="text-body-secondary"><span aria-hidden="true">—</span>'
               '<span class="visually-hidden">{}</span></span>')
#: (object, id) → the record's title, for lookups the actor may read.
Labels = Mapping[tuple[str, int], str]
USER_FIELDS = ("owner", "created_by", "updated_by")
TIME_FIELDS = ("created_at", "updated_at")


def empty() -> Markup:
    return Markup(EMPTY.format(_("empty")))


def value_type(f: FieldDef) -> str:
    """The type that decides formatting: a formula or roll-up formats like its result."""
    if f.type == "rollup" and f.rollup is not None and f.rollup.function == "count":
        return "integer"
    if f.type in ("formula", "rollup"):
        return f.result_type or "decimal"
    return f.type


def show(obj: CompiledObject, name: str, record: Mapping[str, Any], *, labels: Labels | None = None,
         users: Mapping[int, str] | None = None) -> Markup:
    """The record's value of ``name`` (a field or a system field) as safe HTML."""
    value = record.get(name)
    if value is None or value == "" or value == []:
        return empty()
    if getattr(value, "masked", False):  # shown masked by field security: exactly as handed out
        return Markup('<span class="font-monospace">{}</span>').format(value)
    if name in USER_FIELDS:
        return escape((users or {}).get(value, f"#{value}"))
    if name in TIME_FIELDS:
        return escape(format_datetime(value, "medium"))
    compiled = obj.fields.get(name)
    if compiled is None:
        return escape(str(value))
    f = compiled.definition
    kind = value_type(f)
    if kind in ("lookup", "master_detail"):
        return _reference(f.target or "", value, labels or {})
    formatter = FORMATTERS.get(kind)
    if formatter is None:
        return escape(str(value))
    if kind == "currency":
        code = record.get("currency_code") or f.currency or obj.definition.currency
        return escape(format_currency(value, code))
    if kind == "file" and isinstance(value, Mapping) and record.get("id"):
        return file_link(f"/o/{obj.name}/{record['id']}/file/{name}", value)
    return formatter(value, f)


def file_link(url: str, value: Mapping[str, Any]) -> Markup:
    """A stored file as a download link with its size (the route checks the reader may see the field)."""
    return Markup('<a href="{}" class="app-file-link" download><i class="bi bi-paperclip" aria-hidden="true"></i> '
                  '{}</a> <span class="text-body-secondary small">({})</span>').format(
        url, value.get("name") or _("file"), human_size(value.get("size")))


def _reference(target: str, value: Any, labels: Labels) -> Markup:
    label = labels.get((target, value))
    if label is None:  # not readable by this user: the id only, no link to a page they cannot open
        return Markup('<span class="text-body-secondary">#{}</span>').format(value)
    return Markup('<a href="/o/{}/{}" class="app-record-link">{}</a>').format(target, value, label)


def _number(value: Any, f: FieldDef) -> Markup:
    return escape(format_decimal(value if isinstance(value, (int, Decimal)) else Decimal(str(value))))


def _percent(value: Any, f: FieldDef) -> Markup:
    return escape(f"{format_decimal(Decimal(str(value)))} %")


def _date(value: Any, f: FieldDef) -> Markup:
    return escape(format_date(value, "medium")) if isinstance(value, dt.date) else escape(value)


def _datetime(value: Any, f: FieldDef) -> Markup:
    return escape(format_datetime(value, "medium")) if isinstance(value, dt.datetime) else escape(value)


def _boolean(value: Any, f: FieldDef) -> Markup:
    if value:
        return Markup('<i class="bi bi-check-circle-fill text-success" aria-hidden="true"></i> {}').format(_("Yes"))
    return Markup('<i class="bi bi-circle text-body-secondary" aria-hidden="true"></i> {}').format(_("No"))


def _badge(value: str, f: FieldDef) -> Markup:
    option = next((o for o in f.options if o.value == value), None)
    label = option.label if option else value
    color = option.color if option and option.color else None
    if color:
        return Markup('<span class="badge app-badge" style="--app-badge: {}">{}</span>').format(color, label)
    return Markup('<span class="badge text-bg-light border">{}</span>').format(label)


def _picklist(value: Any, f: FieldDef) -> Markup:
    return _badge(str(value), f)


def _multi(value: Any, f: FieldDef) -> Markup:
    return Markup(" ").join(_badge(str(v), f) for v in value)


def _email(value: Any, f: FieldDef) -> Markup:
    return Markup('<a href="mailto:{0}">{0}</a>').format(value)


def _phone(value: Any, f: FieldDef) -> Markup:
    return Markup('<a href="tel:{}">{}</a>').format("".join(c for c in str(value) if c.isdigit() or c == "+"), value)


def _url(value: Any, f: FieldDef) -> Markup:
    if not str(value).startswith(("http://", "https://")):
        return escape(value)
    return Markup('<a href="{0}" target="_blank" rel="noopener noreferrer">{0} '
                  '<i class="bi bi-box-arrow-up-right small" aria-hidden="true"></i></a>').format(value)


def _long(value: Any, f: FieldDef) -> Markup:
    return Markup('<div class="app-long-text">{}</div>').format(value)


def _rich(value: Any, f: FieldDef) -> Markup:
    """Stored rich text is sanitised on write; it is cleaned again here, so a value written before
    sanitising existed (or straight into the table) can never become live markup."""
    return Markup('<div class="app-rich-text">{}</div>').format(Markup(RichTextType.sanitise(str(value))))


def rich_excerpt(value: Any, length: int = 120) -> str:
    """The words of a rich-text value, shortened: for cells and snippets where markup has no place."""
    words = RichTextType.plain_text(str(value or ""))
    return words if len(words) <= length else words[:length].rstrip() + "…"


def _file(value: Any, f: FieldDef) -> Markup:
    name = value.get("name") or value.get("key") if isinstance(value, Mapping) else value
    return Markup('<i class="bi bi-paperclip" aria-hidden="true"></i> {}').format(name)


def _polymorphic(value: Any, f: FieldDef) -> Markup:
    if not isinstance(value, Mapping):
        return escape(value)
    return Markup('<a href="/o/{0}/{1}">{0} #{1}</a>').format(value.get("object"), value.get("id"))


FORMATTERS: dict[str, Callable[[Any, FieldDef], Markup]] = {
    "integer": _number, "decimal": _number, "percent": _percent, "currency": _number,
    "date": _date, "datetime": _datetime, "boolean": _boolean, "picklist": _picklist,
    "multi_picklist": _multi, "email": _email, "phone": _phone, "url": _url, "long_text": _long,
    "rich_text": _rich, "file": _file, "polymorphic_lookup": _polymorphic,
}
