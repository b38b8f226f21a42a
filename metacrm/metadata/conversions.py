"""Record conversions as metadata: a lead becomes an account, a contact and an opportunity.

A conversion is declared on the object converted (``"conversions": [...]`` in
the lead's document), so a vertical pack maps leads to its own objects — a
Deal, a Matter, a Donation — by writing data, not code. Each *target* says
which object to create (or reuse, when one of its ``match`` rules finds an
existing record), how its fields are filled from the source record, and which
lookup of the source links to it afterwards. ``reparent`` moves the source's
related records (activities, campaign memberships) over to the new records.

Mapping values follow the workflows' convention (docs/workflows.md):
``"=expression"`` is evaluated over the source record, ``"@key"`` is the id of
an earlier target's record, anything else is a literal.

This module is pure: it turns documents into frozen definitions and reports,
at JSON paths, what could never work — unknown objects and fields, a mapping
whose types do not fit, an ``@key`` naming a later target, a required field
of a target nobody fills. Running a conversion is ``metacrm/platform/conversions``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field as dc_field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Mapping

from .errors import MetadataIssue
from .logic import check_expression_refs
from .names import did_you_mean

if TYPE_CHECKING:
    from .definitions import FieldDef, MetadataBundle, ObjectDef

REFERENCE_TYPES = ("lookup", "master_detail")
DATE_TYPES = ("date", "datetime")
#: Field types a conversion never writes (the platform computes them).
COMPUTED_TYPES = ("formula", "rollup", "autonumber")
#: Which source types may fill which target types when a mapping copies one field ("=industry").
_TEXTUAL = frozenset({"text", "long_text", "email", "phone", "url", "picklist", "autonumber"})
_NUMERIC = frozenset({"integer", "decimal", "currency", "percent"})
COMPATIBLE: dict[str, frozenset[str]] = {
    "text": _TEXTUAL, "long_text": _TEXTUAL | {"rich_text"}, "rich_text": _TEXTUAL | {"rich_text"},
    "email": frozenset({"email"}), "phone": frozenset({"phone"}), "url": frozenset({"url"}),
    "picklist": frozenset({"picklist", "text"}), "multi_picklist": frozenset({"multi_picklist", "picklist"}),
    "integer": _NUMERIC, "decimal": _NUMERIC, "currency": _NUMERIC, "percent": _NUMERIC,
    "date": frozenset({"date", "datetime"}), "datetime": frozenset({"date", "datetime"}),
    "boolean": frozenset({"boolean"}),
}
_FIELD_COPY = re.compile(r"^=\s*([a-z][a-z0-9_]*)\s*$")


@dataclass(frozen=True)
class ConversionTargetDef:
    """One record a conversion creates or reuses.

    ``match`` lists rules, tried in order; a rule is the fields of the target
    that must all equal the mapped values (text compared case-insensitively)
    for an existing record to be reused instead of creating one.
    """

    key: str
    object: str
    fields: Mapping[str, Any] = dc_field(default_factory=lambda: MappingProxyType({}))
    link_field: str | None = None
    match: tuple[tuple[str, ...], ...] = ()
    optional: bool = False
    label: str | None = None

    def to_json(self) -> dict[str, Any]:
        from .definitions import thaw
        out: dict[str, Any] = {"key": self.key, "object": self.object}
        if self.label:
            out["label"] = self.label
        if self.optional:
            out["optional"] = True
        if self.link_field:
            out["link_field"] = self.link_field
        if self.match:
            out["match"] = [list(rule) for rule in self.match]
        out["fields"] = thaw(self.fields)
        return out


@dataclass(frozen=True)
class ReparentDef:
    """Records of ``object`` whose ``field`` points at the converted record: point ``field`` at the
    record of target ``to`` instead, and/or ``set`` other fields (``"@contact"``)."""

    object: str
    field: str
    to: str | None = None
    set: Mapping[str, Any] = dc_field(default_factory=lambda: MappingProxyType({}))

    def to_json(self) -> dict[str, Any]:
        from .definitions import thaw
        out: dict[str, Any] = {"object": self.object, "field": self.field}
        if self.to:
            out["to"] = self.to
        if self.set:
            out["set"] = thaw(self.set)
        return out


@dataclass(frozen=True)
class ConversionDef:
    name: str
    label: str
    targets: tuple[ConversionTargetDef, ...]
    description: str = ""
    status_field: str | None = None
    converted_status: str | None = None
    flag_field: str | None = None
    date_field: str | None = None
    reparent: tuple[ReparentDef, ...] = ()
    #: A converted record (``flag_field`` true) refuses further edits.
    lock: bool = True

    def target(self, key: str) -> ConversionTargetDef | None:
        return next((t for t in self.targets if t.key == key), None)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "label": self.label}
        if self.description:
            out["description"] = self.description
        for key in ("status_field", "converted_status", "flag_field", "date_field"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if not self.lock:
            out["lock"] = False
        out["targets"] = [t.to_json() for t in self.targets]
        if self.reparent:
            out["reparent"] = [r.to_json() for r in self.reparent]
        return out


def reference_key(value: Any) -> str | None:
    """``"@account"`` → ``"account"`` (the id of that target's record); anything else → None."""
    return value[1:] if isinstance(value, str) and value.startswith("@") and len(value) > 1 else None


def conversion_from_json(doc: Mapping[str, Any]) -> ConversionDef:
    from .definitions import freeze
    targets = tuple(
        ConversionTargetDef(key=str(t.get("key", "")), object=str(t.get("object", "")),
                            fields=freeze(t.get("fields") or {}), link_field=t.get("link_field"),
                            match=tuple(tuple(r) for r in t.get("match", ()) if isinstance(r, list)),
                            optional=bool(t.get("optional", False)), label=t.get("label"))
        for t in doc.get("targets", ()) if isinstance(t, Mapping))
    reparent = tuple(ReparentDef(object=str(r.get("object", "")), field=str(r.get("field", "")), to=r.get("to"),
                                 set=freeze(r.get("set") or {}))
                     for r in doc.get("reparent", ()) if isinstance(r, Mapping))
    return ConversionDef(name=doc["name"], label=doc.get("label") or doc["name"].replace("_", " ").capitalize(),
                         targets=targets, description=doc.get("description", ""),
                         status_field=doc.get("status_field"), converted_status=doc.get("converted_status"),
                         flag_field=doc.get("flag_field"), date_field=doc.get("date_field"), reparent=reparent,
                         lock=bool(doc.get("lock", True)))


# --- checks ----------------------------------------------------------------------------------
def check_conversions(obj: "ObjectDef", bundle: "MetadataBundle", path: str) -> list[MetadataIssue]:
    """Every problem of an object's conversions, each at its JSON path."""
    issues: list[MetadataIssue] = []
    seen: set[str] = set()
    for i, conv in enumerate(getattr(obj, "conversions", ())):
        cpath = f"{path}.conversions[{i}]"
        if conv.name in seen:
            issues.append(MetadataIssue(f"{cpath}.name", f'the conversion "{conv.name}" is defined twice'))
        seen.add(conv.name)
        issues.extend(_check_source_fields(conv, obj, cpath))
        keys: dict[str, "ObjectDef"] = {}
        for j, target in enumerate(conv.targets):
            tpath = f"{cpath}.targets[{j}]"
            if target.key in keys:
                issues.append(MetadataIssue(f"{tpath}.key", f'the target key "{target.key}" is used twice'))
            tobj = bundle.objects.get(target.object)
            if tobj is None:
                issues.append(_unknown_object(f"{tpath}.object", target.object, bundle))
                continue
            issues.extend(_check_target(target, tobj, obj, bundle, keys, tpath))
            keys[target.key] = tobj
        for j, rule in enumerate(conv.reparent):
            issues.extend(_check_reparent(rule, obj, bundle, keys, f"{cpath}.reparent[{j}]"))
    return issues


def _unknown_field(path: str, name: str, obj: "ObjectDef") -> MetadataIssue:
    return MetadataIssue(path, f'field "{name}" does not exist on {obj.name}{did_you_mean(name, obj.field_names)}',
                         "unknown_field")


def _unknown_object(path: str, name: str, bundle: "MetadataBundle") -> MetadataIssue:
    return MetadataIssue(path, f'object "{name}" does not exist{did_you_mean(name, list(bundle.objects))}',
                         "unknown_object")


def _check_source_fields(conv: Any, obj: "ObjectDef", path: str) -> list[MetadataIssue]:
    issues: list[MetadataIssue] = []
    wanted = {"status_field": ("picklist",), "flag_field": ("boolean",), "date_field": DATE_TYPES}
    for key, types in wanted.items():
        name = getattr(conv, key)
        if not name:
            continue
        f = obj.field(name)
        if f is None:
            issues.append(_unknown_field(f"{path}.{key}", name, obj))
        elif f.type not in types:
            issues.append(MetadataIssue(f"{path}.{key}", f'"{name}" is a {f.type} field; {key} needs a '
                                        f"{' or '.join(types)} field", "wrong_type"))
    status = obj.field(conv.status_field or "")
    if conv.converted_status and status is not None and status.type == "picklist" \
            and conv.converted_status not in status.option_values:
        issues.append(MetadataIssue(f"{path}.converted_status", f'"{conv.converted_status}" is not a choice of '
                                    f"{status.name}{did_you_mean(conv.converted_status, status.option_values)}",
                                    "unknown_choice"))
    if bool(conv.status_field) != bool(conv.converted_status):
        issues.append(MetadataIssue(path, 'name both "status_field" and "converted_status" (the status a '
                                    "converted record gets), or neither", "invalid_conversion"))
    if conv.lock and not conv.flag_field:
        issues.append(MetadataIssue(f"{path}.flag_field", 'a locking conversion needs "flag_field" (the boolean '
                                    'that marks converted records); or set "lock": false', "required"))
    if not conv.targets:
        issues.append(MetadataIssue(f"{path}.targets", "a conversion needs at least one target", "required"))
    return issues


def _check_target(target: Any, tobj: "ObjectDef", source: "ObjectDef", bundle: "MetadataBundle",
                  earlier: Mapping[str, "ObjectDef"], path: str) -> list[MetadataIssue]:
    issues: list[MetadataIssue] = []
    if target.link_field:
        link = source.field(target.link_field)
        if link is None:
            issues.append(_unknown_field(f"{path}.link_field", target.link_field, source))
        elif link.type not in REFERENCE_TYPES or link.target != tobj.name:
            issues.append(MetadataIssue(f"{path}.link_field", f'"{link.name}" must be a lookup of {source.name} '
                                        f"to {tobj.name}", "wrong_type"))
    for i, rule in enumerate(target.match):
        for j, name in enumerate(rule):
            if tobj.field(name) is None:
                issues.append(_unknown_field(f"{path}.match[{i}][{j}]", name, tobj))
            elif name not in target.fields:
                issues.append(MetadataIssue(f"{path}.match[{i}][{j}]", f'"{name}" is matched on but not mapped: '
                                            "add it to fields", "unmapped_match"))
    issues.extend(check_mapping(target.fields, tobj, source, bundle, earlier, f"{path}.fields"))
    for f in tobj.fields:
        if f.required and f.default is None and f.type not in COMPUTED_TYPES and f.name not in target.fields:
            issues.append(MetadataIssue(f"{path}.fields", f'{tobj.name}.{f.name} is required: map a value to it',
                                        "required"))
    return issues


def check_mapping(mapping: Mapping[str, Any], tobj: "ObjectDef", source: "ObjectDef", bundle: "MetadataBundle",
                  earlier: Mapping[str, "ObjectDef"], path: str) -> list[MetadataIssue]:
    """Keys are fields of ``tobj``; values are "=expr" over ``source``, "@key" of an earlier target, or literals."""
    issues: list[MetadataIssue] = []
    for name, value in mapping.items():
        where = f"{path}.{name}"
        f = tobj.field(name)
        if f is None and name != "owner":
            issues.append(_unknown_field(where, name, tobj))
            continue
        if f is not None and f.type in COMPUTED_TYPES:
            issues.append(MetadataIssue(where, f'"{name}" is a {f.type} field; the platform computes it',
                                        "computed_field"))
            continue
        key = reference_key(value)
        if key is not None:
            issues.extend(_check_reference(key, f, earlier, where))
        elif isinstance(value, str) and value.startswith("="):
            found = check_expression_refs(value[1:], source, bundle, where)
            issues.extend(found)
            copied = _FIELD_COPY.match(value)
            src = source.field(copied.group(1)) if copied and not found else None
            if src is not None and f is not None:
                issues.extend(_check_types(src, f, where))
        elif f is not None and f.type == "picklist" and value is not None and value not in f.option_values:
            issues.append(MetadataIssue(where, f'"{value}" is not a choice of {tobj.name}.{name}'
                                        f"{did_you_mean(str(value), f.option_values)}", "unknown_choice"))
    return issues


def _check_reference(key: str, f: "FieldDef | None", earlier: Mapping[str, "ObjectDef"],
                     where: str) -> list[MetadataIssue]:
    if key not in earlier:
        return [MetadataIssue(where, f'"@{key}" does not name an earlier target (earlier: '
                              f"{', '.join(earlier) or 'none'}){did_you_mean(key, list(earlier))}", "unknown_target")]
    pointed = earlier[key].name
    if f is None:  # owner: a user id, never a record
        return [MetadataIssue(where, '"owner" takes a user id or an "=expression", not a record', "wrong_type")]
    if f.type in REFERENCE_TYPES and f.target == pointed:
        return []
    if f.type == "polymorphic_lookup" and pointed in f.targets:
        return []
    return [MetadataIssue(where, f'"{f.name}" cannot point at {pointed} (the record of "@{key}")', "wrong_type")]


def _check_types(src: "FieldDef", dst: "FieldDef", where: str) -> list[MetadataIssue]:
    src_type = src.result_type if src.type == "formula" and src.result_type else src.type
    if src_type == dst.type and src_type not in REFERENCE_TYPES:
        return []
    if src_type in REFERENCE_TYPES and dst.type in REFERENCE_TYPES and src.target == dst.target:
        return []
    if src_type in COMPATIBLE.get(dst.type, frozenset()):
        return []
    return [MetadataIssue(where, f'{src.name} is a {src_type} field and cannot fill the {dst.type} field '
                          f'"{dst.name}"', "incompatible_types")]


def _check_reparent(rule: Any, source: "ObjectDef", bundle: "MetadataBundle", keys: Mapping[str, "ObjectDef"],
                    path: str) -> list[MetadataIssue]:
    robj = bundle.objects.get(rule.object)
    if robj is None:
        return [_unknown_object(f"{path}.object", rule.object, bundle)]
    f = robj.field(rule.field)
    if f is None:
        return [_unknown_field(f"{path}.field", rule.field, robj)]
    points_here = (f.type in REFERENCE_TYPES and f.target == source.name) or \
        (f.type == "polymorphic_lookup" and source.name in f.targets)
    if not points_here:
        return [MetadataIssue(f"{path}.field", f'{robj.name}.{f.name} does not point at {source.name}',
                              "wrong_type")]
    issues: list[MetadataIssue] = []
    if not rule.to and not rule.set:
        issues.append(MetadataIssue(path, 'name "to" (the target whose record the field points at next) and/or '
                                    '"set" (other fields to fill)', "invalid_reparent"))
    if rule.to:
        if rule.to not in keys:
            issues.append(MetadataIssue(f"{path}.to", f'"{rule.to}" is not a target of this conversion'
                                        f"{did_you_mean(rule.to, list(keys))}", "unknown_target"))
        elif f.type != "polymorphic_lookup" or keys[rule.to].name not in f.targets:
            issues.append(MetadataIssue(f"{path}.to", f'{robj.name}.{f.name} cannot point at {keys[rule.to].name}; '
                                        'keep it and use "set" to fill another field', "wrong_type"))
    for name, value in rule.set.items():
        g = robj.field(name)
        if g is None:
            issues.append(_unknown_field(f"{path}.set.{name}", name, robj))
        elif reference_key(value) is not None:
            issues.extend(_check_reference(reference_key(value) or "", g, keys, f"{path}.set.{name}"))
        elif isinstance(value, str) and value.startswith("="):
            issues.extend(check_expression_refs(value[1:], source, bundle, f"{path}.set.{name}"))
    return issues
