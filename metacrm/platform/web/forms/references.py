"""References: lookups as a Tom Select type-ahead; files and polymorphic lookups as read-only displays.

A lookup's ``<select>`` holds only the current choice; Tom Select asks
``GET /o/<object>/lookup/<field>?q=`` (``lookup_views``) for more, which
searches the target through the reader, so the user only ever sees records
they may read. ``data-create-url`` lets the user create a target record from
its name without leaving the form.

File fields store a reference to a file kept by a file store, and MetaCRM has
no upload endpoint yet: the field shows the file's name and cannot be set
here (saying so beats an input that cannot work).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from metacrm.metadata.definitions import FieldDef

from .base import WidgetSpec, as_text, describe, validators_for


def lookup(f: FieldDef, object_name: str) -> WidgetSpec:
    render_kw = {"data-widget": "lookup", "data-url": f"/o/{object_name}/lookup/{f.name}",
                 "data-create-url": f"/o/{object_name}/lookup/{f.name}/new", "data-target": f.target or "",
                 "data-create-label": _l("Create"), "data-empty-label": _l("No matches"),
                 "placeholder": _l("Type to search…")}
    field = SelectField(f.label, choices=[SelectChoice("", "")], validate_choice=False, validators=validators_for(f),
                        description=describe(f), render_kw=render_kw)
    return WidgetSpec(field, "lookup", to_form=lambda v: as_text(v) or "")


def display(f: FieldDef | None) -> WidgetSpec:
    """Shown, never submitted: computed fields, files (no upload store yet), polymorphic lookups."""
    return WidgetSpec(None, "display")
