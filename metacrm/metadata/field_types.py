"""Field types: one class per type, found through a registry plugins extend.

A field type knows everything that varies by type — the storage columns it
needs, how a raw value is coerced and checked, the JSON Schema of its value
and which other types it can be converted to — so that the planner, the
record service, the API and the forms never switch on type names.
Storage is described abstractly (:class:`StorageColumn`); the platform maps
it to SQL, which keeps this package free of database code.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar
from urllib.parse import urlsplit

from .definitions import FieldDef


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


class TextType(FieldType):
    name, label = "text", "Text"


class LongTextType(FieldType):
    name, label = "long_text", "Long text"

    def columns(self, f: FieldDef) -> list[StorageColumn]:
        return [StorageColumn(f.name, "text")]


class RichTextType(LongTextType):
    name, label = "rich_text", "Rich text"


EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_RE = re.compile(r"^\+?[0-9 ().\-/]{3,30}(?:\s*(?:x|ext\.?)\s*[0-9]{1,6})?$")


class EmailType(FieldType):
    name, label = "email", "Email"
    settings = frozenset()

    def columns(self, f: FieldDef) -> list[StorageColumn]:
        return [StorageColumn(f.name, "string", length=254)]

    def coerce(self, value: Any, f: FieldDef) -> Any:
        value = str(value).strip()
        if len(value) > 254 or not EMAIL_RE.match(value):
            raise FieldValueError("invalid_email", "must be an email address like name@example.com")
        return value

    def value_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "string", "format": "email", "maxLength": 254}


class PhoneType(FieldType):
    name, label = "phone", "Phone"
    settings = frozenset()

    def columns(self, f: FieldDef) -> list[StorageColumn]:
        return [StorageColumn(f.name, "string", length=40)]

    def coerce(self, value: Any, f: FieldDef) -> Any:
        value = str(value).strip()
        if not PHONE_RE.match(value) or sum(c.isdigit() for c in value) < 3:
            raise FieldValueError(
                "invalid_phone", "must be a phone number: digits, spaces, + ( ) - . and an optional extension"
            )
        return value


class UrlType(FieldType):
    name, label = "url", "URL"
    settings = frozenset()

    def columns(self, f: FieldDef) -> list[StorageColumn]:
        return [StorageColumn(f.name, "string", length=2048)]

    def coerce(self, value: Any, f: FieldDef) -> Any:
        value = str(value).strip()
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(value) > 2048:
            raise FieldValueError("invalid_url", "must be a web address starting with http:// or https://")
        return value

    def value_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "string", "format": "uri", "maxLength": 2048}


class IntegerType(FieldType):
    name, label = "integer", "Whole number"
    settings = frozenset()

    def columns(self, f: FieldDef) -> list[StorageColumn]:
        return [StorageColumn(f.name, "integer")]

    def coerce(self, value: Any, f: FieldDef) -> Any:
        if isinstance(value, bool):
            raise FieldValueError("invalid_integer", "must be a whole number")
        try:
            number = Decimal(str(value).strip()) if not isinstance(value, int) else Decimal(value)
        except InvalidOperation:
            raise FieldValueError("invalid_integer", "must be a whole number") from None
        if not number.is_finite() or number != number.to_integral_value():
            raise FieldValueError("invalid_integer", "must be a whole number")
        if abs(number) >= 2**63:
            raise FieldValueError("out_of_range", "is too large")
        return int(number)

    def value_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "integer", "minimum": -(2**63) + 1, "maximum": 2**63 - 1}


class DecimalType(FieldType):
    name, label = "decimal", "Decimal number"
    settings = frozenset({"precision", "scale"})
    default_precision: ClassVar[int] = 18
    default_scale: ClassVar[int] = 4

    def digits(self, f: FieldDef) -> tuple[int, int]:
        return (f.precision or self.default_precision, f.scale if f.scale is not None else self.default_scale)

    def columns(self, f: FieldDef) -> list[StorageColumn]:
        precision, scale = self.digits(f)
        return [StorageColumn(f.name, "decimal", precision=precision, scale=scale)]

    def coerce(self, value: Any, f: FieldDef) -> Any:
        if isinstance(value, (bool, float)):
            # Floats are refused: 0.1 + 0.2 is not money. JSON numbers arrive as
            # Decimal when parsed with parse_float=Decimal, strings always work.
            if isinstance(value, bool):
                raise FieldValueError("invalid_number", "must be a number")
            value = repr(value)
        try:
            number = Decimal(str(value).strip().replace(",", ""))
        except InvalidOperation:
            raise FieldValueError("invalid_number", "must be a number") from None
        if not number.is_finite():
            raise FieldValueError("invalid_number", "must be a finite number")
        precision, scale = self.digits(f)
        if abs(number) >= Decimal(10) ** (precision - scale):
            raise FieldValueError(
                "out_of_range", f"must have at most {precision - scale} digits before the point"
            )
        quantum = Decimal(1).scaleb(-scale)
        if number != number.quantize(quantum):
            raise FieldValueError("too_many_decimals", f"may have at most {scale} digits after the point")
        return number.quantize(quantum)

    def to_json(self, value: Any, f: FieldDef) -> Any:
        return None if value is None else str(value)

    def value_schema(self, f: FieldDef) -> dict[str, Any]:
        precision, scale = self.digits(f)
        return {
            "type": "string",
            "pattern": rf"^-?\d{{1,{precision - scale}}}(\.\d{{1,{scale}}})?$" if scale else rf"^-?\d{{1,{precision}}}$",
            "description": f"exact decimal as text, up to {scale} decimals",
        }


class CurrencyType(DecimalType):
    name, label = "currency", "Currency"
    settings = frozenset({"precision", "scale", "currency"})
    default_scale = 2


class PercentType(DecimalType):
    name, label = "percent", "Percent"
    default_precision = 9
    default_scale = 4


class DateType(FieldType):
    name, label = "date", "Date"
    settings = frozenset()

    def columns(self, f: FieldDef) -> list[StorageColumn]:
        return [StorageColumn(f.name, "date")]

    def coerce(self, value: Any, f: FieldDef) -> Any:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        try:
            if len(text) != 10:
                raise ValueError(text)
            return dt.date.fromisoformat(text)
        except ValueError:
            raise FieldValueError("invalid_date", "must be a date like 2026-01-31") from None

    def to_json(self, value: Any, f: FieldDef) -> Any:
        return None if value is None else value.isoformat()

    def value_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "string", "format": "date"}


class DateTimeType(FieldType):
    name, label = "datetime", "Date and time"
    settings = frozenset()

    def columns(self, f: FieldDef) -> list[StorageColumn]:
        return [StorageColumn(f.name, "datetime")]

    def coerce(self, value: Any, f: FieldDef) -> Any:
        if not isinstance(value, dt.datetime):
            text = str(value).strip().replace("Z", "+00:00")
            try:
                value = dt.datetime.fromisoformat(text)
            except ValueError:
                raise FieldValueError(
                    "invalid_datetime", "must be a date and time like 2026-01-31T14:30:00Z"
                ) from None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)

    def to_json(self, value: Any, f: FieldDef) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")

    def value_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "string", "format": "date-time"}


TRUE_WORDS = {"true", "1", "yes", "y", "on"}
FALSE_WORDS = {"false", "0", "no", "n", "off", ""}


class BooleanType(FieldType):
    name, label = "boolean", "Checkbox"
    settings = frozenset()

    def columns(self, f: FieldDef) -> list[StorageColumn]:
        return [StorageColumn(f.name, "boolean")]

    def coerce(self, value: Any, f: FieldDef) -> Any:
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise FieldValueError("invalid_boolean", "must be true or false")

    def value_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "boolean"}


class PicklistType(FieldType):
    name, label = "picklist", "Picklist"
    settings = frozenset({"options"})

    def columns(self, f: FieldDef) -> list[StorageColumn]:
        return [StorageColumn(f.name, "string", length=100)]

    def coerce(self, value: Any, f: FieldDef) -> Any:
        value = str(value)
        if value not in f.option_values:
            raise FieldValueError(
                "invalid_choice", f"must be one of: {', '.join(f.option_values)} (got \"{value}\")"
            )
        return value

    def value_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "string", "enum": list(f.option_values)}


class MultiPicklistType(FieldType):
    name, label = "multi_picklist", "Multi-select picklist"
    settings = frozenset({"options"})

    def columns(self, f: FieldDef) -> list[StorageColumn]:
        return [StorageColumn(f.name, "json")]

    def coerce(self, value: Any, f: FieldDef) -> Any:
        if isinstance(value, str):
            try:
                value = json.loads(value) if value.startswith("[") else [v.strip() for v in value.split(";") if v.strip()]
            except ValueError:
                raise FieldValueError("invalid_choice", 'must be a list of choices, e.g. ["A", "B"] or A;B') from None
        if not isinstance(value, (list, tuple)):
            raise FieldValueError("invalid_choice", "must be a list of choices")
        bad = [str(v) for v in value if str(v) not in f.option_values]
        if bad:
            raise FieldValueError(
                "invalid_choice", f"{', '.join(bad)} not among the choices: {', '.join(f.option_values)}"
            )
        return [v for v in f.option_values if v in {str(x) for x in value}]

    def value_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "array", "items": {"type": "string", "enum": list(f.option_values)}, "uniqueItems": True}


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


class AutonumberType(FieldType):
    name, label = "autonumber", "Auto number"
    settings = frozenset({"pattern"})
    computed = True

    def columns(self, f: FieldDef) -> list[StorageColumn]:
        return [StorageColumn(f.name, "string", length=64)]


class FileType(FieldType):
    """The row keeps a small JSON reference; the bytes live in the file store."""

    name, label = "file", "File"
    settings = frozenset()
    convertible = False

    def columns(self, f: FieldDef) -> list[StorageColumn]:
        return [StorageColumn(f.name, "json")]

    def coerce(self, value: Any, f: FieldDef) -> Any:
        if not isinstance(value, dict) or not isinstance(value.get("key"), str):
            raise FieldValueError("invalid_file", 'must be a stored file reference {"key": ..., "name": ...}')
        return {k: value[k] for k in ("key", "name", "size", "content_type") if k in value}

    def value_schema(self, f: FieldDef) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {"key": {"type": "string"}, "name": {"type": "string"}, "size": {"type": "integer"},
                           "content_type": {"type": "string"}},
            "required": ["key"],
        }


class _ResultTyped(FieldType):
    """Formula and rollup: stored like their result type, written only by the logic layer."""

    computed = True
    convertible = False

    def result_type(self, f: FieldDef) -> FieldType:
        return FIELD_TYPES.get(f.result_type or "decimal")

    def result_field(self, f: FieldDef) -> FieldDef:
        from dataclasses import replace

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
        from dataclasses import replace

        kind = "integer" if f.rollup and f.rollup.function == "count" else (f.result_type or "decimal")
        return replace(f, type=kind)

    def result_type(self, f: FieldDef) -> FieldType:
        return FIELD_TYPES.get(self.result_field(f).type)


#: The result types a formula or rollup may declare.
RESULT_TYPES = ("text", "integer", "decimal", "currency", "percent", "date", "datetime", "boolean")


class FieldTypeRegistry:
    """Field types by name. Plugins register before the registry is frozen.

    Freezing happens when the app starts serving, so a compiled schema never
    sees the set of types change underneath it.
    """

    def __init__(self) -> None:
        self._types: dict[str, FieldType] = {}
        self._frozen = False

    def register(self, cls: type[FieldType]) -> type[FieldType]:
        if self._frozen:
            raise RuntimeError(f"field type {cls.name!r} registered after the registry was frozen")
        self._types[cls.name] = cls()
        return cls

    def freeze(self) -> None:
        self._frozen = True

    def get(self, name: str) -> FieldType:
        return self._types[name]

    def __contains__(self, name: object) -> bool:
        return name in self._types

    def names(self) -> list[str]:
        return list(self._types)


FIELD_TYPES = FieldTypeRegistry()
for _cls in (
    TextType, LongTextType, RichTextType, EmailType, PhoneType, UrlType, IntegerType, DecimalType,
    CurrencyType, PercentType, DateType, DateTimeType, BooleanType, PicklistType, MultiPicklistType,
    LookupType, MasterDetailType, PolymorphicLookupType, AutonumberType, FormulaType, RollupType, FileType,
):
    FIELD_TYPES.register(_cls)

REFERENCE_TYPES = ("lookup", "master_detail")
