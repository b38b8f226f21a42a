"""Which file column fills which field: proposed automatically, always editable.

A column matches a field by its name, its label or one of its
``external_names`` once both are normalised ("E-mail Address" = "email_address"),
then by a close spelling. A target is ``field`` or, for a lookup,
``field.target_field`` to find the related record by another of its fields (an
external id) instead of its name. Pure functions: the wizard and the CLI share them.
"""

from __future__ import annotations

import difflib
import re
from typing import Mapping

from metacrm.metadata.compiled import CompiledObject
from metacrm.metadata.field_types import REFERENCE_TYPES

from ..records.values import writable_fields
from .formats import ImportFileError

Mapping_ = dict[str, str]  # column → target ("field" or "lookup.target_field")


def normalise(text: str) -> str:
    return re.sub(r"[^0-9a-z\u0600-\u06ff]+", "", text.strip().lower())


def importable(obj: CompiledObject) -> dict[str, str]:
    """Field name → label of the fields an import may fill (computed ones are not)."""
    fields = {f.name: f.definition.label for f in writable_fields(obj) if f.definition.type != "file"}
    fields["owner"] = "Owner (user id)"
    return fields


def auto_map(columns: list[str], obj: CompiledObject) -> Mapping_:
    """The proposed mapping; each field is used at most once, unmatched columns are left out."""
    names: dict[str, str] = {}
    for f in writable_fields(obj):
        d = f.definition
        if d.type == "file":
            continue
        for alias in (d.name, d.label, *d.external_names.values()):
            names.setdefault(normalise(alias), d.name)
    result: Mapping_ = {}
    used: set[str] = set()
    for column in columns:
        key = normalise(column)
        field = names.get(key)
        if field is None:
            close = difflib.get_close_matches(key, list(names), n=1, cutoff=0.85)
            field = names[close[0]] if close else None
        if field and field not in used:
            result[column] = field
            used.add(field)
    return result


def parse_map(text: str, columns: list[str]) -> Mapping_:
    """``"Column=field,Other=account.external_id"`` (the CLI's ``--map``) → a mapping."""
    result: Mapping_ = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        column, sep, target = part.partition("=")
        if not sep or not column.strip() or not target.strip():
            raise ImportFileError(f'--map entries are Column=field; "{part}" is not')
        column = column.strip()
        if column not in columns:
            raise ImportFileError(f'the file has no column "{column}"; its columns: {", ".join(columns)}')
        result[column] = target.strip()
    return result


def check_mapping(mapping: Mapping[str, str], obj: CompiledObject, live_objects: Mapping[str, CompiledObject]
                  ) -> list[str]:
    """Sentences for every target that cannot be filled (unknown field, a field mapped twice)."""
    problems: list[str] = []
    allowed = importable(obj)
    seen: dict[str, str] = {}
    for column, target in mapping.items():
        field, _, via = target.partition(".")
        if field not in allowed:
            problems.append(f'column "{column}": {obj.definition.label} has no importable field "{field}"')
            continue
        if field in seen:
            problems.append(f'columns "{seen[field]}" and "{column}" both fill {field}')
        seen[field] = column
        if via:
            f = obj.fields.get(field)
            targets = _targets(f.definition) if f else ()
            if f is None or f.definition.type not in REFERENCE_TYPES or not targets:
                problems.append(f'column "{column}": only a lookup can be matched by another field ("{target}")')
            elif not all(via in live_objects[t].fields for t in targets if t in live_objects):
                problems.append(f'column "{column}": {", ".join(targets)} has no field "{via}"')
    return problems


def _targets(definition) -> tuple[str, ...]:  # type: ignore[no-untyped-def]
    return (definition.target,) if definition.target else tuple(definition.targets)
