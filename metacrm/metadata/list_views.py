"""List views as metadata: which columns, which records, in which order, shared with whom.

A view's ``filters`` and ``sort`` are written in the query language of list
URLs (``{"stage": "Won", "amount__gte": "1000"}``, ``"-amount,title"``), so an
admin learns one language for URLs, the API, sharing rules and views. This
module is pure: it checks that views name fields and operators that exist
(with JSON paths); the platform parses the filters with the real query
parser when a change is planned (``platform/web/lists/view_checks.py``).

When an object defines no view, :func:`default_view` derives one, so every
object has a usable list the moment it is created.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from .errors import MetadataIssue
from .names import did_you_mean

if TYPE_CHECKING:
    from .definitions import FieldDef, ObjectDef

#: The query language's filter operators (kept equal to ``platform.query.model.OPERATORS`` by a test).
FILTER_OPERATORS = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "nin", "contains", "icontains", "startswith",
                    "istartswith", "isnull", "between")
#: System columns a view may show, sort or filter on.
VIEW_SYSTEM_FIELDS = ("id", "created_at", "updated_at", "created_by", "updated_by", "owner")
REFERENCE_TYPES = ("lookup", "master_detail")
DEFAULT_VIEW_NAME = "all"
DEFAULT_SORT = "-updated_at"
DEFAULT_PAGE_SIZE = 50
DEFAULT_COLUMNS = 5
#: Types that make poor columns: long, structured or binary values.
UNLISTABLE_TYPES = ("long_text", "rich_text", "multi_picklist", "file", "polymorphic_lookup")
#: Types most worth a column when an admin has not chosen any (what people scan a list for).
KEY_TYPES = ("picklist", "currency", "date", "datetime", "lookup", "master_detail", "email", "phone", "autonumber")


@dataclass(frozen=True)
class ViewDef:
    """One list view of an object (frozen; filters are a read-only mapping of query parameters)."""

    name: str
    label: str
    columns: tuple[str, ...] = ()
    filters: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    sort: str = DEFAULT_SORT
    page_size: int = DEFAULT_PAGE_SIZE
    roles: tuple[str, ...] = ()
    default: bool = False
    description: str = ""
    #: The pack that added this item to another owner's object; None: the object's owner (docs/packs.md).
    owner: str | None = None

    def shared_with(self, roles: Iterable[str], *, is_admin: bool = False) -> bool:
        """Views without roles are for everyone who reads the object; admins see every view."""
        return is_admin or not self.roles or bool(set(self.roles) & set(roles))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "label": self.label}
        if self.description:
            out["description"] = self.description
        if self.columns:
            out["columns"] = list(self.columns)
        if self.filters:
            out["filters"] = dict(self.filters)
        if self.sort != DEFAULT_SORT:
            out["sort"] = self.sort
        if self.page_size != DEFAULT_PAGE_SIZE:
            out["page_size"] = self.page_size
        if self.roles:
            out["roles"] = list(self.roles)
        if self.default:
            out["default"] = True
        if self.owner:
            out["owner"] = self.owner
        return out


def filter_value(value: Any) -> str:
    """A filter value as the query language reads it (JSON true → "true", 1000 → "1000")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def view_from_json(doc: Mapping[str, Any]) -> ViewDef:
    """A schema-checked view document as a :class:`ViewDef` (labels default to the humanised name)."""
    filters = doc.get("filters") if isinstance(doc.get("filters"), Mapping) else {}
    return ViewDef(
        name=doc["name"],
        label=doc.get("label") or doc["name"].replace("_", " ").capitalize(),
        columns=tuple(c for c in doc.get("columns", ()) if isinstance(c, str)),
        filters=MappingProxyType({str(k): filter_value(v) for k, v in filters.items()}),
        sort=doc.get("sort") or DEFAULT_SORT,
        page_size=int(doc.get("page_size") or DEFAULT_PAGE_SIZE),
        roles=tuple(r for r in doc.get("roles", ()) if isinstance(r, str)),
        default=bool(doc.get("default", False)),
        description=doc.get("description", ""),
        owner=doc.get("owner") or None,
    )


def default_view(obj: ObjectDef) -> ViewDef:
    """The view of an object that defines none: its name field and up to five useful columns.

    Required fields and the types people scan lists for (stage, amount, dates, the
    account a record belongs to) come first; long texts, files and sensitive fields
    never appear unasked (reading a sensitive column is audited). Columns keep the
    order of the definition, as the admin laid fields out.
    """
    candidates = [f for f in obj.fields if f.name != obj.name_field and f.type not in UNLISTABLE_TYPES
                  and not f.sensitive]
    ranked = sorted(candidates, key=lambda f: -_usefulness(f))[:DEFAULT_COLUMNS]
    chosen = {f.name for f in ranked}
    columns = ([obj.name_field] if obj.name_field else []) + [f.name for f in candidates if f.name in chosen]
    return ViewDef(DEFAULT_VIEW_NAME, f"All {obj.plural_label}", tuple(columns), default=True)


def _usefulness(f: FieldDef) -> int:
    return (2 if f.required else 0) + (1 if f.type in KEY_TYPES else 0) + (1 if f.unique else 0)


def views_of(obj: ObjectDef) -> tuple[ViewDef, ...]:
    """The object's views, or its derived default view when it defines none."""
    return obj.list_views or (default_view(obj),)


def check_views(obj: ObjectDef, objects: Mapping[str, ObjectDef], path: str) -> list[MetadataIssue]:
    """Views name columns, filters and sort keys that exist on the object (roles are checked with roles)."""
    issues: list[MetadataIssue] = []
    names: set[str] = set()
    defaults = 0
    fields = {f.name: f for f in obj.fields}
    known = [*fields, *VIEW_SYSTEM_FIELDS]
    for i, view in enumerate(obj.list_views):
        vpath = f"{path}.list_views[{i}]"
        if view.name in names:
            issues.append(MetadataIssue(f"{vpath}.name", f'the list view "{view.name}" is defined twice'))
        names.add(view.name)
        defaults += view.default
        if view.default and defaults > 1:
            issues.append(MetadataIssue(f"{vpath}.default", "only one list view of an object can be the default"))
        for j, column in enumerate(view.columns):
            if column not in known:
                issues.append(MetadataIssue(f"{vpath}.columns[{j}]", f'field "{column}" does not exist on '
                                            f"{obj.name}{did_you_mean(column, known)}", "unknown_field"))
            elif column in fields and fields[column].type in ("long_text", "rich_text", "file"):
                issues.append(MetadataIssue(f"{vpath}.columns[{j}]", f'"{column}" is a {fields[column].type} '
                                            "field and cannot be a column", "not_listable"))
        for key in view.sort.split(","):
            head = key.lstrip("-")
            if head and head not in known:
                issues.append(MetadataIssue(f"{vpath}.sort", f'field "{head}" does not exist on {obj.name}'
                                            f"{did_you_mean(head, known)}", "unknown_field"))
        for key in view.filters:
            problem = _filter_problem(key, view.filters[key], obj, fields, objects)
            if problem:
                issues.append(MetadataIssue(f"{vpath}.filters.{key}", problem, "invalid_filter"))
    return issues


def _filter_problem(key: str, value: str, obj: ObjectDef, fields: Mapping[str, FieldDef],
                    objects: Mapping[str, ObjectDef]) -> str | None:
    """Why ``key`` is not ``field``, ``field__op``, ``lookup__field`` or ``lookup__field__op`` (None if it is)."""
    if key in ("q", "sort", "limit", "offset", "cursor", "fields", "count", "group_by", "agg"):
        return f'"{key}" pages, sorts or searches; a view filter may only filter (use "sort" for the order)'
    parts = key.split("__")
    head = parts[0]
    known = [*fields, *VIEW_SYSTEM_FIELDS]
    if key == "or":
        return None  # alternatives: checked by the query parser at plan time
    if head not in known:
        return f'field "{head}" does not exist on {obj.name}{did_you_mean(head, known)}'
    if len(parts) == 1 or (len(parts) == 2 and parts[1] in FILTER_OPERATORS):
        return _value_problem(fields.get(head), parts[1] if len(parts) == 2 else "eq", value)
    f = fields.get(head)
    target = objects.get(f.target or "") if f is not None and f.type in REFERENCE_TYPES else None
    if target is None:
        return (f'"{parts[1]}" is not an operator; use one of {", ".join(FILTER_OPERATORS)}'
                f"{did_you_mean(parts[1], FILTER_OPERATORS)}")
    hop = parts[1]
    if hop not in target.field_names and hop not in VIEW_SYSTEM_FIELDS:
        return f'{target.name} has no field "{hop}"{did_you_mean(hop, target.field_names)}'
    if len(parts) == 3 and parts[2] not in FILTER_OPERATORS:
        return f'"{parts[2]}" is not an operator{did_you_mean(parts[2], FILTER_OPERATORS)}'
    if len(parts) > 3:
        return f'"{key}" is not a filter: write field, field__operator or lookup__field__operator'
    return None


def _value_problem(f: FieldDef | None, op: str, value: str) -> str | None:
    """Values the query parser would refuse, for the common cases: a number that is not one, a
    choice that is not offered, a yes/no that is neither. (Relative dates, lists and
    ranges are left to the parser, which reports them on the list page.)"""
    if f is None or op not in ("eq", "ne", "gt", "gte", "lt", "lte"):
        return None
    if f.type == "picklist" and op in ("eq", "ne") and value not in f.option_values:
        return f'"{value}" is not a choice of {f.name}{did_you_mean(value, f.option_values)}'
    if f.type == "boolean" and value not in ("true", "false"):
        return f'{f.name} is a yes/no field: filter with true or false, not "{value}"'
    if f.type in ("integer", "decimal", "currency", "percent"):
        try:
            float(value)
        except ValueError:
            return f'{f.name} is a number: "{value}" is not one'
    return None


def check_view_roles(obj: ObjectDef, roles: Iterable[str], path: str) -> list[MetadataIssue]:
    """Every role a view is shared with is defined (checked once objects and roles are both known)."""
    defined = list(roles)
    issues = []
    for i, view in enumerate(obj.list_views):
        for j, role in enumerate(view.roles):
            if role not in defined and role != "admin":
                issues.append(MetadataIssue(f"{path}.list_views[{i}].roles[{j}]", f'role "{role}" does not exist'
                                            f"{did_you_mean(role, defined)}", "unknown_role"))
    return issues
