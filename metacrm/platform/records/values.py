"""Pure conversions between a record's field values and its row.

Coercion and per-field validation live here, free of the database, so they
can be specified exhaustively in unit tests: a raw JSON or form value goes
in, a typed value or a :class:`FieldError` comes out. Checks that need the
database (lookups exist, uniqueness) are in ``integrity``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Mapping

from metacrm.metadata.compiled import CompiledField, CompiledObject
from metacrm.metadata.field_types import FieldValueError
from metacrm.metadata.names import did_you_mean

from .errors import FieldError

#: System columns a client may read; ``version`` is also accepted as the lock token.
SYSTEM_FIELDS = ("id", "created_at", "updated_at", "created_by", "updated_by", "owner", "version")
WRITABLE_SYSTEM = ("owner",)
CURRENCY_CODE = "currency_code"
CURRENCY_RE = re.compile(r"^[A-Z]{3}$")


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == [] or value == {}


def writable_fields(obj: CompiledObject) -> list[CompiledField]:
    return [f for f in obj.fields.values() if not f.field_type.computed]


def check_keys(obj: CompiledObject, data: Mapping[str, Any], *, allow: tuple[str, ...] = (),
               unsuggested: frozenset[str] = frozenset()) -> list[FieldError]:
    """Unknown and read-only keys, so a typo never silently drops a value.

    ``unsuggested`` (the caller's hidden fields) are never offered as "did you mean",
    which would tell a user the name of a field hidden from them.
    """
    errors = []
    known = set(obj.fields) | set(SYSTEM_FIELDS) | {CURRENCY_CODE}
    for key in data:
        if key in allow or key in WRITABLE_SYSTEM:
            continue
        if key == CURRENCY_CODE:
            if not obj.definition.multi_currency:
                errors.append(FieldError(key, "read_only", f"{obj.definition.label} uses one currency "
                                         f"({obj.definition.currency}); records cannot set their own"))
            continue
        if key not in known:
            errors.append(FieldError(key, "unknown_field",
                                     f"is not a field of {obj.definition.label}"
                                     f"{did_you_mean(key, known - unsuggested)}"))
        elif key in SYSTEM_FIELDS or obj.fields[key].field_type.computed:
            errors.append(FieldError(key, "read_only", "is set by MetaCRM and cannot be written"))
    return errors


def coerce_values(obj: CompiledObject, data: Mapping[str, Any], *, creating: bool) -> tuple[dict[str, Any], list[FieldError]]:
    """Typed values for the writable fields present in ``data`` (defaults applied on create)."""
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for f in writable_fields(obj):
        d = f.definition
        if d.name in data:
            raw = data[d.name]
        elif creating and isinstance(d.default, str) and d.default.startswith("="):
            continue  # an expression default: the logic layer's before-save hook evaluates it
        elif creating and d.default is not None:
            raw = d.default
        elif creating and d.type == "boolean":
            raw = False
        else:
            continue
        if is_empty(raw):
            if d.required:
                errors.append(FieldError(d.name, "required", "is required"))
            values[d.name] = None
            continue
        if isinstance(raw, str) and not storable_text(raw):
            errors.append(FieldError(d.name, "invalid_text", UNSTORABLE_TEXT))
            continue
        try:
            values[d.name] = f.field_type.coerce(raw, d)
        except FieldValueError as exc:
            errors.append(FieldError(d.name, exc.code, exc.message))
    if creating:
        for f in writable_fields(obj):
            if f.definition.required and f.name not in data and f.definition.default is None \
                    and f.definition.type != "boolean":
                errors.append(FieldError(f.name, "required", "is required"))
    if obj.definition.multi_currency:
        code = data.get(CURRENCY_CODE)
        if code is None and creating:
            values[CURRENCY_CODE] = obj.definition.currency
        elif code is not None:
            if isinstance(code, str) and CURRENCY_RE.match(code):
                values[CURRENCY_CODE] = code
            else:
                errors.append(FieldError(CURRENCY_CODE, "invalid_currency",
                                         "must be a three-letter ISO 4217 code such as USD or EUR"))
    if "owner" in data:
        try:
            values["owner"] = None if is_empty(data["owner"]) else _positive_int(data["owner"])
        except ValueError:
            errors.append(FieldError("owner", "invalid_reference", "must be the id of a user"))
    return values, errors


UNSTORABLE_TEXT = "must not contain NUL characters or unpaired UTF-16 surrogates"


UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable_text(text: str) -> bool:
    """Whether both databases can store ``text``: PostgreSQL refuses NUL, and neither can encode a lone surrogate."""
    return UNSTORABLE.search(text) is None


def _positive_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(value)
    number = int(str(value))
    if not 0 < number < 2**63:  # ids are 64-bit; a larger one must be refused, not overflow the driver
        raise ValueError(value)
    return number


def to_row(obj: CompiledObject, values: Mapping[str, Any]) -> dict[str, Any]:
    """Field values → column values (a polymorphic lookup spans two columns)."""
    row: dict[str, Any] = {}
    for name, value in values.items():
        f = obj.fields.get(name)
        if f is None:  # system columns: owner, currency_code
            row[name] = value
        elif f.definition.type == "polymorphic_lookup":
            row[f"{name}_object"] = value["object"] if value else None
            row[f"{name}_id"] = value["id"] if value else None
        elif f.columns:
            row[name] = value
    return row


def from_row(obj: CompiledObject, row: Mapping[str, Any]) -> dict[str, Any]:
    """A row → the record's Python values keyed by field name (with system fields)."""
    record: dict[str, Any] = {k: _utc_value(row.get(k)) for k in SYSTEM_FIELDS}
    if obj.definition.multi_currency:
        record[CURRENCY_CODE] = row.get(CURRENCY_CODE)
    if row.get("deleted_at") is not None:
        record["deleted_at"] = _utc_value(row["deleted_at"])
    for name, f in obj.fields.items():
        if f.definition.type == "polymorphic_lookup":
            target, rid = row.get(f"{name}_object"), row.get(f"{name}_id")
            record[name] = {"object": target, "id": rid} if target and rid is not None else None
        else:
            record[name] = _utc_value(row.get(name)) if f.columns else None
    return record


def _utc_value(value: Any) -> Any:
    """Datetimes as aware UTC, whatever the database hands back.

    Every datetime is written in UTC, but SQLite returns it naive and
    PostgreSQL in the session's time zone. Normalising here means a record
    read back compares equal to the coerced values it was written from, so an
    update that repeats a stored datetime is a no-op on both databases.
    """
    if not isinstance(value, dt.datetime):
        return value
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc)


def to_json(obj: CompiledObject, record: Mapping[str, Any]) -> dict[str, Any]:
    """The record as JSON: exact decimals as strings, times in ISO 8601 UTC."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        f = obj.fields.get(key)
        if isinstance(value, str) and getattr(value, "masked", False):
            out[key] = str(value)  # shown masked (security.masking): already the text to show
        elif f is not None:
            out[key] = f.field_type.to_json(value, f.definition) if value is not None else None
        elif isinstance(value, dt.datetime):
            out[key] = _utc(value)
        else:
            out[key] = value
    return out


def _utc(value: dt.datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(k for k in after if k not in ("updated_at", "updated_by", "version") and before.get(k) != after.get(k))
