"""Which names a query may use, and what each one is: a pure view of the compiled schema.

Field families are derived from storage (plus the few types whose values
need their own operators), so a plugin field type is queryable without this
module knowing it. System columns are described by synthetic definitions,
which lets them go through the same coercion as ordinary fields.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Mapping

from metacrm.metadata.compiled import CompiledObject, CompiledSchema
from metacrm.metadata.definitions import FieldDef
from metacrm.metadata.field_types import FIELD_TYPES, REFERENCE_TYPES, FieldType, StorageColumn

from .errors import Problem, unknown
from .model import FieldRef

#: System columns a client may filter, sort and group on (deleted_* are the recycle bin's business).
SYSTEM_FIELDS: Mapping[str, tuple[FieldDef, str]] = MappingProxyType({
    "id": (FieldDef("id", "integer", "ID"), "number"),
    "created_at": (FieldDef("created_at", "datetime", "Created at"), "datetime"),
    "updated_at": (FieldDef("updated_at", "datetime", "Updated at"), "datetime"),
    "created_by": (FieldDef("created_by", "integer", "Created by"), "reference"),
    "updated_by": (FieldDef("updated_by", "integer", "Updated by"), "reference"),
    "owner": (FieldDef("owner", "integer", "Owner"), "reference"),
    "version": (FieldDef("version", "integer", "Version"), "number"),
})
NOT_NULL_SYSTEM = ("id", "created_at", "updated_at", "version")
CURRENCY_CODE = FieldDef("currency_code", "text", "Currency", max_length=3)
KIND_FAMILIES = {"string": "text", "text": "text", "integer": "number", "decimal": "number", "date": "date",
                 "datetime": "datetime", "boolean": "boolean", "reference": "reference", "json": "json"}


@dataclass(frozen=True)
class Resolved:
    """A field reference plus what coercing its values needs (kept out of the frozen Query)."""

    ref: FieldRef
    definition: FieldDef
    field_type: FieldType


def value_definition(d: FieldDef, ftype: FieldType) -> FieldDef:
    """For formula and roll-up fields, the definition their values are stored as."""
    result_field = getattr(ftype, "result_field", None)
    return result_field(d) if callable(result_field) else d


def family_of(d: FieldDef, ftype: FieldType, columns: tuple[StorageColumn, ...]) -> str | None:
    if not columns:
        return None  # e.g. a formula computed when read: nothing to compare in SQL
    if len(columns) == 2 and d.type == "polymorphic_lookup":
        return "polymorphic"
    value_type = value_definition(d, ftype).type
    if value_type == "picklist":
        return "choice"
    if value_type == "multi_picklist":
        return "choices"
    return KIND_FAMILIES.get(columns[0].kind)


class FieldResolver:
    """Resolves names ("amount", "company__industry", "id") for one object of one schema."""

    def __init__(self, obj: CompiledObject, schema: CompiledSchema):
        self.obj = obj
        self.schema = schema
        self._cache: dict[tuple[str, str], Resolved | None] = {}

    @property
    def label(self) -> str:
        return self.obj.definition.label

    # --- one object --------------------------------------------------------------------------
    def _local(self, obj: CompiledObject, name: str, via: str | None, prefix: str) -> Resolved | None:
        key = (obj.name, name)
        if key not in self._cache:
            self._cache[key] = self._build(obj, name)
        found = self._cache[key]
        if found is None or via is None:
            return found
        # Through an outer join every column can be empty, even the target's id.
        hop = replace(found.ref, name=prefix + name, via=via, nullable=True)
        return Resolved(hop, found.definition, found.field_type)

    @staticmethod
    def _build(obj: CompiledObject, name: str) -> Resolved | None:
        if name in SYSTEM_FIELDS:
            d, family = SYSTEM_FIELDS[name]
            kind = {"number": "integer", "reference": "integer", "datetime": "datetime"}[family]
            ref = FieldRef(name, name, obj.name, (name,), family, kind, nullable=name not in NOT_NULL_SYSTEM)
            return Resolved(ref, d, FIELD_TYPES.get(d.type))
        if name == CURRENCY_CODE.name and obj.definition.multi_currency:
            ref = FieldRef(name, name, obj.name, (name,), "text", "string")
            return Resolved(ref, CURRENCY_CODE, FIELD_TYPES.get("text"))
        field = obj.fields.get(name)
        if field is None:
            return None
        family = family_of(field.definition, field.field_type, field.columns)
        if family is None:
            return None
        first = field.columns[0]
        ref = FieldRef(name, name, obj.name, tuple(c.name for c in field.columns), family, first.kind,
                       scale=first.scale)
        return Resolved(ref, field.definition, field.field_type)

    def names(self, obj: CompiledObject | None = None) -> list[str]:
        """Every queryable name of ``obj`` (default: the queried object), fields first."""
        obj = obj or self.obj
        fields = [n for n in obj.fields if self._local(obj, n, None, "") is not None]
        extra = [CURRENCY_CODE.name] if obj.definition.multi_currency else []
        return fields + extra + list(SYSTEM_FIELDS)

    def unqueryable_reason(self, name: str) -> str | None:
        field = self.obj.fields.get(name)
        if field is not None and not field.columns:
            return f'"{name}" is calculated when a record is read and has no stored value to query'
        return None

    # --- names with an optional hop ------------------------------------------------------------
    def field(self, name: str) -> Resolved:
        """A field of the queried object, or ``lookup__field`` one hop away; raises Problem."""
        head, _, rest = name.partition("__")
        if not rest:
            return self.own(head)
        lookup = self.lookup(head)
        return self.related(lookup, rest)

    def own(self, name: str) -> Resolved:
        found = self._local(self.obj, name, None, "")
        if found is None:
            reason = self.unqueryable_reason(name)
            if reason:
                raise Problem(reason, self.names())
            raise unknown(name, f"a field of {self.label}", self.names())
        return found

    def lookup(self, name: str) -> Resolved:
        """The lookup field a hop goes through."""
        found = self.own(name)
        if found.definition.type not in REFERENCE_TYPES:
            lookups = [n for n in self.obj.fields if self.obj.fields[n].definition.type in REFERENCE_TYPES]
            raise Problem(f'"{name}" is not a lookup field, so no related field can be reached through it',
                          lookups)
        if self.schema.object(found.definition.target or "") is None:
            raise Problem(f'the object "{found.definition.target}" that "{name}" points at does not exist')
        return found

    def related(self, lookup: Resolved, name: str) -> Resolved:
        target = self.schema.objects[lookup.definition.target or ""]
        if "__" in name:
            raise Problem("only one lookup can be followed (write lookup__field)")
        found = self._local(target, name, lookup.ref.column, lookup.ref.name + "__")
        if found is None:
            raise unknown(name, f"a field of {target.definition.label}", self.names(target))
        return found

    def is_lookup(self, name: str) -> bool:
        field = self.obj.fields.get(name)
        return field is not None and field.definition.type in REFERENCE_TYPES

    def search_refs(self) -> tuple[FieldRef, ...]:
        """The search fields that hold text (others cannot be matched by substring)."""
        refs = []
        for name in self.obj.search_fields:
            found = self._local(self.obj, name, None, "")
            if found is not None and found.ref.kind in ("string", "text"):
                refs.append(found.ref)
        return tuple(refs)
