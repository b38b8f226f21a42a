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
    """Long and rich text: a text area (rich text is stored as sanitised HTML by the logic layer)."""
    rows = 6 if f.type == "rich_text" else 4
    field = TextAreaField(f.label, validators=validators_for(f, max_length=f.max_length), description=describe(f),
                          render_kw={"rows": rows})
    return WidgetSpec(field, "textarea")
