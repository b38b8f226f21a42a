"""Field types: one class per type, found through a registry plugins extend.

A field type knows everything that varies by type — the storage columns it
needs, how a raw value is coerced and checked, the JSON Schema of its value
and which other types it can be converted to — so that the planner, the
record service, the API and the forms never switch on type names.
Storage is described abstractly (:class:`StorageColumn`); the platform maps
it to SQL, which keeps this package free of database code.
"""

from __future__ import annotations

from .base import FieldType, FieldValueError, StorageColumn
from .computed import RESULT_TYPES, AutonumberType, FormulaType, RollupType
from .registry import FIELD_TYPES, FieldTypeRegistry
from .relational import REFERENCE_TYPES, FileType, LookupType, MasterDetailType, PolymorphicLookupType
from .scalar import (BooleanType, CurrencyType, DateTimeType, DateType, DecimalType, EmailType, IntegerType,
                     LongTextType, MultiPicklistType, PercentType, PhoneType, PicklistType, RichTextType, TextType,
                     UrlType)

for _cls in (
    TextType, LongTextType, RichTextType, EmailType, PhoneType, UrlType, IntegerType, DecimalType,
    CurrencyType, PercentType, DateType, DateTimeType, BooleanType, PicklistType, MultiPicklistType,
    LookupType, MasterDetailType, PolymorphicLookupType, AutonumberType, FormulaType, RollupType, FileType,
):
    FIELD_TYPES.register(_cls)

__all__ = [
    "FIELD_TYPES", "REFERENCE_TYPES", "RESULT_TYPES", "AutonumberType", "BooleanType", "CurrencyType",
    "DateTimeType", "DateType", "DecimalType", "EmailType", "FieldType", "FieldTypeRegistry", "FieldValueError",
    "FileType", "FormulaType", "IntegerType", "LongTextType", "LookupType", "MasterDetailType",
    "MultiPicklistType", "PercentType", "PhoneType", "PicklistType", "PolymorphicLookupType", "RichTextType",
    "RollupType", "StorageColumn", "TextType", "UrlType",
]
