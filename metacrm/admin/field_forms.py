"""The field editor's forms: one WTForms class per field type, built from the type's ``settings``.

A type declares which definition keys it accepts (``FieldType.settings``);
the editor shows exactly those, with plain labels and help text, so a type a
plugin registers gets an editor without code here. Converting between a
field document and form data is pure (``field_document``/``form_data``), so
it is tested without a request.
"""

from __future__ import annotations

import json
from typing import Any, Mapping
from urllib.parse import parse_qsl, urlencode

from flask_wtf import FlaskForm
from wtforms import (BooleanField, FieldList, Form, FormField, HiddenField, IntegerField, SelectField, StringField,
                     TextAreaField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from metacrm.metadata.field_types import FIELD_TYPES
from metacrm.metadata.names import field_name_problem

ON_DELETE = [("restrict", "Refuse to delete the referenced record"),
             ("set_null", "Clear this field"),
             ("cascade", "Delete this record too")]
RESULT_TYPES = [("text", "Text"), ("integer", "Whole number"), ("decimal", "Decimal number"),
                ("currency", "Currency"), ("percent", "Percent"), ("date", "Date"), ("datetime", "Date and time"),
                ("boolean", "Checkbox")]
ROLLUP_FUNCTIONS = [("count", "Count the child records"), ("sum", "Sum of a field"), ("min", "Smallest value"),
                    ("max", "Largest value"), ("avg", "Average")]
#: The most common types first: the "new field" menu reads top down.
COMMON_TYPES = ("text", "long_text", "integer", "decimal", "currency", "percent", "date", "datetime", "boolean",
                "picklist", "multi_picklist", "email", "phone", "url", "lookup", "master_detail", "formula",
                "autonumber", "rollup")
ON_DELETE_DEFAULT = {"master_detail": "cascade"}


class OptionForm(Form):
    """One picklist choice; rows are reordered by dragging and renumbered by admin_fields.js."""

    value = StringField("Stored value", validators=[Optional(), Length(max=100)])
    label = StringField("Label", validators=[Optional(), Length(max=120)])
    color = StringField("Colour", default="#6c757d", validators=[Optional(), Regexp(r"^#[0-9a-fA-F]{6}$")])
    active = BooleanField("Active", default=True)


class FieldEditorBase(FlaskForm):
    label = StringField("Label", validators=[DataRequired(), Length(max=120)],
                        description="What people see above the input, e.g. “Close date”.")
    name = StringField("Name", validators=[DataRequired(), Length(max=40)],
                       description="Used in the API, formulas and filters. Suggested from the label; "
                                   "lower case letters, digits and single underscores.")
    help_text = StringField("Help text", validators=[Optional(), Length(max=500)],
                            description="A hint shown under the input.")
    required = BooleanField("Required", description="A record cannot be saved without a value.")
    unique = BooleanField("Unique", description="No two records may hold the same value.")
    indexed = BooleanField("Indexed", description="Faster filters and sorts on this field.")
    sensitive = BooleanField("Sensitive", description="Reads are audited; values may be masked for some roles.")
    default = StringField("Default value", validators=[Optional()],
                          description="Used when a new record leaves the field empty. Start with = for a formula.")


def _max_length() -> IntegerField:
    return IntegerField("Maximum length", validators=[Optional(), NumberRange(1, 1_000_000)],
                        description="The most characters a value may have (255 if empty).")


def _setting_fields(type_name: str, objects: list[tuple[str, str]]) -> dict[str, Any]:
    """The form fields for one type's settings (keys the type does not accept are never shown)."""
    settings = FIELD_TYPES.get(type_name).settings
    out: dict[str, Any] = {}
    if "max_length" in settings:
        out["max_length"] = _max_length()
    if "precision" in settings:
        out["precision"] = IntegerField("Digits in total", validators=[Optional(), NumberRange(1, 18)],
                                        description="Precision: all digits, before and after the point (≤ 18).")
        out["scale"] = IntegerField("Digits after the point", validators=[Optional(), NumberRange(0, 10)])
    if "currency" in settings:
        out["currency"] = StringField("Currency", validators=[Optional(), Regexp(r"^[A-Z]{3}$",
                                      message="Use a three-letter code such as EUR.")],
                                      description="Empty: the object's currency.")
    if "options" in settings:
        out["options"] = FieldList(FormField(OptionForm), label="Choices", min_entries=1)
    if "target" in settings:
        out["target"] = SelectField("Points to", choices=objects, validators=[DataRequired()])
    if "targets" in settings:
        out["targets"] = StringField("Points to (objects, comma separated)", validators=[DataRequired()])
    if "on_delete" in settings:
        out["on_delete"] = SelectField("When the referenced record is deleted", choices=ON_DELETE,
                                       default=ON_DELETE_DEFAULT.get(type_name, "restrict"))
    if "pattern" in settings:
        out["pattern"] = StringField("Number pattern", default="{0000}", validators=[DataRequired(), Length(max=40)],
                                     description="Zeros mark the counter, e.g. INV-{0000} gives INV-0001.")
    if "formula" in settings:
        out["formula"] = TextAreaField("Formula", validators=[DataRequired(), Length(max=5000)],
                                       description="An expression over this record's fields, e.g. amount * 0.2")
        out["stored"] = BooleanField("Store the result (computed on save; can be filtered and sorted)",
                                     default=True)
    if "result_type" in settings:
        out["result_type"] = SelectField("Result type", choices=RESULT_TYPES, default="decimal")
    if "rollup" in settings:
        out["rollup_child"] = SelectField("Child object", choices=objects, validators=[DataRequired()])
        out["rollup_relationship_field"] = StringField("Child's lookup field to this object",
                                                       validators=[DataRequired()])
        out["rollup_function"] = SelectField("Summary", choices=ROLLUP_FUNCTIONS)
        out["rollup_field"] = StringField("Child field to summarise", validators=[Optional()],
                                          description="Not needed for a count.")
        out["rollup_filter"] = StringField("Only child records where", validators=[Optional()],
                                           description="Filters as in list URLs, e.g. stage=Won&amount__gte=100")
    return out


def type_choices() -> list[tuple[str, str]]:
    """Every registered field type as (name, label), the common ones first."""
    ordered = [t for t in COMMON_TYPES if t in FIELD_TYPES] + [t for t in FIELD_TYPES.names() if t not in COMMON_TYPES]
    return [(t, FIELD_TYPES.get(t).label) for t in ordered]


def field_form_class(type_name: str, objects: list[tuple[str, str]]) -> type[FieldEditorBase]:
    """The editor form for ``type_name``; ``objects`` are (name, label) pairs for lookups and roll-ups."""
    attrs = {"type": HiddenField(default=type_name), **_setting_fields(type_name, objects)}
    return type(f"FieldEditor_{type_name}", (FieldEditorBase,), attrs)


def _value(text: str) -> Any:
    """A default typed into a text box: numbers and true/false become JSON values, the rest stays text."""
    text = text.strip()
    if text.startswith("="):
        return text
    try:
        parsed = json.loads(text)
    except ValueError:
        return text
    return parsed if isinstance(parsed, (int, float, bool)) else text


def field_document(type_name: str, data: Mapping[str, Any], previous: Mapping[str, Any] | None = None
                   ) -> dict[str, Any]:
    """The field's JSON definition from the form's data (pure). Keys the form does not show
    (``description``, ``mask``, ``external_names``...) are kept from ``previous``."""
    doc: dict[str, Any] = {k: v for k, v in (previous or {}).items()
                           if k not in FIELD_TYPES.get((previous or {}).get("type", type_name)).settings}
    for key in ("label", "help_text", "default", "max_length", "precision", "scale", "currency", "target",
                "on_delete", "pattern", "formula", "result_type", "required", "unique", "indexed", "sensitive",
                "stored", "options", "targets", "rollup"):
        doc.pop(key, None)
    doc.update(name=(data.get("name") or "").strip(), type=type_name, label=(data.get("label") or "").strip())
    if data.get("help_text"):
        doc["help_text"] = data["help_text"].strip()
    for flag in ("required", "unique", "indexed", "sensitive"):
        if data.get(flag):
            doc[flag] = True
    if (data.get("default") or "").strip():
        doc["default"] = _value(data["default"])
    for key in ("max_length", "precision", "scale"):
        if data.get(key) not in (None, ""):
            doc[key] = int(data[key])
    for key in ("currency", "target", "on_delete", "pattern", "formula", "result_type"):
        if data.get(key):
            doc[key] = data[key].strip() if isinstance(data[key], str) else data[key]
    if "stored" in data and "formula" in data:
        doc["stored"] = bool(data["stored"])
    if data.get("targets"):
        doc["targets"] = [t.strip() for t in data["targets"].split(",") if t.strip()]
    if "options" in data:
        doc["options"] = [_option(o) for o in data["options"] if (o.get("value") or "").strip()]
    if data.get("rollup_child"):
        rollup: dict[str, Any] = {"child": data["rollup_child"],
                                  "relationship_field": (data.get("rollup_relationship_field") or "").strip(),
                                  "function": data.get("rollup_function") or "count"}
        if (data.get("rollup_field") or "").strip():
            rollup["field"] = data["rollup_field"].strip()
        if (data.get("rollup_filter") or "").strip():
            rollup["filter"] = dict(parse_qsl(data["rollup_filter"].strip(), keep_blank_values=True))
        doc["rollup"] = rollup
    return doc


def _option(o: Mapping[str, Any]) -> dict[str, Any]:
    value = o["value"].strip()
    out: dict[str, Any] = {"value": value, "label": (o.get("label") or "").strip() or value}
    if o.get("color") and o["color"].lower() != "#6c757d":
        out["color"] = o["color"]
    if not o.get("active", True):
        out["active"] = False
    return out


def form_data(doc: Mapping[str, Any]) -> dict[str, Any]:
    """Form data for an existing field's document (the inverse of :func:`field_document`)."""
    data: dict[str, Any] = {k: v for k, v in doc.items() if k not in ("options", "rollup", "targets", "default")}
    if "default" in doc:
        data["default"] = doc["default"] if isinstance(doc["default"], str) else json.dumps(doc["default"])
    if "targets" in doc:
        data["targets"] = ", ".join(doc["targets"])
    if "options" in doc:
        data["options"] = [{"value": o, "label": o, "active": True} if isinstance(o, str)
                           else {"label": o.get("label", o["value"]), "color": o.get("color", "#6c757d"),
                                 "active": o.get("active", True), "value": o["value"]} for o in doc["options"]]
    rollup = doc.get("rollup")
    if rollup:
        data.update(rollup_child=rollup["child"], rollup_relationship_field=rollup["relationship_field"],
                    rollup_function=rollup["function"], rollup_field=rollup.get("field", ""),
                    rollup_filter=urlencode(rollup.get("filter", {})))
    return data


def name_ok(form: FieldEditorBase) -> bool:
    """Server-side name rule in the form's words (the loader repeats it with the JSON path)."""
    problem = field_name_problem((form.name.data or "").strip())
    if problem:
        form.name.errors = [*form.name.errors, problem]
    return problem is None
