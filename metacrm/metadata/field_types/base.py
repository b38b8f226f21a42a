"""The field-type contract: what every type must say about storage, coercion and schema."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ..definitions import FieldDef


class FieldValueError(ValueError):
    """A value that does not fit its field; ``code`` is machine-readable."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class StorageColumn:
    """One physical column a field needs. ``kind`` is mapped to SQL by the platform."""

    name: str
    kind: str  # string | text | integer | decimal | date | datetime | boolean | json | reference
    length: int | None = None
    precision: int | None = None
    scale: int | None = None
    target: str | None = None  # referenced object, for kind == "reference"
    on_delete: str | None = None


class FieldType:
    """Base class. Subclasses override the parts that differ."""

    name: ClassVar[str]
    label: ClassVar[str]
    #: Types whose stored values this type can take over on a type change.
    convertible: ClassVar[bool] = True
    #: Computed types are written by the logic layer, never by users.
    computed: ClassVar[bool] = False
    #: Type-specific definition keys this type accepts (beyond the common ones).
    settings: ClassVar[frozenset[str]] = frozenset({"max_length"})

    def columns(self, f: FieldDef) -> list[StorageColumn]:
        return [StorageColumn(f.name, "string", length=f.max_length or 255)]

    def coerce(self, value: Any, f: FieldDef) -> Any:
        """Turn a raw (JSON or form) value into the stored Python value or raise."""
        if not isinstance(value, str):
            value = str(value)
        if f.max_length is not None and len(value) > f.max_length:
            raise FieldValueError(
                "too_long", f"must be at most {f.max_length} characters (got {len(value)})"
            )
        return value

    def to_json(self, value: Any, f: FieldDef) -> Any:
        return value

    def value_schema(self, f: FieldDef) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string"}
        if f.max_length:
            schema["maxLength"] = f.max_length
        return schema
