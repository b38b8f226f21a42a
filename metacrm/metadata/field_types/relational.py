"""Types that point at other records or at stored files."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from ..definitions import FieldDef
from .base import FieldType, FieldValueError, StorageColumn
from .scalar import IntegerType


class LookupType(IntegerType):
    name, label = "lookup", "Lookup"
    settings = frozenset({"target", "on_delete"})
    convertible = False
    default_on_delete: ClassVar[str] = "restrict"

    def columns(self, f: FieldDef) -> list[StorageColumn]:
        return [StorageColumn(f.name, "reference", target=f.target, on_delete=f.on_delete or self.default_on_delete)]

    def coerce(self, value: Any, f: FieldDef) -> Any:
        if isinstance(value, dict) and "id" in value:
            value = value["id"]
        try:
            return super().coerce(value, f)
        except FieldValueError:
            raise FieldValueError("invalid_reference", f"must be the id of a {f.target} record") from None

    def value_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "integer", "minimum": 1, "maximum": 2**63 - 1, "description": f"id of a {f.target} record"}


class MasterDetailType(LookupType):
    name, label = "master_detail", "Master-detail"
    default_on_delete = "cascade"


class PolymorphicLookupType(FieldType):
    """A reference to a record of any of several objects: two columns, object and id."""

    name, label = "polymorphic_lookup", "Polymorphic lookup"
    settings = frozenset({"targets", "on_delete"})
    convertible = False

    def columns(self, f: FieldDef) -> list[StorageColumn]:
        return [
            StorageColumn(f"{f.name}_object", "string", length=40),
            StorageColumn(f"{f.name}_id", "integer"),
        ]

    def coerce(self, value: Any, f: FieldDef) -> Any:
        if not isinstance(value, dict) or set(value) - {"object", "id"} or "object" not in value:
            raise FieldValueError("invalid_reference", 'must look like {"object": "account", "id": 42}')
        if value["object"] not in f.targets:
            raise FieldValueError(
                "invalid_reference", f"may point at one of: {', '.join(f.targets)} (got \"{value['object']}\")"
            )
        return {"object": value["object"], "id": IntegerType().coerce(value.get("id"), f)}

    def value_schema(self, f: FieldDef) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {"object": {"type": "string", "enum": list(f.targets)}, "id": {"type": "integer"}},
            "required": ["object", "id"],
            "additionalProperties": False,
        }


class FileType(FieldType):
    """The row keeps a small JSON reference; the bytes live in the file store.

    Only the reference's *shape* is checked here (this package has no database): the
    platform's file hooks (``metacrm/platform/files/record_hooks.py``) check in the
    record's transaction that the key names a file the actor may attach, and replace
    name, size and type with what the store recorded. A bare key string is accepted
    too, as a form or an import sends it.
    """

    name, label = "file", "File"
    settings = frozenset()
    convertible = False
    KEY_PATTERN: ClassVar[str] = "^[A-Za-z0-9_-]{20,64}$"

    def columns(self, f: FieldDef) -> list[StorageColumn]:
        return [StorageColumn(f.name, "json")]

    def coerce(self, value: Any, f: FieldDef) -> Any:
        if isinstance(value, str):
            value = {"key": value.strip()}
        key = value.get("key") if isinstance(value, dict) else None
        if not isinstance(key, str) or not re.match(self.KEY_PATTERN, key):
            raise FieldValueError("invalid_file", 'must be the reference of an uploaded file {"key": ..., "name": ...}'
                                  " (upload it first: POST /api/v1/files)")
        return {k: value[k] for k in ("key", "name", "size", "content_type") if k in value}

    def value_schema(self, f: FieldDef) -> dict[str, Any]:
        return {
            "type": "object",
            "description": "the reference POST /api/v1/files returned; only key is needed",
            "properties": {"key": {"type": "string", "pattern": self.KEY_PATTERN}, "name": {"type": "string"},
                           "size": {"type": "integer"}, "content_type": {"type": "string"}},
            "required": ["key"],
        }


REFERENCE_TYPES = ("lookup", "master_detail")
