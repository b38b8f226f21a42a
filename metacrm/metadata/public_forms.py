"""Public forms as metadata: web-to-lead and web-to-case forms an anonymous visitor fills in.

A public form lives in its object's document (``"public_forms": [...]``) and is
versioned with it; serving it is the web layer's job
(``metacrm/platform/web/public_forms.py``). This module is pure: it turns
documents into frozen definitions and reports what could not work — a field
that does not exist, one a visitor could not sensibly fill in (computed, file,
record lookups: an anonymous visitor must not be able to search records), a
default the field would refuse, a required field neither on the form nor
defaulted, an unknown layout or owner role — each at its JSON path.

Changing a public form changes no table: the planner shows it as a safe,
metadata-only update of its object.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Mapping

from .errors import MetadataIssue
from .field_types import FIELD_TYPES, FieldValueError
from .layouts import DEFAULT_LAYOUT, default_layout
from .names import did_you_mean

if TYPE_CHECKING:
    from .definitions import FieldDef, MetadataBundle, ObjectDef

#: Field types a visitor cannot fill in on a public page: computed ones, uploads (anonymous files are a
#: storage-abuse vector) and references (choosing a record would let anyone browse the CRM's records).
NOT_PUBLIC_TYPES = ("formula", "rollup", "autonumber", "file", "lookup", "master_detail", "polymorphic_lookup")
#: Defaults may set references (a form can file every case under one product): only computed types are out.
NOT_DEFAULTABLE_TYPES = ("formula", "rollup", "autonumber", "file")
DEFAULT_PER_IP_PER_MINUTE = 5
DEFAULT_PER_FORM_PER_HOUR = 100


@dataclass(frozen=True)
class RateLimitDef:
    """How many submissions are accepted: per visitor IP per minute, and per form per hour."""

    per_ip_per_minute: int = DEFAULT_PER_IP_PER_MINUTE
    per_form_per_hour: int = DEFAULT_PER_FORM_PER_HOUR


@dataclass(frozen=True)
class PublicFormDef:
    """One public form: which fields a visitor fills in, what the record gets besides, who owns it.

    ``owner`` is a user id or ``{"role": "sales_rep"}`` (round-robin among the role's active users).
    ``allowed_origins`` are the sites that may embed the form in a frame (the page's own origin always may).
    """

    name: str
    title: str
    layout: str | None = None
    fields: tuple[str, ...] = ()
    description: str = ""
    defaults: Mapping[str, Any] = dc_field(default_factory=lambda: MappingProxyType({}))
    owner: Any = None
    success_message: str = ""
    redirect_url: str | None = None
    allowed_origins: tuple[str, ...] = ()
    active: bool = True
    rate_limit: RateLimitDef = dc_field(default_factory=RateLimitDef)

    @property
    def owner_role(self) -> str | None:
        return self.owner.get("role") if isinstance(self.owner, Mapping) else None

    @property
    def owner_user(self) -> int | None:
        return self.owner if isinstance(self.owner, int) and not isinstance(self.owner, bool) else None

    def field_names(self, obj: "ObjectDef") -> tuple[str, ...]:
        """The fields a visitor fills in, in page order: the listed ones, else the layout's editable ones."""
        if self.fields:
            return self.fields
        layout = next((lay for lay in obj.layouts if lay.name == self.layout), None)
        if layout is None:
            layout = default_layout(obj) if self.layout == DEFAULT_LAYOUT else None
        if layout is None:
            return ()
        return tuple(n for n in layout.field_names if _publishable(obj.field(n))
                     and not layout.options(n).hidden and not layout.options(n).read_only)


def _publishable(f: "FieldDef | None") -> bool:
    return f is not None and f.type not in NOT_PUBLIC_TYPES


def public_form_from_json(doc: Mapping[str, Any]) -> PublicFormDef:
    """A PublicFormDef from a (schema-checked) document; tolerant of junk the schema pass already reported."""
    limits = doc.get("rate_limit") if isinstance(doc.get("rate_limit"), Mapping) else {}
    owner = doc.get("owner")
    return PublicFormDef(
        name=doc["name"],
        title=str(doc.get("title") or doc["name"].replace("_", " ").capitalize()),
        layout=doc.get("layout") if isinstance(doc.get("layout"), str) else None,
        fields=tuple(n for n in doc.get("fields", ()) or () if isinstance(n, str)),
        description=str(doc.get("description", "")),
        defaults=MappingProxyType(dict(doc["defaults"])) if isinstance(doc.get("defaults"), Mapping) else
        MappingProxyType({}),
        owner=MappingProxyType(dict(owner)) if isinstance(owner, Mapping) else owner,
        success_message=str(doc.get("success_message", "")),
        redirect_url=doc.get("redirect_url") if isinstance(doc.get("redirect_url"), str) else None,
        allowed_origins=tuple(o for o in doc.get("allowed_origins", ()) or () if isinstance(o, str)),
        active=bool(doc.get("active", True)),
        rate_limit=RateLimitDef(
            per_ip_per_minute=int(limits.get("per_ip_per_minute", DEFAULT_PER_IP_PER_MINUTE)),
            per_form_per_hour=int(limits.get("per_form_per_hour", DEFAULT_PER_FORM_PER_HOUR))),
    )


def check_public_forms(obj: "ObjectDef", path: str) -> list[MetadataIssue]:
    """Names are unique; fields exist and a visitor can fill them in; defaults are valid values of
    writable fields; every required field is on the form or defaulted; the layout exists."""
    issues: list[MetadataIssue] = []
    seen: set[str] = set()
    for i, form in enumerate(getattr(obj, "public_forms", ())):
        fpath = f"{path}.public_forms[{i}]"
        if form.name in seen:
            issues.append(MetadataIssue(f"{fpath}.name", f'the public form "{form.name}" is defined twice'))
        seen.add(form.name)
        issues.extend(_check_source(form, obj, fpath))
        issues.extend(_check_defaults(form, obj, fpath))
        offered = set(form.field_names(obj)) | set(form.defaults)
        for f in obj.fields:
            if f.required and f.default is None and f.type not in ("boolean", *NOT_DEFAULTABLE_TYPES) \
                    and f.name not in offered:
                issues.append(MetadataIssue(fpath, f'the required field "{f.name}" is neither on this form nor '
                                            "in its defaults, so no submission could be saved",
                                            "required_field_missing"))
    return issues


def _check_source(form: PublicFormDef, obj: "ObjectDef", path: str) -> list[MetadataIssue]:
    if bool(form.layout) == bool(form.fields):
        return [MetadataIssue(path, 'give either "layout" (a layout of this object) or "fields" (a list of '
                              "field names), not both or neither", "invalid_form")]
    if form.layout:
        names = [lay.name for lay in obj.layouts] or [DEFAULT_LAYOUT]
        if form.layout not in names:
            return [MetadataIssue(f"{path}.layout", f'the layout "{form.layout}" does not exist on {obj.name}'
                                  f"{did_you_mean(form.layout, names)}", "unknown_layout")]
        return []
    issues = []
    for k, name in enumerate(form.fields):
        f = obj.field(name)
        if f is None:
            issues.append(MetadataIssue(f"{path}.fields[{k}]", f'field "{name}" does not exist on {obj.name}'
                                        f"{did_you_mean(name, obj.field_names)}", "unknown_field"))
        elif f.type in NOT_PUBLIC_TYPES:
            issues.append(MetadataIssue(f"{path}.fields[{k}]", f'"{name}" is a {f.type} field, which a visitor '
                                        "cannot fill in on a public form (set it in defaults, or leave it out)",
                                        "not_public"))
    return issues


def _check_defaults(form: PublicFormDef, obj: "ObjectDef", path: str) -> list[MetadataIssue]:
    issues = []
    for name, value in form.defaults.items():
        at = f"{path}.defaults.{name}"
        f = obj.field(name)
        if f is None:
            issues.append(MetadataIssue(at, f'field "{name}" does not exist on {obj.name}'
                                        f"{did_you_mean(name, obj.field_names)}", "unknown_field"))
            continue
        if f.type in NOT_DEFAULTABLE_TYPES:
            issues.append(MetadataIssue(at, f'"{name}" is a {f.type} field and is not written by forms',
                                        "not_writable"))
            continue
        try:
            FIELD_TYPES.get(f.type).coerce(value, f)
        except FieldValueError as exc:
            issues.append(MetadataIssue(at, f"the default {exc.message}", "invalid_default"))
    return issues


def check_public_form_roles(obj: "ObjectDef", roles: Mapping[str, Any], path: str) -> list[MetadataIssue]:
    """An owner role names a defined role (checked once objects and roles are both loaded)."""
    issues = []
    for i, form in enumerate(getattr(obj, "public_forms", ())):
        role = form.owner_role
        if role is not None and role not in roles:
            issues.append(MetadataIssue(f"{path}.public_forms[{i}].owner.role", f'role "{role}" does not exist'
                                        f"{did_you_mean(role, list(roles))}", "unknown_role"))
    return issues


def find_form(obj: "ObjectDef", name: str) -> PublicFormDef | None:
    return next((f for f in getattr(obj, "public_forms", ()) if f.name == name), None)

