"""Page layouts: how an object's record page and forms are arranged, as metadata.

A layout is a list of sections (label, 1 or 2 columns, collapsed or not, an
ordered list of field names), per-field presentation overrides and the roles
it is shown to. Layouts live in the object document (``"layouts": [...]``)
and are versioned with it; they have no storage, so changing only layouts
plans as a metadata-only ``update_object`` (no DDL).

An object without layouts still gets a sensible page: :func:`default_layout`
derives one (name field first, then required fields, then the rest in
definition order, and the system fields in a collapsed, read-only section),
so admins only write a layout when they want something different. Pure: no
Flask, no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from .errors import MetadataIssue
from .names import did_you_mean

if TYPE_CHECKING:  # definitions imports this module; only type hints go the other way
    from .definitions import FieldDef, ObjectDef

#: System columns a layout may show (always read-only on forms, set by MetaCRM).
LAYOUT_SYSTEM_FIELDS = ("owner", "created_by", "created_at", "updated_by", "updated_at")
DEFAULT_LAYOUT = "default"
#: Types that make poor header highlights (too long, or not a single value).
NOT_HIGHLIGHTS = ("long_text", "rich_text", "multi_picklist", "file", "polymorphic_lookup")
#: Types preferred in the header: what a salesperson scans for first.
PREFERRED_HIGHLIGHTS = ("picklist", "currency", "lookup", "master_detail", "date", "email", "phone")
MAX_HIGHLIGHTS = 4


@dataclass(frozen=True)
class LayoutSection:
    label: str
    fields: tuple[str, ...]
    columns: int = 2
    collapsed: bool = False


@dataclass(frozen=True)
class FieldOptions:
    """How one layout presents one field (presentation only; security is on roles)."""

    read_only: bool = False
    hidden: bool = False
    help: str | None = None


@dataclass(frozen=True)
class LayoutDef:
    name: str
    label: str
    sections: tuple[LayoutSection, ...]
    description: str = ""
    roles: tuple[str, ...] = ()
    default: bool = False
    highlights: tuple[str, ...] = ()
    #: field name → {"read_only", "hidden", "help"}, kept as the admin wrote it (JSON round trip).
    overrides: Mapping[str, Mapping[str, Any]] = dc_field(default_factory=lambda: MappingProxyType({}))
    #: The pack that added this item to another owner's object; None: the object's owner (docs/packs.md).
    owner: str | None = None

    def options(self, name: str) -> FieldOptions:
        raw = self.overrides.get(name) or {}
        return FieldOptions(bool(raw.get("read_only", False)), bool(raw.get("hidden", False)), raw.get("help"))

    @property
    def field_names(self) -> tuple[str, ...]:
        """Every field the layout places, in page order (hidden overrides included)."""
        return tuple(name for section in self.sections for name in section.fields)


def layout_from_json(doc: Mapping[str, Any]) -> LayoutDef:
    """A LayoutDef from a (schema-checked) document; tolerant of junk the schema pass already reported."""
    sections = []
    for s in doc.get("sections", ()) or ():
        if not isinstance(s, Mapping):
            continue
        names = tuple(n for n in (s.get("fields") or ()) if isinstance(n, str))
        sections.append(LayoutSection(label=str(s.get("label") or ""), fields=names,
                                      columns=s.get("columns", 2) if s.get("columns") in (1, 2) else 2,
                                      collapsed=bool(s.get("collapsed", False))))
    overrides = doc.get("overrides") if isinstance(doc.get("overrides"), Mapping) else {}
    return LayoutDef(
        name=doc["name"],
        label=doc.get("label") or doc["name"].replace("_", " ").capitalize(),
        sections=tuple(sections),
        description=doc.get("description", ""),
        roles=tuple(r for r in doc.get("roles", ()) or () if isinstance(r, str)),
        default=bool(doc.get("default", False)),
        highlights=tuple(h for h in doc.get("highlights", ()) or () if isinstance(h, str)),
        overrides=MappingProxyType({k: MappingProxyType(dict(v)) for k, v in overrides.items()
                                    if isinstance(v, Mapping)}),
        owner=doc.get("owner") or None,
    )


def default_layout(obj: ObjectDef) -> LayoutDef:
    """The layout of an object that defines none: what most admins would draw first.

    Name field first (it titles the record), required fields next (what a new
    record cannot do without), then the rest in definition order, in a
    two-column "Details" section; the system fields in a collapsed "System"
    section, read-only.
    """
    fields = list(obj.fields)
    first = [f.name for f in fields if f.name == obj.name_field]
    required = [f.name for f in fields if f.required and f.name not in first]
    rest = [f.name for f in fields if f.name not in first and f.name not in required]
    details = LayoutSection("Details", tuple(first + required + rest), columns=2)
    system = LayoutSection("System", LAYOUT_SYSTEM_FIELDS, columns=2, collapsed=True)
    overrides = MappingProxyType({name: MappingProxyType({"read_only": True}) for name in LAYOUT_SYSTEM_FIELDS})
    return LayoutDef(DEFAULT_LAYOUT, "Default", (details, system) if fields else (system,), default=True,
                     overrides=overrides)


def layout_for(obj: ObjectDef, roles: Iterable[str], *, is_admin: bool = False) -> LayoutDef:
    """The layout shown to a user: the first layout assigned to one of their roles, else the
    default-flagged one, else the derived default (a layout assigned to roles is theirs alone).
    Admins get the default: they see the object as everyone else does unless given a role's layout."""
    held = set(roles)
    if not is_admin:
        for layout in obj.layouts:
            if held & set(layout.roles):
                return layout
    for layout in obj.layouts:
        if layout.default:
            return layout
    return default_layout(obj)


def highlights(obj: ObjectDef, layout: LayoutDef) -> tuple[str, ...]:
    """The header's key fields: the layout's own, else up to four picked from its fields by type."""
    if layout.highlights:
        return layout.highlights
    by_name = {f.name: f for f in obj.fields}
    candidates = [by_name[n] for n in layout.field_names
                  if n in by_name and n != obj.name_field and by_name[n].type not in NOT_HIGHLIGHTS
                  and not layout.options(n).hidden]
    preferred = [f.name for f in candidates if f.type in PREFERRED_HIGHLIGHTS or f.required]
    others = [f.name for f in candidates if f.name not in preferred]
    return tuple((preferred + others)[:MAX_HIGHLIGHTS])


def check_layouts(obj: ObjectDef, path: str) -> list[MetadataIssue]:
    """Layouts name fields that exist, place each once, and keep every required field on the form."""
    issues: list[MetadataIssue] = []
    fields = {f.name: f for f in obj.fields}
    known = list(fields) + list(LAYOUT_SYSTEM_FIELDS)
    names: set[str] = set()
    defaults = 0
    for i, layout in enumerate(obj.layouts):
        lpath = f"{path}.layouts[{i}]"
        if layout.name in names:
            issues.append(MetadataIssue(f"{lpath}.name", f'the layout "{layout.name}" is defined twice'))
        names.add(layout.name)
        defaults += layout.default
        placed: set[str] = set()
        for j, section in enumerate(layout.sections):
            for k, name in enumerate(section.fields):
                fpath = f"{lpath}.sections[{j}].fields[{k}]"
                if name not in fields and name not in LAYOUT_SYSTEM_FIELDS:
                    issues.append(_unknown(fpath, name, obj, known))
                elif name in placed:
                    issues.append(MetadataIssue(fpath, f'the field "{name}" is placed twice in this layout',
                                                "duplicate_field"))
                placed.add(name)
        for key, where in (("highlights", layout.highlights), ("overrides", tuple(layout.overrides))):
            for k, name in enumerate(where):
                at = f"{lpath}.highlights[{k}]" if key == "highlights" else f"{lpath}.overrides.{name}"
                if name not in fields and name not in LAYOUT_SYSTEM_FIELDS:
                    issues.append(_unknown(at, name, obj, known))
        for f in obj.fields:
            if _needs_input(f) and (f.name not in placed or layout.options(f.name).hidden
                                    or layout.options(f.name).read_only):
                issues.append(MetadataIssue(f"{lpath}.sections", f'the required field "{f.name}" must be on '
                                            "this layout and editable, or records could not be created with it",
                                            "required_field_missing"))
    if defaults > 1:
        issues.append(MetadataIssue(f"{path}.layouts", "only one layout may be the default", "duplicate_default"))
    return issues


def check_layout_roles(obj: ObjectDef, roles: Mapping[str, Any], path: str) -> list[MetadataIssue]:
    """Every role a layout of ``obj`` is assigned to is defined, and no role gets two of its layouts.

    Run once objects and roles are both loaded (a bundle may define them together)."""
    issues: list[MetadataIssue] = []
    taken: dict[str, str] = {}
    for i, layout in enumerate(obj.layouts):
        for j, role in enumerate(layout.roles):
            rpath = f"{path}.layouts[{i}].roles[{j}]"
            if role not in roles:
                issues.append(MetadataIssue(rpath, f'role "{role}" does not exist'
                                            f"{did_you_mean(role, list(roles))}", "unknown_role"))
            elif role in taken:
                issues.append(MetadataIssue(rpath, f'the role "{role}" already has the layout '
                                            f'"{taken[role]}" on {obj.name}', "duplicate_role"))
            taken.setdefault(role, layout.name)
    return issues


def _needs_input(f: FieldDef) -> bool:
    return f.required and f.default is None and f.type not in ("boolean", "autonumber", "formula", "rollup")


def _unknown(path: str, name: str, obj: ObjectDef, known: list[str]) -> MetadataIssue:
    return MetadataIssue(path, f'field "{name}" does not exist on {obj.name}{did_you_mean(name, known)}',
                         "unknown_field")
