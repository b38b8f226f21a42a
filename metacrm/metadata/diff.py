"""Diff two metadata bundles into typed operations, and find what they break.

Pure: it sees definitions only. The platform's planner adds what only the
data can tell (how many values fail a type change, duplicates blocking a
unique index) and the storage layer runs one handler per operation kind.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from .definitions import FieldDef, MetadataBundle, ObjectDef
from .dependencies import build_graph, field_ref
from .errors import MetadataIssue
from .loader import RenameHints

#: Field attributes that change stored data's shape; anything else is metadata only.
STORAGE_ATTRS = ("type", "max_length", "precision", "scale", "result_type", "stored", "target", "targets")
INDEX_ATTRS = ("unique", "indexed")


@dataclass(frozen=True)
class Operation:
    kind: str
    object: str
    field: str | None = None
    old: Any = None  # the previous ObjectDef / FieldDef, when there is one
    new: Any = None  # the new ObjectDef / FieldDef, when there is one
    destructive: bool = False
    summary: str = ""
    details: tuple[str, ...] = ()  # data findings added by the planner

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "object": self.object, "destructive": self.destructive,
                               "summary": self.summary}
        if self.field:
            out["field"] = self.field
        if self.kind in ("rename_object", "rename_field") and self.old is not None:
            out["from"] = self.old.name  # kept in history so a rollback can rename back
        if self.details:
            out["details"] = list(self.details)
        return out


ORDER = ("create_object", "rename_object", "update_object", "rename_field", "add_field", "change_field_type",
         "update_field", "change_picklist", "drop_index", "add_index", "remove_field", "remove_object",
         "update_roles", "update_reports")


def diff(old: MetadataBundle, new: MetadataBundle, renames: RenameHints | None = None) -> list[Operation]:
    renames = renames or RenameHints()
    ops: list[Operation] = []
    renamed_from = dict(renames.objects)
    for name, obj in new.objects.items():
        prev_name = renamed_from.get(name, name)
        prev = old.objects.get(prev_name)
        if prev is None:
            ops.append(Operation("create_object", name, new=obj, summary=f"create object {name} "
                                 f"with {len(obj.fields)} field(s)"))
            ops.extend(_index_ops(name, None, f) for f in obj.fields if _wants_index(f))
            continue
        if prev_name != name:
            ops.append(Operation("rename_object", name, old=prev, new=obj,
                                 summary=f"rename object {prev_name} to {name}"))
        if _object_props(prev) != _object_props(obj):
            drops_currency = prev.multi_currency and not obj.multi_currency
            what = _automation_changed(prev, obj) or "settings"
            ops.append(Operation("update_object", name, old=prev, new=obj, destructive=drops_currency,
                                 summary=f"update {name}'s {what}"
                                 + (" (per-record currencies are archived)" if drops_currency else "")))
        ops.extend(_field_ops(name, prev, obj, renames))
    for name, obj in old.objects.items():
        if name not in new.objects and name not in renamed_from.values():
            ops.append(Operation("remove_object", name, old=obj, destructive=True,
                                 summary=f"remove object {name} (its table and data are archived until purged)"))
    if old.roles != new.roles:
        ops.append(_roles_op(old, new))
    if old.reports != new.reports or old.dashboards != new.dashboards:
        ops.append(_reports_op(old, new))
    return sorted(ops, key=lambda op: ORDER.index(op.kind))


def _roles_op(old: MetadataBundle, new: MetadataBundle) -> Operation:
    """One metadata-only operation for every role change (roles have no storage)."""
    parts = []
    for word, names in (("add", sorted(set(new.roles) - set(old.roles))),
                        ("change", sorted(n for n in set(new.roles) & set(old.roles) if old.roles[n] != new.roles[n])),
                        ("remove", sorted(set(old.roles) - set(new.roles)))):
        if names:
            parts.append(f"{word} {', '.join(names)}")
    return Operation("update_roles", "", old=old.roles, new=new.roles, summary=f"roles: {'; '.join(parts)}")


def _reports_op(old: MetadataBundle, new: MetadataBundle) -> Operation:
    """One metadata-only operation for every report and dashboard change (they have no storage)."""
    parts = []
    for kind in ("reports", "dashboards"):
        before, after = getattr(old, kind), getattr(new, kind)
        for word, names in (("add", sorted(set(after) - set(before))),
                            ("change", sorted(n for n in set(after) & set(before) if before[n] != after[n])),
                            ("remove", sorted(set(before) - set(after)))):
            if names:
                parts.append(f"{word} {kind[:-1]} {', '.join(names)}")
    return Operation("update_reports", "", old=(old.reports, old.dashboards), new=(new.reports, new.dashboards),
                     summary=f"reports: {'; '.join(parts)}")


def _object_props(obj: ObjectDef) -> dict[str, Any]:
    out = obj.to_json()
    out.pop("fields")
    out.pop("name")
    return out


#: The automation an object carries, and how a plan names a change to it.
AUTOMATION = {"workflows": "workflows", "state_machines": "state machines", "approval_processes": "approval processes"}
#: Public forms and the record page summary touch no table either (metadata-only, safe).
AUTOMATION.update(public_forms="public forms", record_page="record page summary")


def _automation_changed(old: ObjectDef, new: ObjectDef) -> str | None:
    """When only automation changed (workflows, state machines, approvals: no table), what changed."""
    changed = [key for key in AUTOMATION if getattr(old, key) != getattr(new, key)]
    if not changed or replace(old, **{key: getattr(new, key) for key in changed}) != new:
        return None
    return " and ".join(AUTOMATION[key] for key in changed)


def _wants_index(f: FieldDef) -> bool:
    return bool(f.unique or f.indexed)


def _index_ops(obj: str, old: FieldDef | None, new: FieldDef) -> Operation:
    kind = "unique index" if new.unique else "index"
    return Operation("add_index", obj, new.name, old=old, new=new, summary=f"add {kind} on {obj}.{new.name}")


def _field_ops(obj: str, prev: ObjectDef, cur: ObjectDef, renames: RenameHints) -> list[Operation]:
    ops: list[Operation] = []
    matched: set[str] = set()
    for f in cur.fields:
        old_name = renames.fields.get((obj, f.name), f.name)
        old = prev.field(old_name)
        if old is None:
            ops.append(Operation("add_field", obj, f.name, new=f, summary=f"add {f.type} field {obj}.{f.name}"))
            if _wants_index(f):
                ops.append(_index_ops(obj, None, f))
            continue
        matched.add(old_name)
        if old_name != f.name:
            ops.append(Operation("rename_field", obj, f.name, old=old, new=f,
                                 summary=f"rename field {obj}.{old_name} to {f.name}"))
            old = replace(old, name=f.name)  # later operations see the column under its new name
        storage_changed = any(getattr(old, a) != getattr(f, a) for a in STORAGE_ATTRS)
        index_changed = any(getattr(old, a) != getattr(f, a) for a in INDEX_ATTRS)
        if storage_changed:
            # The handler archives the old column with its indexes; only the new index is added.
            what = f"{old.type} to {f.type}" if old.type != f.type else "its storage settings"
            ops.append(Operation("change_field_type", obj, f.name, old=old, new=f, destructive=True,
                                 summary=f"change {obj}.{f.name} from {what} (the old column is archived)"))
        elif index_changed and _wants_index(old):
            ops.append(Operation("drop_index", obj, f.name, old=old, new=f,
                                 summary=f"drop index on {obj}.{f.name}"))
        if (storage_changed or index_changed) and _wants_index(f):
            ops.append(_index_ops(obj, old, f))
        if old.options != f.options:
            removed = [v for v in old.option_values if v not in f.option_values]
            ops.append(Operation("change_picklist", obj, f.name, old=old, new=f, destructive=bool(removed),
                                 summary=f"change the choices of {obj}.{f.name}"
                                 + (f" (removing {', '.join(removed)})" if removed else "")))
        rest_old = replace(old, options=f.options, **{a: getattr(f, a) for a in STORAGE_ATTRS + INDEX_ATTRS})
        if rest_old != f:
            ops.append(Operation("update_field", obj, f.name, old=old, new=f, summary=f"update {obj}.{f.name}"))
    for old in prev.fields:
        if old.name not in matched:
            ops.append(Operation("remove_field", obj, old.name, old=old, destructive=True,
                                 summary=f"remove field {obj}.{old.name} (its data is archived until purged)"))
    return ops


def impact(old: MetadataBundle, new: MetadataBundle, ops: list[Operation]) -> list[MetadataIssue]:
    """Refusals for operations that would leave a dependant pointing at nothing.

    A dependant may change in the same plan (its new definition no longer
    points at the removed item, or it is removed too); otherwise the plan is
    refused with every dependant listed.
    """
    graph = build_graph(new)
    issues: list[MetadataIssue] = []
    for edge in graph.edges:
        kind, *rest = edge.target
        if kind == "object" and rest[0] not in new.objects:
            issues.append(_dangling(edge, f'object "{rest[0]}" is removed or renamed'))
        elif kind == "field":
            obj = new.objects.get(rest[0])
            if obj is not None and obj.field(rest[1]) is None and rest[1] != "id":
                issues.append(_dangling(edge, f'field "{rest[0]}.{rest[1]}" is removed or renamed'))
    retyped = {(op.object, op.field) for op in ops if op.kind == "change_field_type" and op.old.type != op.new.type}
    for op_obj, op_field in retyped:
        for edge in graph.dependants(field_ref(op_obj, op_field)):
            if edge.source[0] == "field" and _unchanged(old, new, edge.source):
                issues.append(MetadataIssue(
                    _source_path(edge.source),
                    f'{edge.description} uses "{op_obj}.{op_field}", whose type changes; '
                    "change or remove it in the same plan",
                    "dependant",
                ))
    return issues


def _unchanged(old: MetadataBundle, new: MetadataBundle, ref: tuple[str, ...]) -> bool:
    _, obj, name = ref
    a = old.objects.get(obj)
    b = new.objects.get(obj)
    return bool(a and b and a.field(name) == b.field(name))


def _dangling(edge: Any, what: str) -> MetadataIssue:
    return MetadataIssue(_source_path(edge.source), f"{what}, but {edge.description} still uses it; "
                         "change or remove it in the same plan", "dependant")


def _source_path(ref: tuple[str, ...]) -> str:
    return f'objects["{ref[1]}"]' + (f'.fields["{ref[2]}"]' if ref[0] == "field" else "")

