"""From JSON documents to definitions: validate, normalise, freeze.

Loading never stops at the first problem: the JSON Schema pass, the
type-specific pass and the cross-definition checks all contribute to one
list, so an admin fixes a file in one round trip.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Mapping

from .checks import check_bundle, check_roles, check_sharing_roles
from .definitions import (
    OWNER_ADMIN,
    FieldDef,
    MetadataBundle,
    DEFAULT_SHARING,
    ObjectDef,
    PicklistOption,
    PortalDef,
    RoleDef,
    RollupDef,
    SharingRuleDef,
    freeze,
)
from .errors import MetadataError, MetadataIssue
from .list_views import check_view_roles, view_from_json
from .layouts import check_layout_roles, layout_from_json
from .logic import rule_from_json, script_from_json
from .public_forms import check_public_form_roles, public_form_from_json
from .reports import load_reports, reports_from_snapshot
from .record_pages import record_page_from_json
from .retention import retention_from_json
from .duplicates import rules_from_json as duplicate_rules_from_json
from .workflows import workflow_from_json
from .conversions import conversion_from_json
from .state_machines import approval_process_from_json, check_automation_roles, state_machine_from_json
from .field_types import FIELD_TYPES
from .names import NAME_RE, did_you_mean, field_name_problem, name_problem
from .validation import schema_issues

COMMON_FIELD_KEYS = frozenset(
    {"name", "type", "label", "description", "help_text", "required", "unique", "indexed", "sensitive",
     "searchable", "default", "external_names", "owner", "renamed_from", "portal_visible",
     "mask", "track_history"}
)


@dataclass(frozen=True)
class RenameHints:
    """``renamed_from`` hints, consumed by the planner and never stored."""

    objects: Mapping[str, str] = field(default_factory=dict)  # new name -> old name
    fields: Mapping[tuple[str, str], str] = field(default_factory=dict)  # (object, new) -> old


@dataclass(frozen=True)
class Loaded:
    bundle: MetadataBundle
    renames: RenameHints


def pluralize(label: str) -> str:
    """An English default for ``plural_label`` (admins override it for anything irregular)."""
    lower = label.lower()
    if lower.endswith("y") and lower[-2:-1] not in ("a", "e", "i", "o", "u"):
        return f"{label[:-1]}ies"
    if lower.endswith(("s", "x", "z", "ch", "sh")):
        return f"{label}es"
    return f"{label}s"


def humanize(name: str) -> str:
    return name.replace("_", " ").capitalize()


def load_objects(
    documents: list[Any],
    *,
    base: MetadataBundle | None = None,
    prefix: str = "objects",
    owner: str | None = None,
    schema_checked: bool = False,
) -> Loaded:
    """Validate object documents and merge them over ``base`` (upsert by name).

    ``prefix`` is the JSON path of the list, "" when a single object document
    was given. ``owner`` stamps items that do not say who owns them.
    ``schema_checked`` skips the per-object JSON Schema pass when the caller
    already validated the enclosing bundle (it was half the cost of a load).
    Raises :class:`MetadataError` listing every problem.
    """
    base = base or MetadataBundle()
    issues: list[MetadataIssue] = []
    objects: dict[str, ObjectDef] = dict(base.objects)
    paths: dict[Any, str] = {}
    object_renames: dict[str, str] = {}
    field_renames: dict[tuple[str, str], str] = {}
    seen: set[str] = set()

    for index, doc in enumerate(documents):
        path = f"{prefix}[{index}]" if prefix else ""
        found = [] if schema_checked else schema_issues(doc, "object", path)
        issues.extend(found)
        fields_path = _join(path, "fields[")
        broken_fields = {int(i.path[len(fields_path):].split("]")[0]) for i in found if i.path.startswith(fields_path)}
        if not isinstance(doc, dict) or not isinstance(doc.get("name"), str) or not isinstance(doc.get("fields"), list):
            continue  # too malformed to look deeper; the schema issues say why
        obj_issues, obj = _object_from_json(doc, path, owner, skip=broken_fields,
                                            previous=base.objects.get(doc.get("renamed_from") or doc["name"]))
        issues.extend(obj_issues)
        if obj.name in seen:
            issues.append(MetadataIssue(_join(path, "name"), f'the object "{obj.name}" is defined twice'))
            continue
        seen.add(obj.name)
        if doc.get("renamed_from"):
            object_renames[obj.name] = doc["renamed_from"]
            objects.pop(doc["renamed_from"], None)
        for i, f in enumerate(doc.get("fields", [])):
            if f.get("renamed_from"):
                field_renames[(obj.name, f["name"])] = f["renamed_from"]
        objects[obj.name] = obj
        paths[obj.name] = path
        for i, f in enumerate(doc["fields"]):
            if isinstance(f, dict) and isinstance(f.get("name"), str):
                paths[(obj.name, f["name"])] = _join(path, f"fields[{i}]")

    bundle = replace(base, objects=MappingProxyType(objects))  # roles of the base are kept
    issues.extend(check_bundle(bundle, paths, only=seen))
    if issues:
        raise MetadataError(sorted(set(issues), key=_path_key))
    return Loaded(bundle, RenameHints(object_renames, field_renames))


def load_bundle(document: Any, *, base: MetadataBundle | None = None, owner: str | None = None) -> Loaded:
    """Load a bundle document (``{"objects": [...], "roles": [...]}``) or a single object document.

    Objects and roles are upserted by name over ``base``.
    """
    if isinstance(document, dict) and "objects" not in document and "fields" in document:
        return load_objects([document], base=base, prefix="", owner=owner)
    issues = schema_issues(document, "bundle")
    if issues:
        raise MetadataError(issues)
    try:
        loaded = load_objects(document.get("objects", []), base=base, owner=owner, schema_checked=True)
    except MetadataError as exc:
        issues.extend(exc.issues)
        loaded = Loaded(base or MetadataBundle(), RenameHints())
    if document.get("roles"):
        role_issues, bundle = load_roles(document["roles"], loaded.bundle, owner=owner)
        issues.extend(role_issues)
        loaded = Loaded(bundle, loaded.renames)
    if document.get("reports") or document.get("dashboards"):  # after objects and roles: they name both
        report_issues, bundle = load_reports(document, loaded.bundle, owner=owner)
        issues.extend(report_issues)
        loaded = Loaded(bundle, loaded.renames)
    if isinstance(document, dict):  # sharing rules name roles: checked once both are loaded
        paths = {doc["name"]: f"objects[{i}]" for i, doc in enumerate(document.get("objects", []))
                 if isinstance(doc, dict) and isinstance(doc.get("name"), str)}
        issues.extend(i for i in check_sharing_roles(loaded.bundle, paths) if i.path.startswith("objects["))
        for name, path in paths.items():  # so do list views
            if name in loaded.bundle.objects:
                issues.extend(check_view_roles(loaded.bundle.objects[name], loaded.bundle.roles, path))
                issues.extend(check_layout_roles(loaded.bundle.objects[name], loaded.bundle.roles, path))
                issues.extend(check_public_form_roles(loaded.bundle.objects[name], loaded.bundle.roles, path))
                issues.extend(check_automation_roles(loaded.bundle.objects[name], loaded.bundle.roles, path))
    if issues:
        raise MetadataError(sorted(set(issues), key=_path_key))
    return loaded


def load_roles(documents: list[Any], bundle: MetadataBundle, *, prefix: str = "roles",
               owner: str | None = None) -> tuple[list[MetadataIssue], MetadataBundle]:
    """Schema-checked role documents upserted over ``bundle``'s roles, and the issues found."""
    issues: list[MetadataIssue] = []
    roles = dict(bundle.roles)
    paths: dict[str, str] = {}
    for index, doc in enumerate(documents):
        path = f"{prefix}[{index}]"
        if not isinstance(doc, dict) or not isinstance(doc.get("name"), str):
            continue  # the bundle's schema pass already said why
        role = _role_from_json(doc, owner or getattr(bundle.roles.get(doc["name"]), "owner", None))
        if role.name in paths:
            issues.append(MetadataIssue(_join(path, "name"), f'the role "{role.name}" is defined twice'))
            continue
        roles[role.name] = role
        paths[role.name] = path
    bundle = replace(bundle, roles=MappingProxyType(roles))
    issues.extend(check_roles(bundle, paths, only=list(paths)))
    return issues, bundle


def _role_from_json(doc: Mapping[str, Any], owner: str | None) -> RoleDef:
    return RoleDef(
        name=doc["name"],
        label=doc.get("label") or humanize(doc["name"]),
        description=doc.get("description", ""),
        owner=doc.get("owner") or owner or OWNER_ADMIN,
        objects=freeze({k: {p: bool(v) for p, v in perms.items()} for k, perms in doc.get("objects", {}).items()}),
        fields=freeze(doc.get("fields", {})),
        reports_to=doc.get("reports_to"),
    )


def bundle_from_snapshot(snapshot: Mapping[str, Any]) -> MetadataBundle:
    """Rebuild a stored, already validated snapshot without re-running checks."""
    objects = {}
    for doc in snapshot.get("objects", []):
        issues, obj = _object_from_json(doc, "", None)
        if issues:
            raise MetadataError(issues, "A stored metadata version could not be read")
        objects[obj.name] = obj
    roles = {doc["name"]: _role_from_json(doc, None) for doc in snapshot.get("roles", [])}
    return MetadataBundle(objects=MappingProxyType(objects), roles=MappingProxyType(roles),
                          **reports_from_snapshot(snapshot))


def _object_from_json(
    doc: dict[str, Any], path: str, owner: str | None, skip: set[int] = frozenset(),  # type: ignore[assignment]
    previous: ObjectDef | None = None,
) -> tuple[list[MetadataIssue], ObjectDef | None]:
    """Build an ObjectDef; fields listed in ``skip`` already failed the schema.

    ``previous`` is the object this document upserts. When neither the document
    nor the caller names an owner, the object keeps its previous owner and so do
    its existing fields, while fields new to it are the admin's: an admin editing a
    core or pack object without repeating ``"owner"`` must not take it over.
    """
    issues: list[MetadataIssue] = []
    problem = name_problem(doc["name"], kind="object name") if NAME_RE.match(doc["name"]) else None
    if problem:
        issues.append(MetadataIssue(_join(path, "name"), problem, "invalid_name"))
    fields: list[FieldDef] = []
    names: set[str] = set()
    explicit_owner = doc.get("owner") or owner
    obj_owner = explicit_owner or (previous.owner if previous else None) or OWNER_ADMIN
    for i, f in enumerate(doc["fields"]):
        if i in skip:
            continue
        fpath = _join(path, f"fields[{i}]")
        prev_field = previous.field(f.get("renamed_from") or f.get("name")) \
            if previous is not None and isinstance(f, dict) and not explicit_owner else None
        f_issues, fdef = _field_from_json(f, fpath, explicit_owner or (prev_field.owner if prev_field else None)
                                          or (OWNER_ADMIN if previous is not None else obj_owner))
        issues.extend(f_issues)
        if fdef is None:
            continue
        if fdef.name in names:
            issues.append(MetadataIssue(_join(fpath, "name"), f'the field "{fdef.name}" is defined twice'))
        names.add(fdef.name)
        fields.append(fdef)
    label = doc.get("label") or humanize(doc["name"])
    obj = ObjectDef(
        name=doc["name"],
        label=label,
        plural_label=doc.get("plural_label") or pluralize(label),
        fields=tuple(fields),
        name_field=doc.get("name_field") or _default_name_field(fields),
        description=doc.get("description", ""),
        icon=doc.get("icon"),
        search_fields=tuple(doc.get("search_fields", ())),
        currency=doc.get("currency", "USD"),
        multi_currency=bool(doc.get("multi_currency", False)),
        owner=obj_owner,
        sharing=doc.get("sharing", DEFAULT_SHARING),
        sharing_rules=tuple(_sharing_rule(r) for r in doc.get("sharing_rules", ())
                            if isinstance(r, dict) and isinstance(r.get("name"), str)),
        portal=PortalDef(doc["portal"]["via"], doc["portal"].get("access", "read"))
        if isinstance(doc.get("portal"), dict) and isinstance(doc["portal"].get("via"), str) else None,
        list_views=tuple(view_from_json(v) for v in doc.get("list_views", ())
                         if isinstance(v, dict) and isinstance(v.get("name"), str)),
        layouts=tuple(layout_from_json(v) for v in doc.get("layouts", ())
                      if isinstance(v, dict) and isinstance(v.get("name"), str)),
        validation_rules=tuple(rule_from_json(r) for r in doc.get("validation_rules", ())
                               if isinstance(r, dict) and isinstance(r.get("name"), str)),
        scripts=tuple(script_from_json(r) for r in doc.get("scripts", ())
                      if isinstance(r, dict) and isinstance(r.get("name"), str)),
        workflows=tuple(workflow_from_json(w) for w in doc.get("workflows", ())
                        if isinstance(w, dict) and isinstance(w.get("name"), str)),
        conversions=tuple(conversion_from_json(c) for c in doc.get("conversions", ())
                          if isinstance(c, dict) and isinstance(c.get("name"), str)),
        state_machines=tuple(state_machine_from_json(m) for m in doc.get("state_machines", ())
                             if isinstance(m, dict) and isinstance(m.get("field"), str)),
        approval_processes=tuple(approval_process_from_json(p) for p in doc.get("approval_processes", ())
                                 if isinstance(p, dict) and isinstance(p.get("name"), str)),
        public_forms=tuple(public_form_from_json(f) for f in doc.get("public_forms", ())
                           if isinstance(f, dict) and isinstance(f.get("name"), str)),
        record_page=record_page_from_json(doc["record_page"]) if isinstance(doc.get("record_page"), dict) else None,
        personal_data=bool(doc.get("personal_data", False)),
        retention=retention_from_json(doc.get("retention")),
        duplicate_rules=duplicate_rules_from_json(doc.get("duplicate_rules")),
    )
    return issues, obj


def criteria_params(criteria: Any) -> dict[str, str]:
    """Sharing-rule criteria as query parameters: a query string or an object of scalars.

    Scalars are written as the query language reads them (``true``, ``1000``), so
    ``{"amount__gte": 1000}`` and ``"amount__gte=1000"`` mean the same.
    """
    if isinstance(criteria, str):
        return {k: v for k, v in parse_qsl(criteria, keep_blank_values=True)}
    out: dict[str, str] = {}
    if not isinstance(criteria, Mapping):
        return out  # the schema pass reports it
    for key, value in criteria.items():
        out[str(key)] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return out


def _sharing_rule(doc: Mapping[str, Any]) -> SharingRuleDef:
    roles = doc.get("roles", ())
    return SharingRuleDef(name=doc["name"], criteria=freeze(criteria_params(doc.get("criteria"))),
                          roles=tuple(r for r in roles if isinstance(r, str)) if isinstance(roles, list) else (),
                          access=doc.get("access", "read"))


def _default_name_field(fields: list[FieldDef]) -> str | None:
    texts = [f.name for f in fields if f.type in ("text", "email", "autonumber")]
    for preferred in ("name", "title", "subject", "full_name"):
        if preferred in texts:
            return preferred
    return texts[0] if texts else None


def _field_from_json(doc: dict[str, Any], path: str, owner: str) -> tuple[list[MetadataIssue], FieldDef | None]:
    issues: list[MetadataIssue] = []
    problem = field_name_problem(doc["name"]) if NAME_RE.match(doc["name"]) else None
    if problem:
        issues.append(MetadataIssue(_join(path, "name"), problem, "invalid_name"))
    type_name = doc["type"]
    if type_name not in FIELD_TYPES:
        issues.append(MetadataIssue(
            _join(path, "type"),
            f'"{type_name}" is not a field type{did_you_mean(type_name, FIELD_TYPES.names())} '
            f"(known types: {', '.join(FIELD_TYPES.names())})",
            "unknown_type",
        ))
        return issues, None
    allowed = COMMON_FIELD_KEYS | FIELD_TYPES.get(type_name).settings
    for key in doc:
        if key not in allowed:
            issues.append(MetadataIssue(
                _join(path, key), f'"{key}" does not apply to {type_name} fields', "not_applicable"
            ))
    if issues:
        return issues, None
    options = tuple(
        PicklistOption(value=o, label=o) if isinstance(o, str)
        else PicklistOption(o["value"], o.get("label", o["value"]), o.get("color"), o.get("active", True))
        for o in doc.get("options", ())
    )
    values = [o.value for o in options]
    if len(set(values)) != len(values):
        dupes = sorted({v for v in values if values.count(v) > 1})
        issues.append(MetadataIssue(_join(path, "options"), f"the choices {', '.join(dupes)} appear twice"))
    rollup = doc.get("rollup")
    fdef = FieldDef(
        name=doc["name"],
        type=type_name,
        label=doc.get("label") or humanize(doc["name"]),
        description=doc.get("description", ""),
        help_text=doc.get("help_text", ""),
        required=doc.get("required", type_name == "master_detail"),
        unique=doc.get("unique", False),
        indexed=doc.get("indexed", False),
        sensitive=doc.get("sensitive", False),
        searchable=doc.get("searchable", False),
        default=freeze(doc.get("default")),
        external_names=freeze(doc.get("external_names", {})),
        max_length=doc.get("max_length"),
        precision=doc.get("precision"),
        scale=doc.get("scale"),
        options=options,
        target=doc.get("target"),
        targets=tuple(doc.get("targets", ())),
        on_delete=doc.get("on_delete"),
        pattern=doc.get("pattern"),
        formula=doc.get("formula"),
        result_type=doc.get("result_type"),
        stored=doc.get("stored", True),
        rollup=RollupDef(
            child=rollup["child"], relationship_field=rollup["relationship_field"], function=rollup["function"],
            field=rollup.get("field"), filter=freeze(rollup.get("filter", {})),
        ) if rollup else None,
        currency=doc.get("currency"),
        owner=doc.get("owner") or owner,
        portal_visible=bool(doc.get("portal_visible", False)),
        track_history=bool(doc.get("track_history", True)),
        mask=freeze(doc["mask"]) if isinstance(doc.get("mask"), dict) else None,
    )
    return issues, (None if issues else fdef)


def _path_key(issue: MetadataIssue) -> list[tuple[int, int | str]]:
    """Sort "fields[10]" after "fields[9]": numbers compare as numbers."""
    return [(0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"[\[\].]+", issue.path) if p]


def _join(path: str, key: str) -> str:
    if not path:
        return key
    return f"{path}{key}" if key.startswith("[") else f"{path}.{key}"
