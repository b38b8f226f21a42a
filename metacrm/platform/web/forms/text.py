"""Text-like fields: one-line inputs with the right ``type`` (so phones get a dial pad) and text areas."""

from __future__ import annotations

from wtforms import StringField, TextAreaField
from wtforms.widgets import EmailInput, TelInput, TextInput, URLInput

from metacrm.metadata.definitions import FieldDef

from .base import WidgetSpec, describe, validators_for

#: type → (HTML input widget, browser autocomplete/inputmode hints)
INPUTS = {
    "text": (TextInput, {}),
    "email": (EmailInput, {"autocomplete": "email", "inputmode": "email"}),
    "url": (URLInput, {"inputmode": "url", "placeholder": "https://"}),
    "phone": (TelInput, {"autocomplete": "tel", "inputmode": "tel"}),
}
LIMITS = {"email": 254, "url": 2048, "phone": 40}


def line(f: FieldDef) -> WidgetSpec:
    widget, hints = INPUTS.get(f.type, INPUTS["text"])
    limit = LIMITS.get(f.type) or f.max_length or 255
    field = StringField(f.label, validators=validators_for(f, max_length=limit), widget=widget(),
                        description=describe(f), render_kw=dict(hints))
    return WidgetSpec(field, "input")


def area(f: FieldDef) -> WidgetSpec:
    """Long text: a text area."""
    field = TextAreaField(f.label, validators=validators_for(f, max_length=f.max_length), description=describe(f),
                          render_kw={"rows": 4})
    return WidgetSpec(field, "textarea")


def rich(f: FieldDef) -> WidgetSpec:
    """Rich text: a text area of HTML that ``records.js`` turns into the Trix editor; without JavaScript it
    stays a text area. Either way the record service sanitises what arrives (``RichTextType``)."""
    field = TextAreaField(f.label, validators=validators_for(f), description=describe(f),
                          render_kw={"rows": 8, "data-widget": "rich-text"})
    return WidgetSpec(field, "textarea")
