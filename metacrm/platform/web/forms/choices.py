"""Choices: a Bootstrap switch for booleans, a select for picklists, Tom Select for multi-picklists.

Choices are not validated by WTForms (``validate_choice=False``): the record
service knows which values are current and says so with the field's options.
Inactive options stay selectable only on records that already hold them.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice

from metacrm.metadata.definitions import FieldDef

from .base import WidgetSpec, describe, validators_for


def _options(f: FieldDef) -> list[SelectChoice]:
    return [SelectChoice(o.value, o.label) for o in f.options if o.active]


def switch(f: FieldDef) -> WidgetSpec:
    field = BooleanField(f.label, description=describe(f), render_kw={"role": "switch"})
    return WidgetSpec(field, "switch", to_record=bool, to_form=bool)


def picklist(f: FieldDef) -> WidgetSpec:
    choices = [SelectChoice("", _l("— None —")), *_options(f)]
    field = SelectField(f.label, choices=choices, validate_choice=False, validators=validators_for(f),
                        description=describe(f))
    return WidgetSpec(field, "select", to_form=lambda v: "" if v is None else v)


def _as_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else []


def multi_picklist(f: FieldDef) -> WidgetSpec:
    field = SelectMultipleField(f.label, choices=_options(f), validate_choice=False, validators=validators_for(f),
                                description=describe(f), render_kw={"data-widget": "multiselect"})
    return WidgetSpec(field, "multiselect", to_record=lambda v: _as_list(v) or None, to_form=_as_list)


def inactive_choices(f: FieldDef, current: Any) -> list[SelectChoice]:
    """Options a record holds that are no longer offered, so an edit does not silently drop them."""
    held = _as_list(current) if isinstance(current, (list, tuple)) else ([str(current)] if current else [])
    active = {o.value for o in f.options if o.active}
    labels = {o.value: o.label for o in f.options}
    return [SelectChoice(v, labels.get(v, v)) for v in held if v not in active]

