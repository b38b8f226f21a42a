"""Numbers: integer, decimal, percent and currency inputs with the step their scale allows.

``type=number`` gives a numeric keypad and arrow keys; the value still reaches
the record service as typed, which checks digits and scale with its own words.
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import get_currency_symbol
from flask_babel import get_locale
from wtforms import StringField
from wtforms.widgets import NumberInput

from metacrm.metadata.definitions import FieldDef
from metacrm.metadata.field_types import FIELD_TYPES

from .base import WidgetSpec, as_text, describe, validators_for


def _step(f: FieldDef) -> str:
    if f.type == "integer":
        return "1"
    scale = FIELD_TYPES.get(f.type).digits(f)[1]  # type: ignore[attr-defined]
    return format(Decimal(1).scaleb(-scale), "f") if scale else "1"


def _input(f: FieldDef) -> StringField:
    hints = {"inputmode": "numeric" if f.type == "integer" else "decimal"}
    return StringField(f.label, validators=validators_for(f), widget=NumberInput(step=_step(f)),
                       description=describe(f), render_kw=hints)


def number(f: FieldDef) -> WidgetSpec:
    return WidgetSpec(_input(f), "input", to_form=as_text)


def percent(f: FieldDef) -> WidgetSpec:
    return WidgetSpec(_input(f), "input", suffix="%", to_form=as_text)


def currency_symbol(code: str) -> str:
    """"$" for USD in English, "US$" where that is the custom: Babel knows the locale's symbol."""
    return get_currency_symbol(code, locale=str(get_locale() or "en"))


def currency(f: FieldDef, object_currency: str) -> WidgetSpec:
    return WidgetSpec(_input(f), "input", addon=currency_symbol(f.currency or object_currency), to_form=as_text)
