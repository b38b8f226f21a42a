"""Types that hold one plain value: text, numbers, dates, booleans, choices."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal, InvalidOperation
from html import unescape
from typing import Any, ClassVar
from urllib.parse import urlsplit

import nh3

from ..definitions import FieldDef
from .base import FieldType, FieldValueError, StorageColumn


class TextType(FieldType):
    name, label = "text", "Text"


class LongTextType(FieldType):
    name, label = "long_text", "Long text"

    def columns(self, f: FieldDef) -> list[StorageColumn]:
        return [StorageColumn(f.name, "text")]


class RichTextType(LongTextType):
    """HTML from the rich-text editor, sanitised on every write with nh3 (the Ammonia sanitiser).

    Sanitising is coercion, so every writer — forms, the API, imports, workflows,
    type changes — stores only the allow-listed markup below: no script, style,
    event handler or ``javascript:``/``data:`` URL survives, and every link gets
    ``rel="noopener noreferrer"``. ``max_length`` counts the sanitised HTML.
    """

    name, label = "rich_text", "Rich text"
    TAGS: ClassVar[frozenset[str]] = frozenset({
        "p", "br", "strong", "b", "em", "i", "u", "s", "ul", "ol", "li", "a", "h2", "h3", "h4",
        "blockquote", "code", "pre"})
    ATTRIBUTES: ClassVar[dict[str, set[str]]] = {"*": set(), "a": {"href"}}  # "*": no lang/title anywhere
    URL_SCHEMES: ClassVar[frozenset[str]] = frozenset({"http", "https", "mailto", "tel"})
    #: Removed together with their content (the text of a script is not prose).
    DROPPED: ClassVar[frozenset[str]] = frozenset({
        "script", "style", "template", "iframe", "object", "embed", "svg", "math", "noscript", "textarea",
        "select", "title", "head"})

    @classmethod
    def sanitise(cls, html: str) -> str:
        return nh3.clean(html, tags=set(cls.TAGS), clean_content_tags=set(cls.DROPPED),
                         attributes={k: set(v) for k, v in cls.ATTRIBUTES.items()}, url_schemes=set(cls.URL_SCHEMES),
                         url_relative="deny", link_rel="noopener noreferrer", strip_comments=True).strip()

    @classmethod
    def plain_text(cls, html: str) -> str:
        """The words only, blocks separated by spaces: for list cells, exports and search snippets."""
        spaced = re.sub(r"(?i)<(br|/p|/li|/h[2-4]|/blockquote|/pre)\b[^>]*>", " ", str(html))
        return " ".join(unescape(nh3.clean(spaced, tags=set(), clean_content_tags=set(cls.DROPPED))).split())

    def coerce(self, value: Any, f: FieldDef) -> Any:
        clean = self.sanitise(value if isinstance(value, str) else str(value))
        return super().coerce(clean, f)


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
