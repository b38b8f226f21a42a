"""Checks across definitions that a JSON Schema cannot express.

Dangling lookups, formula references, cycles, colliding columns, defaults of
the wrong type: each is reported with the JSON path of the definition that
has to change and a sentence saying why (like Django's admin ``checks``).
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

from .definitions import ADMIN_ROLE, FieldDef, MetadataBundle, ObjectDef
from .errors import MetadataIssue
from .list_views import check_views
from .layouts import check_layouts
from .logic import check_expression_refs, check_logic
from .workflows import check_workflows
from .public_forms import check_public_forms
from .record_pages import check_record_page
from .retention import check_retention
from .duplicates import check_duplicate_rules
from .conversions import check_conversions
from .state_machines import check_state_machines
from .expressions import code_problem, references
from .field_types import FIELD_TYPES, REFERENCE_TYPES, FieldValueError
from .names import SYSTEM_COLUMNS, did_you_mean

NUMERIC_TYPES = ("integer", "decimal", "currency", "percent")
UNINDEXABLE_TYPES = ("long_text", "rich_text", "multi_picklist", "file")
TEXTUAL_TYPES = ("text", "email", "phone", "url", "autonumber", "picklist", "long_text")


def check_bundle(
    bundle: MetadataBundle,
    paths: Mapping[Any, str] | None = None,
    only: Iterable[str] | None = None,
) -> list[MetadataIssue]:
    """Issues of the objects in ``only`` (default: all) against the whole bundle.

    ``paths`` maps an object name, or an (object, field) pair, to the JSON
    path where the admin wrote it; missing entries get a path by name.
    """
    paths = paths or {}
    names = list(only) if only is not None else list(bundle.objects)
    issues: list[MetadataIssue] = []
    for name in names:
        issues.extend(check_object(bundle.objects[name], bundle, paths))
    return issues


def check_object(obj: ObjectDef, bundle: MetadataBundle, paths: Mapping[Any, str]) -> list[MetadataIssue]:
    issues: list[MetadataIssue] = []
    path = paths.get(obj.name, f'objects["{obj.name}"]')

    def at(*parts: str) -> str:
        return ".".join(p for p in (path, *parts) if p)

    fields = {f.name: f for f in obj.fields}
    if obj.name_field and obj.name_field not in fields:
        issues.append(MetadataIssue(at("name_field"), f'field "{obj.name_field}" does not exist on this object'
                                    f"{did_you_mean(obj.name_field, fields)}", "unknown_field"))
    for i, sf in enumerate(obj.search_fields):
        if sf not in fields:
            issues.append(MetadataIssue(at(f"search_fields[{i}]"), f'field "{sf}" does not exist on this object'
                                        f"{did_you_mean(sf, fields)}", "unknown_field"))
        elif fields[sf].type not in TEXTUAL_TYPES:
            issues.append(MetadataIssue(at(f"search_fields[{i}]"), f'"{sf}" is a {fields[sf].type} field; '
                                        "only text-like fields can be searched", "not_searchable"))

    columns: dict[str, str] = {c: "a system column" for c in SYSTEM_COLUMNS}
    for f in obj.fields:
        fpath = paths.get((obj.name, f.name)) or at(f'fields["{f.name}"]')
        for col in FIELD_TYPES.get(f.type).columns(f):
            if col.name in columns:
                issues.append(MetadataIssue(f"{fpath}.name", f'the column "{col.name}" it needs is already '
                                            f"used by {columns[col.name]}", "column_collision"))
            columns[col.name] = f'the field "{f.name}"'
        issues.extend(_check_field(f, obj, bundle, fpath))
    issues.extend(_formula_cycles(obj, lambda name: paths.get((obj.name, name)) or at(f'fields["{name}"]')))
    issues.extend(_check_object_access(obj, bundle, path))
    issues.extend(check_views(obj, bundle.objects, path))
    issues.extend(check_layouts(obj, path))
    issues.extend(check_logic(obj, bundle, path))
    issues.extend(check_workflows(obj, bundle, path))
    issues.extend(check_conversions(obj, bundle, path))
    issues.extend(check_state_machines(obj, bundle, path))
    issues.extend(check_public_forms(obj, path))
    issues.extend(check_record_page(obj, bundle, path))
    issues.extend(check_retention(obj, path))
    issues.extend(check_duplicate_rules(obj, path))
    return issues


#: Query parameters that make no sense in sharing-rule criteria (they page, sort or search).
NOT_CRITERIA = ("q", "sort", "limit", "offset", "cursor", "fields", "count", "group_by", "agg")


def _check_object_access(obj: ObjectDef, bundle: MetadataBundle, path: str) -> list[MetadataIssue]:
    """Sharing rules and the portal declaration name fields of this object (roles are checked with roles)."""
    issues: list[MetadataIssue] = []
    fields = {f.name: f for f in obj.fields}
    names: set[str] = set()
    for i, rule in enumerate(obj.sharing_rules):
        rpath = f"{path}.sharing_rules[{i}]"
        if rule.name in names:
            issues.append(MetadataIssue(f"{rpath}.name", f'the sharing rule "{rule.name}" is defined twice'))
        names.add(rule.name)
        for key in rule.criteria:
            head = key.split("__")[0]
            if key in NOT_CRITERIA:
                issues.append(MetadataIssue(f"{rpath}.criteria.{key}", f'"{key}" pages, sorts or searches; '
                                            "criteria may only filter", "invalid_criteria"))
            elif key != "or" and head not in fields and head not in SYSTEM_COLUMNS:
                issues.append(MetadataIssue(f"{rpath}.criteria.{key}", f'field "{head}" does not exist on '
                                            f"{obj.name}{did_you_mean(head, fields)}", "unknown_field"))
    if obj.portal is not None:
        head, _, tail = obj.portal.via.partition("__")
        f = fields.get(head)
        ppath = f"{path}.portal.via"
        if head == "owner" and not tail:
            pass
        elif f is None:
            issues.append(MetadataIssue(ppath, f'field "{head}" does not exist on {obj.name}'
                                        f"{did_you_mean(head, fields)}", "unknown_field"))
        elif not tail and f.type != "integer":
            issues.append(MetadataIssue(ppath, f'"{head}" is a {f.type} field; the portal needs owner, an integer '
                                        "field holding the portal user's id, or lookup__field", "invalid_portal"))
        elif tail:
            target = bundle.objects.get(f.target or "") if f.type in REFERENCE_TYPES else None
            hop = target.field(tail) if target is not None else None
            if target is None:
                issues.append(MetadataIssue(ppath, f'"{head}" is not a lookup; write lookup__field', "invalid_portal"))
            elif hop is not None and hop.type != "integer":
                issues.append(MetadataIssue(ppath, f'{target.name}.{tail} is a {hop.type} field; the portal needs an '
                                            "integer field holding the portal user's id", "invalid_portal"))
            elif hop is None and tail != "owner":
                issues.append(MetadataIssue(ppath, f'{target.name} has no field "{tail}"'
                                            f"{did_you_mean(tail, target.field_names)}", "unknown_field"))
    return issues


def _check_field(f: FieldDef, obj: ObjectDef, bundle: MetadataBundle, path: str) -> list[MetadataIssue]:
    issues: list[MetadataIssue] = []
    objects = list(bundle.objects)
    ftype = FIELD_TYPES.get(f.type)
    if f.type in REFERENCE_TYPES and f.target not in bundle.objects:
        issues.append(MetadataIssue(f"{path}.target", f'object "{f.target}" does not exist'
                                    f"{did_you_mean(f.target or '', objects)}", "unknown_object"))
    for i, t in enumerate(f.targets):
        if t not in bundle.objects:
            issues.append(MetadataIssue(f"{path}.targets[{i}]", f'object "{t}" does not exist'
                                        f"{did_you_mean(t, objects)}", "unknown_object"))
    if f.type == "lookup" and f.on_delete == "cascade":
        issues.append(MetadataIssue(f"{path}.on_delete", "only master_detail fields delete their records with "
                                    'the parent; use type "master_detail" or on_delete "restrict"/"set_null"'))
    if f.type == "master_detail" and f.on_delete not in (None, "cascade"):
        issues.append(MetadataIssue(f"{path}.on_delete", "a master_detail field always cascades deletes"))
    if f.required and f.on_delete == "set_null":
        issues.append(MetadataIssue(f"{path}.on_delete", "a required lookup cannot be emptied when its target "
                                    'is deleted; use "restrict"'))
    if (f.unique or f.indexed) and f.type in UNINDEXABLE_TYPES:
        issues.append(MetadataIssue(f"{path}.{'unique' if f.unique else 'indexed'}",
                                    f"{f.type} fields cannot be indexed or unique"))
    if f.type == "formula" and not f.stored and (f.unique or f.indexed):
        issues.append(MetadataIssue(f"{path}.stored", "only stored formulas can be indexed"))
    if f.default is not None:
        if ftype.computed:
            issues.append(MetadataIssue(f"{path}.default", f"{f.type} fields are computed and take no default"))
        elif isinstance(f.default, str) and f.default.startswith("="):
            issues.extend(check_expression_refs(f.default[1:], obj, bundle, f"{path}.default"))
        else:
            # "=expr" defaults are expressions evaluated by the logic layer.
            try:
                ftype.coerce(f.default, f)
            except FieldValueError as exc:
                issues.append(MetadataIssue(f"{path}.default", f"the default {exc.message}", "invalid_default"))
    if f.type == "formula" and f.formula:
        issues.extend(_check_expression(f.formula, obj, bundle, f"{path}.formula"))
    if f.type == "rollup" and f.rollup:
        issues.extend(_check_rollup(f, obj, bundle, f"{path}.rollup"))
    if f.precision is not None and f.scale is not None and f.scale > f.precision:
        issues.append(MetadataIssue(f"{path}.scale", "cannot be larger than precision"))
    return issues


def _check_expression(source: str, obj: ObjectDef, bundle: MetadataBundle, path: str) -> list[MetadataIssue]:
    tree = code_problem(source)  # syntax, then the constructs the sandbox refuses
    if tree is not None:
        return [MetadataIssue(path, f"syntax error at line {tree.line}, column {tree.column}: {tree.message}",
                              "syntax_error")]
    issues = []
    fields = {f.name: f for f in obj.fields}
    for chain in sorted(references(source)):
        head = fields.get(chain[0])
        if head is None:
            issues.append(MetadataIssue(path, f'refers to "{chain[0]}", which is not a field of {obj.name}'
                                        f"{did_you_mean(chain[0], fields)}", "unknown_field"))
        elif len(chain) > 1 and head.type in REFERENCE_TYPES and head.target in bundle.objects:
            target = bundle.objects[head.target]
            if target.field(chain[1]) is None and chain[1] != "id":
                issues.append(MetadataIssue(path, f'refers to "{chain[0]}.{chain[1]}", but {target.name} has no '
                                            f'field "{chain[1]}"{did_you_mean(chain[1], target.field_names)}',
                                            "unknown_field"))
    return issues


def _check_rollup(f: FieldDef, obj: ObjectDef, bundle: MetadataBundle, path: str) -> list[MetadataIssue]:
    rollup = f.rollup
    assert rollup is not None
    child = bundle.objects.get(rollup.child)
    if child is None:
        return [MetadataIssue(f"{path}.child", f'object "{rollup.child}" does not exist'
                              f"{did_you_mean(rollup.child, list(bundle.objects))}", "unknown_object")]
    issues = []
    rel = child.field(rollup.relationship_field)
    if rel is None or rel.type not in REFERENCE_TYPES or rel.target != obj.name:
        issues.append(MetadataIssue(f"{path}.relationship_field", f'{child.name} has no lookup or master_detail '
                                    f'field "{rollup.relationship_field}" pointing at {obj.name}', "invalid_rollup"))
    if rollup.function != "count":
        summed = child.field(rollup.field or "")
        if summed is None:
            issues.append(MetadataIssue(f"{path}.field", f"{rollup.function} needs a field of {child.name} to "
                                        "summarise", "invalid_rollup"))
        elif rollup.function in ("sum", "avg") and summed.type not in NUMERIC_TYPES and summed.result_type not in NUMERIC_TYPES:
            issues.append(MetadataIssue(f"{path}.field", f'"{summed.name}" is a {summed.type} field; '
                                        f"{rollup.function} needs a number", "invalid_rollup"))
    return issues


def _formula_cycles(obj: ObjectDef, field_path: Callable[[str], str]) -> list[MetadataIssue]:
    """Formulas that depend on themselves through other formulas are refused."""
    graph = {
        f.name: {c[0] for c in references(f.formula or "")}
        for f in obj.fields if f.type == "formula"
    }
    issues = []
    for start in graph:
        stack, seen = [(start, (start,))], set()
        while stack:
            node, trail = stack.pop()
            for nxt in graph.get(node, ()):
                if nxt == start:
                    cycle = " → ".join((*trail, start))
                    issues.append(MetadataIssue(f"{field_path(start)}.formula",
                                                f"formulas depend on each other in a cycle: {cycle}", "cycle"))
                    stack = []
                    break
                if nxt not in seen and nxt in graph:
                    seen.add(nxt)
                    stack.append((nxt, (*trail, nxt)))
    return issues


def check_roles(bundle: MetadataBundle, paths: Mapping[str, str] | None = None,
                only: Iterable[str] | None = None) -> list[MetadataIssue]:
    """Roles must not redefine the built-in admin role and may only name objects and fields that exist.

    ``paths`` maps a role name to the JSON path where the admin wrote it.
    """
    paths = paths or {}
    objects = list(bundle.objects)
    issues: list[MetadataIssue] = []
    for name in (list(only) if only is not None else sorted(bundle.roles)):
        role = bundle.roles[name]
        path = paths.get(name, f'roles["{name}"]')
        issues.extend(_check_reports_to(role.name, bundle, path))
        if role.name == ADMIN_ROLE:
            issues.append(MetadataIssue(f"{path}.name", 'the "admin" role is built in (users flagged admin hold '
                                        "it) and cannot be defined; choose another name", "reserved_name"))
        for kind, entries in (("objects", role.objects), ("fields", role.fields)):
            for obj_name in entries:
                if obj_name not in bundle.objects:
                    issues.append(MetadataIssue(f'{path}.{kind}["{obj_name}"]', f'object "{obj_name}" does not '
                                                f"exist{did_you_mean(obj_name, objects)}", "unknown_object"))
        for obj_name, restricted in role.fields.items():
            obj = bundle.objects.get(obj_name)
            if obj is None:
                continue
            for field_name in restricted:
                if obj.field(field_name) is None:
                    issues.append(MetadataIssue(
                        f'{path}.fields["{obj_name}"]["{field_name}"]',
                        f'field "{field_name}" does not exist on {obj_name}{did_you_mean(field_name, obj.field_names)}',
                        "unknown_field"))
    return issues


def _check_reports_to(name: str, bundle: MetadataBundle, path: str) -> list[MetadataIssue]:
    """``reports_to`` names another defined role, and following it never comes back (no cycles)."""
    role = bundle.roles[name]
    if role.reports_to is None:
        return []
    if role.reports_to not in bundle.roles:
        return [MetadataIssue(f"{path}.reports_to", f'role "{role.reports_to}" does not exist'
                              f"{did_you_mean(role.reports_to, list(bundle.roles))}", "unknown_role")]
    trail, current = [name], role.reports_to
    while current is not None and current in bundle.roles:
        if current in trail:
            cycle = " → ".join([*trail[trail.index(current):], current])
            return [MetadataIssue(f"{path}.reports_to", f"the role hierarchy loops: {cycle}", "cycle")]
        trail.append(current)
        current = bundle.roles[current].reports_to
    return []


def check_sharing_roles(bundle: MetadataBundle, paths: Mapping[Any, str] | None = None) -> list[MetadataIssue]:
    """Every role a sharing rule opens records to is defined (checked once objects and roles are both known)."""
    paths = paths or {}
    issues: list[MetadataIssue] = []
    roles = list(bundle.roles)
    for obj in bundle.objects.values():
        path = paths.get(obj.name, f'objects["{obj.name}"]')
        for i, rule in enumerate(obj.sharing_rules):
            for j, role in enumerate(rule.roles):
                if role not in bundle.roles:
                    issues.append(MetadataIssue(f"{path}.sharing_rules[{i}].roles[{j}]", f'role "{role}" does not '
                                                f"exist{did_you_mean(role, roles)}", "unknown_role"))
    return issues
