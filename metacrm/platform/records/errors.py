"""Errors of the record path, each carrying everything a form or API client needs.

Validation reports every invalid field at once (a user fixing a form should
not discover problems one submit at a time), each with the field's name, a
machine-readable code and a sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import Conflict, NotFound, Unprocessable


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


class RecordInvalid(Unprocessable):
    """One record (or, in bulk, some rows) failed validation; nothing was written."""

    type_slug = "record-invalid"

    def __init__(self, detail: str, field_errors: list[FieldError] | None = None, **extra: Any):
        self.field_errors = list(field_errors or [])
        if field_errors is not None:
            extra.setdefault("errors", [e.to_json() for e in self.field_errors])
        super().__init__(detail, **extra)


def invalid(object_label: str, errors: list[FieldError]) -> RecordInvalid:
    fields = ", ".join(dict.fromkeys(e.field for e in errors))
    noun = "field is" if len({e.field for e in errors}) == 1 else "fields are"
    return RecordInvalid(f"The {object_label} was not saved: {noun} invalid ({fields})", errors)


class RecordNotFound(NotFound):
    type_slug = "record-not-found"


class VersionConflict(Conflict):
    """The record changed since the caller read it; the caller must reload."""

    type_slug = "version-conflict"


class DeleteRestricted(Conflict):
    """Other records still point at this one through a ``restrict`` lookup."""

    type_slug = "delete-restricted"
