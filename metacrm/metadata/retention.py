"""Retention policies and the personal-data flag of an object (pure: no database here).

``retention: {"after_years": 7, "inactivity_field": "updated_at", "action": "review"|"anonymise",
"anonymise_fields": [...]}`` says that a record untouched for ``after_years`` (judged by a date or
date-time field, ``updated_at`` by default) is due: listed for review, or anonymised in place by
``metacrm retention run``. ``personal_data: true`` marks an object whose records are people, so the
personal-data tools (access requests, erasure) apply to it. docs/data.md tells the whole story.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping

from dateutil.relativedelta import relativedelta

from .errors import MetadataIssue

if TYPE_CHECKING:
    from .definitions import FieldDef, ObjectDef

ACTIONS = ("review", "anonymise")
DATE_TYPES = ("date", "datetime")
SYSTEM_DATES = ("created_at", "updated_at")
#: Types whose value is about a person and is cleared (not renamed) when the record is anonymised.
CLEARED_TYPES = ("email", "phone", "url", "text", "long_text", "rich_text", "date", "datetime", "address",
                 "file", "image")
ERASED_NAME = "Erased person #{id}"


@dataclass(frozen=True)
class RetentionDef:
    after_years: int
    action: str = "review"
    inactivity_field: str = "updated_at"
    anonymise_fields: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"after_years": self.after_years, "action": self.action}
        if self.inactivity_field != "updated_at":
            out["inactivity_field"] = self.inactivity_field
        if self.anonymise_fields:
            out["anonymise_fields"] = list(self.anonymise_fields)
        return out


def retention_from_json(doc: Any) -> RetentionDef | None:
    """The policy of a schema-valid document (None when absent or not an object)."""
    if not isinstance(doc, Mapping) or not isinstance(doc.get("after_years"), int):
        return None
    return RetentionDef(after_years=doc["after_years"], action=doc.get("action", "review"),
                        inactivity_field=doc.get("inactivity_field", "updated_at"),
                        anonymise_fields=tuple(doc.get("anonymise_fields", ())))


def check_retention(obj: "ObjectDef", path: str) -> list[MetadataIssue]:
    """The inactivity field is a date of the object; anonymised fields exist and may be emptied."""
    policy = getattr(obj, "retention", None)
    if policy is None:
        return []
    issues: list[MetadataIssue] = []
    rpath = f"{path}.retention"
    field = obj.field(policy.inactivity_field)
    if policy.inactivity_field not in SYSTEM_DATES and (field is None or field.type not in DATE_TYPES):
        issues.append(MetadataIssue(f"{rpath}.inactivity_field",
                                    f'"{policy.inactivity_field}" is not a date or date-time field of '
                                    f'{obj.name} (nor created_at / updated_at)'))
    for i, name in enumerate(policy.anonymise_fields):
        f = obj.field(name)
        if f is None:
            issues.append(MetadataIssue(f"{rpath}.anonymise_fields[{i}]", f'{obj.name} has no field "{name}"'))
        elif f.required and name != obj.name_field:
            issues.append(MetadataIssue(f"{rpath}.anonymise_fields[{i}]",
                                        f'"{name}" is required, so it cannot be emptied when a record is anonymised'))
    if policy.action == "anonymise" and not personal_fields(obj):
        issues.append(MetadataIssue(f"{rpath}.action", "anonymise needs fields to anonymise: list them in "
                                    "anonymise_fields or mark fields sensitive"))
    return issues


def cutoff(today: dt.date, policy: RetentionDef) -> dt.datetime:
    """Records whose inactivity field is before this moment are due."""
    start = today - relativedelta(years=policy.after_years)
    return dt.datetime.combine(start, dt.time.min, tzinfo=dt.timezone.utc)


def personal_fields(obj: "ObjectDef") -> tuple[str, ...]:
    """What anonymising touches: fields marked sensitive, those the policy lists, the name field and, on
    a ``personal_data`` object, its emails, phones and other name fields (first_name, ...)."""
    policy = getattr(obj, "retention", None)
    listed = set(policy.anonymise_fields) if policy else set()
    personal = getattr(obj, "personal_data", False)
    names = [f.name for f in obj.fields if f.sensitive or f.name in listed
             or (personal and (f.type in ("email", "phone") or (f.type == "text" and "name" in f.name)))]
    if obj.name_field and (names or getattr(obj, "personal_data", False)):
        names.append(obj.name_field)
    return tuple(dict.fromkeys(names))


def anonymised_values(obj: "ObjectDef", record_id: int, names: tuple[str, ...]) -> dict[str, Any]:
    """The changes that anonymise one record: the name becomes "Erased person #id", other personal
    fields are emptied (required text ones get the same placeholder, as they cannot be empty)."""
    changes: dict[str, Any] = {}
    for name in names:
        f = obj.field(name)
        if f is None or f.type in ("formula", "rollup", "autonumber"):
            continue
        if name == obj.name_field or (f.required and _textual(f)):
            changes[name] = ERASED_NAME.format(id=record_id) if _textual(f) else None
        elif not f.required:
            changes[name] = None
    return changes


def _textual(f: "FieldDef") -> bool:
    return f.type in ("text", "long_text")
