"""Definitions: the frozen, typed form of validated metadata documents.

JSON documents are what admins and packs write; everything past the loader
works with these dataclasses so that no layer looks up metadata by string
paths. They are immutable so a compiled snapshot can be shared by threads.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, fields, is_dataclass, replace
from dataclasses import field as dc_field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:
    from .list_views import ViewDef
    from .public_forms import PublicFormDef
    from .record_pages import RecordPageDef
    from .retention import RetentionDef
    from .duplicates import DuplicateRule
    from .layouts import LayoutDef
    from .logic import ScriptDef, ValidationRuleDef
    from .state_machines import ApprovalProcessDef, StateMachineDef
    from .workflows import WorkflowDef
    from .conversions import ConversionDef
    from .reports import DashboardDef, ReportDef

OWNER_ADMIN = "admin"
OWNER_CORE = "core"


def freeze(value: Any) -> Any:
    """Deep-freeze JSON data: dicts → read-only mappings, lists → tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """The inverse of :func:`freeze`, for writing JSON."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [thaw(v) for v in value]
    return value


@dataclass(frozen=True)
class PicklistOption:
    value: str
    label: str
    color: str | None = None
    active: bool = True

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"value": self.value, "label": self.label}
        if self.color:
            out["color"] = self.color
        if not self.active:
            out["active"] = False
        return out


@dataclass(frozen=True)
class RollupDef:
    """A summary of child records (count/sum/min/max/avg) kept on the parent."""

    child: str
    relationship_field: str
    function: str
    field: str | None = None
    filter: Mapping[str, Any] = dc_field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class FieldDef:
    name: str
    type: str
    label: str
    description: str = ""
    help_text: str = ""
    required: bool = False
    unique: bool = False
    indexed: bool = False
    sensitive: bool = False
    searchable: bool = False
    default: Any = None
    external_names: Mapping[str, str] = dc_field(default_factory=lambda: MappingProxyType({}))
    max_length: int | None = None
    precision: int | None = None
    scale: int | None = None
    options: tuple[PicklistOption, ...] = ()
    target: str | None = None
    targets: tuple[str, ...] = ()
    on_delete: str | None = None
    pattern: str | None = None
    formula: str | None = None
    result_type: str | None = None
    stored: bool = True
    rollup: RollupDef | None = None
    currency: str | None = None
    owner: str = OWNER_ADMIN
    #: Shown to external (portal) users; every other field is invisible to them.
    portal_visible: bool = False
    #: Field history records this field's changes (off for noisy or bulky fields; long text is truncated).
    track_history: bool = True
    #: How the value looks to a role that sees this field ``masked``: ``{"show_last": 4}`` (the default).
    mask: Mapping[str, Any] | None = None

    @property
    def option_values(self) -> tuple[str, ...]:
        return tuple(o.value for o in self.options)

    def to_json(self) -> dict[str, Any]:
        """The canonical JSON form: only non-default keys, stable order."""
        return _to_json(self)


#: Organisation-wide defaults of record access (Salesforce's "OWD").
SHARING_MODELS = ("private", "public_read", "public_read_write")
#: Custom objects are open by default, as in Salesforce: restricting access is a choice an admin makes.
DEFAULT_SHARING = "public_read_write"
#: What a sharing rule, a manual share or a team membership grants.
SHARE_ACCESS = ("read", "edit")


@dataclass(frozen=True)
class SharingRuleDef:
    """Criteria-based sharing: records matching ``criteria`` are opened to ``roles``.

    ``criteria`` holds query-language filters (``{"region": "EMEA", "amount__gte": "1000"}``),
    the same syntax as list URLs, so an admin learns one language; the runtime compiles
    them to SQL and checks them against the object when the metadata is planned.
    """

    name: str
    criteria: Mapping[str, str]
    roles: tuple[str, ...]
    access: str = "read"


@dataclass(frozen=True)
class PortalDef:
    """How external (portal) users reach an object: only records whose ``via`` holds their user id.

    ``via`` is ``owner``, an integer field of the object, or one lookup hop
    (``contact__portal_user``) to an integer field of the record it points at.
    """

    via: str
    access: str = "read"


@dataclass(frozen=True)
class ObjectDef:
    name: str
    label: str
    plural_label: str
    fields: tuple[FieldDef, ...]
    name_field: str | None = None
    description: str = ""
    icon: str | None = None
    search_fields: tuple[str, ...] = ()
    currency: str = "USD"
    multi_currency: bool = False
    owner: str = OWNER_ADMIN
    sharing: str = DEFAULT_SHARING
    sharing_rules: tuple[SharingRuleDef, ...] = ()
    portal: PortalDef | None = None
    #: List views (``list_views.py``); none means a default view derived from the fields.
    list_views: tuple[ViewDef, ...] = ()
    #: Page layouts (``layouts.py``); none means a layout derived from the fields.
    layouts: tuple[LayoutDef, ...] = ()
    #: Validation rules and server scripts (``logic.py``), run by the platform's logic layer.
    validation_rules: tuple[ValidationRuleDef, ...] = ()
    scripts: tuple[ScriptDef, ...] = ()
    #: Workflows (``workflows.py``): trigger, condition, actions; run by ``metacrm/platform/workflows``.
    workflows: tuple[WorkflowDef, ...] = ()
    #: Conversions (``conversions.py``): a lead into account, contact, opportunity; run by ``platform/conversions``.
    conversions: tuple[ConversionDef, ...] = ()
    #: State machines (one per picklist field) and approval processes (``state_machines.py``).
    state_machines: tuple[StateMachineDef, ...] = ()
    approval_processes: tuple[ApprovalProcessDef, ...] = ()
    #: Public web forms (``public_forms.py``): web-to-lead, web-to-case; served by ``platform/web/public_forms``.
    public_forms: tuple[PublicFormDef, ...] = ()
    #: What the record page shows around the fields (``record_pages.py``): KPIs, related lists, a timeline.
    record_page: RecordPageDef | None = None
    #: Records are people: the personal-data tools (access export, erasure) apply (``retention.py``).
    personal_data: bool = False
    #: Review or anonymise records after N years of inactivity (``retention.py``); run by ``metacrm retention``.
    retention: RetentionDef | None = None
    #: Probable-duplicate rules (``duplicates.py``): warn or block on create; run by ``platform/duplicates``.
    duplicate_rules: tuple[DuplicateRule, ...] = ()

    def field(self, name: str) -> FieldDef | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def to_json(self) -> dict[str, Any]:
        """A field whose owner differs from its object's always says so: a field without one
        inherits the object's on load, which would turn an admin's field on a core object into core's."""
        out = _to_json(self, skip=("fields", "workflows", "state_machines", "approval_processes", "conversions"))
        if self.workflows:  # their own JSON shape (trigger "from"/"to", action keys at the top level)
            out["workflows"] = [w.to_json() for w in self.workflows]
        if self.conversions:
            out["conversions"] = [c.to_json() for c in self.conversions]
        for key in ("state_machines", "approval_processes"):  # their own JSON shape too
            if getattr(self, key):
                out[key] = [d.to_json() for d in getattr(self, key)]
        out["fields"] = []
        for f in self.fields:
            doc = f.to_json()  # spells out any owner but the default, admin
            if "owner" not in doc and f.owner != self.owner:
                doc["owner"] = f.owner
            out["fields"].append(doc)
        return out


#: The permissions a role grants on one object.
OBJECT_PERMISSIONS = ("create", "read", "update", "delete", "view_all", "modify_all")
#: What a role may restrict on one field (``masked``: shown as e.g. "•••• 1234", and not writable).
FIELD_ACCESS = ("hidden", "masked", "read_only")
#: The built-in role: users flagged admin hold it implicitly; no document may define it.
ADMIN_ROLE = "admin"


@dataclass(frozen=True)
class RoleDef:
    """A named set of object and field permissions that users are granted.

    ``objects`` maps an object name to the permissions granted on it (a
    permission left out is not granted); ``fields`` maps an object name to
    the fields this role restricts (``hidden``, ``masked`` or ``read_only``).
    """

    name: str
    label: str
    description: str = ""
    owner: str = OWNER_ADMIN
    objects: Mapping[str, Mapping[str, bool]] = dc_field(default_factory=lambda: MappingProxyType({}))
    fields: Mapping[str, Mapping[str, str]] = dc_field(default_factory=lambda: MappingProxyType({}))
    #: The role above this one: its holders see and edit records owned by holders of this role.
    reports_to: str | None = None

    def grants(self, object_name: str, permission: str) -> bool:
        return bool((self.objects.get(object_name) or {}).get(permission, False))

    def field_access(self, object_name: str, field_name: str) -> str | None:
        """``hidden``, ``masked``, ``read_only`` or None (no restriction)."""
        return (self.fields.get(object_name) or {}).get(field_name)

    def to_json(self) -> dict[str, Any]:
        out = _to_json(self)
        out.setdefault("objects", {})
        return out


@dataclass(frozen=True)
class MetadataBundle:
    """Every definition of one metadata version, keyed by kind then name.

    Objects are the only kind with storage; later kinds (layouts, views,
    rules, workflows, roles) join as further mappings without touching DDL.
    """

    objects: Mapping[str, ObjectDef] = dc_field(default_factory=lambda: MappingProxyType({}))
    roles: Mapping[str, RoleDef] = dc_field(default_factory=lambda: MappingProxyType({}))
    #: Reports and dashboards (``reports.py``): metadata only, run by ``metacrm/platform/reports``.
    reports: Mapping[str, ReportDef] = dc_field(default_factory=lambda: MappingProxyType({}))
    dashboards: Mapping[str, DashboardDef] = dc_field(default_factory=lambda: MappingProxyType({}))

    def with_object(self, obj: ObjectDef) -> "MetadataBundle":
        objects = dict(self.objects)
        objects[obj.name] = obj
        return replace(self, objects=MappingProxyType(objects))

    def without_object(self, name: str) -> "MetadataBundle":
        objects = {k: v for k, v in self.objects.items() if k != name}
        return replace(self, objects=MappingProxyType(objects))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"objects": [self.objects[n].to_json() for n in sorted(self.objects)]}
        if self.roles:  # left out when there are none, so older snapshots compare equal
            out["roles"] = [self.roles[n].to_json() for n in sorted(self.roles)]
        for kind in ("reports", "dashboards"):  # likewise left out when empty
            items = getattr(self, kind)
            if items:
                out[kind] = [items[n].to_json() for n in sorted(items)]
        return out


def _to_json(obj: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(obj):
        if f.name in skip:
            continue
        value = getattr(obj, f.name)
        default = f.default if f.default_factory is MISSING else f.default_factory()
        if value == default and f.name not in ("name", "type", "label", "plural_label"):
            continue
        if isinstance(value, tuple) and value and isinstance(value[0], PicklistOption):
            value = [o.to_json() for o in value]
        elif isinstance(value, tuple) and value and is_dataclass(value[0]):
            value = [_to_json(v) for v in value]
        elif is_dataclass(value):
            value = _to_json(value)
        out[f.name] = thaw(value)
    return out

