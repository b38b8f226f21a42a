"""The object manager's forms and the pure steps from form data to an object document."""

from __future__ import annotations

from typing import Any, Mapping

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from metacrm.metadata.names import suggest_name

#: A curated set of Bootstrap Icons that suit business objects (the full set has ~2,000).
ICONS = ("briefcase", "building", "person", "people", "person-badge", "telephone", "envelope", "calendar-event",
         "cash-coin", "currency-dollar", "receipt", "cart", "box-seam", "truck", "house", "geo-alt", "flag",
         "star", "trophy", "clipboard-check", "journal-text", "file-earmark-text", "folder", "tag", "tags",
         "ticket", "megaphone", "chat-dots", "headset", "tools", "gear", "lightning", "graph-up", "bank",
         "heart-pulse", "hospital", "mortarboard", "key", "shield-check", "globe")
NAME_RULE = Regexp(r"^[a-z](?:[a-z0-9]|_(?!_))*$",
                   message="Lower case letters, digits and single underscores, starting with a letter.")


class ObjectSettingsForm(FlaskForm):
    label = StringField("Label", validators=[DataRequired(), Length(max=120)],
                        description="One record, as people say it: “Property”, “Invoice”.")
    plural_label = StringField("Plural label", validators=[Optional(), Length(max=120)],
                               description="Shown in the navigation and list titles. Empty: label + s.")
    description = TextAreaField("Description", validators=[Optional(), Length(max=2000)])
    icon = RadioField("Icon", choices=[(i, i) for i in ICONS], default="box-seam", validators=[Optional()])
    name_field = SelectField("Name field", validators=[Optional()],
                             description="The field that names a record in titles, lookups and search results.")
    search_fields = SelectMultipleField("Search fields", validators=[Optional()],
                                        description="Fields the search box looks in.")


class NewObjectForm(ObjectSettingsForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=40), NAME_RULE],
                       description="Used in URLs, the API and formulas. Suggested from the label.")
    name_field_label = StringField("Name field label", default="Name", validators=[DataRequired(), Length(max=120)],
                                   description="Every record gets a required text field with this label.")


def plural(label: str) -> str:
    label = label.strip()
    if label.endswith("y") and label[-2:-1] not in "aeiou":
        return label[:-1] + "ies"
    return label + ("es" if label.endswith(("s", "x", "ch", "sh")) else "s")


def new_object_document(data: Mapping[str, Any]) -> dict[str, Any]:
    """The first version of an object: its settings plus the required text field that names records (pure)."""
    name_label = (data.get("name_field_label") or "Name").strip()
    name_field = suggest_name(name_label)
    label = data["label"].strip()
    doc: dict[str, Any] = {"name": data["name"].strip(), "label": label,
                           "plural_label": (data.get("plural_label") or "").strip() or plural(label),
                           "fields": [{"name": name_field, "type": "text", "label": name_label, "required": True}],
                           "name_field": name_field, "search_fields": [name_field]}
    if data.get("icon"):
        doc["icon"] = data["icon"]
    if (data.get("description") or "").strip():
        doc["description"] = data["description"].strip()
    return doc


def updated_object_document(current: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
    """``current`` (the exported object) with the settings form applied; fields and the rest kept (pure)."""
    doc = dict(current)
    label = data["label"].strip()
    doc.update(label=label, plural_label=(data.get("plural_label") or "").strip() or plural(label))
    for key in ("description", "icon", "name_field"):
        value = (data.get(key) or "").strip()
        if value:
            doc[key] = value
        else:
            doc.pop(key, None)
    search = [s for s in data.get("search_fields") or [] if s]
    if search:
        doc["search_fields"] = search
    else:
        doc.pop("search_fields", None)
    return doc
