"""The metadata language: schemas, definitions, validation, diffing, compiling.

Pure on purpose — no Flask, no database session — so packs, the CLI, tests
and the builder can validate and diff definitions anywhere. The platform
turns what this package produces into tables, forms and APIs.
"""

from .compiled import CompiledField, CompiledObject, CompiledSchema, compile_schema
from .definitions import FieldDef, MetadataBundle, ObjectDef, PicklistOption, RoleDef, RollupDef
from .diff import Operation, diff, impact
from .errors import MetadataError, MetadataIssue
from .field_types import FIELD_TYPES, FieldType, FieldValueError, StorageColumn
from .loader import Loaded, RenameHints, bundle_from_snapshot, load_bundle, load_objects

__all__ = [
    "CompiledField", "CompiledObject", "CompiledSchema", "compile_schema",
    "FieldDef", "MetadataBundle", "ObjectDef", "PicklistOption", "RoleDef", "RollupDef",
    "Operation", "diff", "impact",
    "MetadataError", "MetadataIssue",
    "FIELD_TYPES", "FieldType", "FieldValueError", "StorageColumn",
    "Loaded", "RenameHints", "bundle_from_snapshot", "load_bundle", "load_objects",
]
