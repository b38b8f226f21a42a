"""Per-column filter controls, each writing query-language parameters.

A control is only a way of typing a filter a user could also put in the URL:
text fields search with ``field__icontains``, choices and yes/no compare with
``field=value``, numbers and dates take a range (``field__gte`` /
``field__lte``), lookups search the name of the record they point at
(``company__name__icontains``). The template renders a control per kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from flask_babel import gettext as _

from metacrm.metadata.compiled import CompiledSchema

from .cells import REFERENCE_TYPES, Column

TEXT_TYPES = ("text", "email", "phone", "url", "autonumber", "long_text")
RANGE_TYPES = ("integer", "decimal", "currency", "percent")
DATE_TYPES = ("date", "datetime")


@dataclass(frozen=True)
class FilterControl:
    """One column's filter: ``kind`` is text | choice | range | daterange; ``keys`` its parameters."""

    column: str
    label: str
    kind: str
    keys: tuple[str, ...]
    options: tuple[tuple[str, str], ...] = ()  # (value, label) for choices

    def values(self, filters: Mapping[str, list[str]]) -> tuple[str, ...]:
        return tuple((filters.get(k) or [""])[-1] for k in self.keys)


def control_for(column: Column, schema: CompiledSchema) -> FilterControl | None:
    d, name = column.definition, column.name
    label = column.label
    if column.kind in REFERENCE_TYPES:
        target = schema.objects.get(d.target or "")
        name_field = target.definition.name_field if target else None
        if target is None or not name_field or name_field not in target.fields:
            return None
        return FilterControl(name, label, "text", (f"{name}__{name_field}__icontains",))
    if d.type in TEXT_TYPES:
        return FilterControl(name, label, "text", (f"{name}__icontains",))
    if d.type == "picklist":
        return FilterControl(name, label, "choice", (name,),
                             tuple((o.value, o.label) for o in d.options))
    if d.type == "boolean":
        return FilterControl(name, label, "choice", (name,), (("true", _("Yes")), ("false", _("No"))))
    if d.type in RANGE_TYPES and column.name != "id":
        return FilterControl(name, label, "range", (f"{name}__gte", f"{name}__lte"))
    if d.type in DATE_TYPES:
        return FilterControl(name, label, "daterange", (f"{name}__gte", f"{name}__lte"))
    return None


def describe(key: str, value: str, columns: Mapping[str, Column]) -> str:
    """A filter parameter in words, for the chips that show a view's own filters."""
    parts = key.split("__")
    column = columns.get(parts[0])
    label = column.label if column else parts[0].replace("_", " ").capitalize()
    op = parts[-1] if len(parts) > 1 else "eq"
    words = {"eq": "=", "ne": "≠", "gt": ">", "gte": "≥", "lt": "<", "lte": "≤", "in": _("in"), "nin": _("not in"),
             "contains": _("contains"), "icontains": _("contains"), "startswith": _("starts with"),
             "istartswith": _("starts with"), "isnull": _("is empty"), "between": _("between")}
    if op not in words:
        op = "eq"
    if op == "isnull":
        return f"{label} {_('is empty') if value == 'true' else _('is not empty')}"
    return f"{label} {words[op]} {value}"
