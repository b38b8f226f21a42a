"""What a widget module hands the form factory: one WTForms field plus how its value travels.

WTForms does presentation only. Every field is text-like on the way in (a
number input still submits a string), so the record service — the one place
that coerces and validates values (``records/values.py`` through the field
types) — sees what the user typed and answers with its own messages, the same
ones the API gives. ``to_record``/``to_form`` only change *shape* (a list for
a multi-select, local time to UTC for date-times), never validate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from wtforms.fields.core import UnboundField
from wtforms.validators import InputRequired, Length, Optional

from metacrm.metadata.definitions import FieldDef


def identity(value: Any) -> Any:
    return value


def text_or_none(value: Any) -> Any:
    """Empty inputs mean "no value" to the record service (it treats blank text as empty)."""
    if value is None:
        return None
    return value if not isinstance(value, str) or value.strip() else None


def as_text(value: Any) -> Any:
    """A stored value as an input shows it (Decimal → "1200.50", int → "3")."""
    return None if value is None else str(value)


@dataclass(frozen=True)
class WidgetSpec:
    """One field's widget: the WTForms field (None for a read-only display) and its value shaping.

    ``kind`` tells the template which family renders it: ``input``, ``textarea``,
    ``switch``, ``select``, ``multiselect``, ``lookup`` or ``display``.
    """

    field: UnboundField | None
    kind: str
    addon: str | None = None  # before the input: a currency symbol
    suffix: str | None = None  # after the input: "%"
    to_record: Callable[[Any], Any] = text_or_none
    to_form: Callable[[Any], Any] = identity


def validators_for(f: FieldDef, *, max_length: int | None = None) -> list[Any]:
    """Validators as *hints*: they set ``required``/``maxlength`` on the input (and its aria state).

    Forms are rendered ``novalidate`` and never call ``validate()`` for values, so the
    record service stays the judge and all problems arrive in one round trip.
    """
    out: list[Any] = [InputRequired() if f.required else Optional()]
    if max_length:
        out.append(Length(max=max_length))
    return out


def describe(f: FieldDef) -> str:
    """The help under an input: the admin's help text, else the description."""
    return f.help_text or f.description
