"""The ``rating`` field type: a whole number of stars, 1 to ``max_rating`` (default 5)."""

from __future__ import annotations

from typing import Any

from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from metacrm.metadata.definitions import FieldDef
from metacrm.metadata.field_types import FieldType, FieldValueError, StorageColumn
from metacrm.platform.web.forms.base import WidgetSpec, as_text, describe

MAX = 5


class RatingType(FieldType):
    name, label = "rating", "Star rating"
    settings = frozenset()

    def columns(self, f: FieldDef) -> list[StorageColumn]:
        return [StorageColumn(f.name, "integer")]

    def coerce(self, value: Any, f: FieldDef) -> Any:
        """3, "3" and "★★★" are three stars; anything else is refused with the scale in the message."""
        if isinstance(value, str):
            text = value.strip()
            value = len(text) if text and set(text) <= {"★"} else int(text) if text.isdigit() else value
        if isinstance(value, bool) or not isinstance(value, int):
            raise FieldValueError("invalid_rating", f"must be a whole number of stars from 1 to {MAX}")
        if not 1 <= value <= MAX:
            raise FieldValueError("rating_out_of_range", f"must be from 1 to {MAX} stars (got {value})")
        return value

    def value_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "integer", "minimum": 1, "maximum": MAX}


def stars(value: Any) -> str:
    return "" if value is None else "★" * int(value) + "☆" * (MAX - int(value))


def rating_widget(f: FieldDef, obj: Any) -> WidgetSpec:
    choices = [SelectChoice("", "—"), *(SelectChoice(str(n), f"{stars(n)} ({n})") for n in range(1, MAX + 1))]
    field = SelectField(f.label or f.name, choices=choices, description=describe(f), validate_choice=False)
    return WidgetSpec(field, "select", to_form=as_text)
