"""The compiled schema: one metadata version, frozen and indexed for the runtime.

Built once per version and shared by every request of a process, it answers
the runtime's questions (which columns does this field have, who points at
this object, which fields are searched) with attribute access instead of
walking documents.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from .definitions import FieldDef, MetadataBundle, ObjectDef, RoleDef
from .dependencies import DependencyGraph, build_graph
from .field_types import FIELD_TYPES, REFERENCE_TYPES, FieldType, StorageColumn

TEXT_SEARCH_TYPES = ("text", "email", "phone", "url", "autonumber", "picklist")


@dataclass(frozen=True)
class CompiledField:
    definition: FieldDef
    field_type: FieldType
    columns: tuple[StorageColumn, ...]

    @property
    def name(self) -> str:
        return self.definition.name


@dataclass(frozen=True)
class ChildRelation:
    """Another object's reference field pointing at this object (a related list)."""

    object: str
    field: str
    cascade: bool


@dataclass(frozen=True)
class CompiledObject:
    definition: ObjectDef
    fields: Mapping[str, CompiledField]
    search_fields: tuple[str, ...]
    children: tuple[ChildRelation, ...]

    @property
    def name(self) -> str:
        return self.definition.name

    @property
    def columns(self) -> tuple[StorageColumn, ...]:
        return tuple(c for f in self.fields.values() for c in f.columns)


@dataclass(frozen=True)
class CompiledSchema:
    version: int
    bundle: MetadataBundle
    objects: Mapping[str, CompiledObject]
    dependencies: DependencyGraph

    def object(self, name: str) -> CompiledObject | None:
        return self.objects.get(name)

    @property
    def roles(self) -> Mapping[str, RoleDef]:
        """The roles of this version (the built-in admin role is not among them)."""
        return self.bundle.roles


def compile_schema(bundle: MetadataBundle, version: int) -> CompiledSchema:
    children: dict[str, list[ChildRelation]] = {name: [] for name in bundle.objects}
    for obj in bundle.objects.values():
        for f in obj.fields:
            if f.type in REFERENCE_TYPES and f.target in children:
                children[f.target].append(ChildRelation(obj.name, f.name, f.type == "master_detail"))
    objects = {}
    for obj in bundle.objects.values():
        fields = {}
        for f in obj.fields:
            ftype = FIELD_TYPES.get(f.type)
            fields[f.name] = CompiledField(f, ftype, tuple(ftype.columns(f)))
        search = obj.search_fields or tuple(
            f.name for f in obj.fields if f.searchable or (f.name == obj.name_field and f.type in TEXT_SEARCH_TYPES)
        )
        objects[obj.name] = CompiledObject(obj, MappingProxyType(fields), search, tuple(children[obj.name]))
    return CompiledSchema(version, bundle, MappingProxyType(objects), build_graph(bundle))
