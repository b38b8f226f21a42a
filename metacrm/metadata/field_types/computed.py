"""Types whose values MetaCRM computes: autonumbers, formulas, roll-ups."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..definitions import FieldDef
from .base import FieldType, StorageColumn
from .registry import FIELD_TYPES


class AutonumberType(FieldType):
    name, label = "autonumber", "Auto number"
    settings = frozenset({"pattern"})
    computed = True

    def columns(self, f: FieldDef) -> list[StorageColumn]:
        return [StorageColumn(f.name, "string", length=64)]


class _ResultTyped(FieldType):
    """Formula and rollup: stored like their result type, written only by the logic layer."""

    computed = True
    convertible = False

    def result_type(self, f: FieldDef) -> FieldType:
        return FIELD_TYPES.get(f.result_type or "decimal")

    def result_field(self, f: FieldDef) -> FieldDef:
        return replace(f, type=f.result_type or "decimal")

    def columns(self, f: FieldDef) -> list[StorageColumn]:
        return self.result_type(f).columns(self.result_field(f))

    def coerce(self, value: Any, f: FieldDef) -> Any:
        return self.result_type(f).coerce(value, self.result_field(f))

    def to_json(self, value: Any, f: FieldDef) -> Any:
        return self.result_type(f).to_json(value, self.result_field(f))

    def value_schema(self, f: FieldDef) -> dict[str, Any]:
        return {**self.result_type(f).value_schema(self.result_field(f)), "readOnly": True}


class FormulaType(_ResultTyped):
    name, label = "formula", "Formula"
    settings = frozenset({"formula", "result_type", "stored", "precision", "scale", "max_length"})

    def columns(self, f: FieldDef) -> list[StorageColumn]:
        return super().columns(f) if f.stored else []


class RollupType(_ResultTyped):
    name, label = "rollup", "Roll-up summary"
    settings = frozenset({"rollup", "result_type", "precision", "scale"})

    def result_field(self, f: FieldDef) -> FieldDef:
        kind = "integer" if f.rollup and f.rollup.function == "count" else (f.result_type or "decimal")
        return replace(f, type=kind)

    def result_type(self, f: FieldDef) -> FieldType:
        return FIELD_TYPES.get(self.result_field(f).type)


#: The result types a formula or rollup may declare.
RESULT_TYPES = ("text", "integer", "decimal", "currency", "percent", "date", "datetime", "boolean")
