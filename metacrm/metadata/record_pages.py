"""Record page summaries as metadata: the figures, related lists and timeline of a "Customer 360".

An object may say what its record page shows around its fields
(``"record_page": {...}`` in the object document): header KPIs (a field of
the record such as a roll-up, or the count/sum of a related section), chosen
related lists (child object, lookup, a filter in the list-filter language,
columns) and an activity timeline that merges the timeline object's records
pointing at this record and at its related records (an account's contacts,
say). The page reads everything through the record reader, so security
applies as everywhere; this module is pure and only checks the references,
each problem at its JSON path.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Mapping
from urllib.parse import parse_qsl

from .errors import MetadataIssue
from .names import SYSTEM_COLUMNS, did_you_mean

if TYPE_CHECKING:
    from .definitions import FieldDef, MetadataBundle, ObjectDef

REFERENCE_TYPES = ("lookup", "master_detail")
NUMERIC_TYPES = ("integer", "decimal", "currency", "percent")
#: Query parameters a section's filter may not use: they page, sort or search.
NOT_FILTERS = ("q", "sort", "limit", "offset", "cursor", "fields", "count", "group_by", "agg")
DEFAULT_RELATED_LIMIT = 5
DEFAULT_TIMELINE_PAGE = 10


@dataclass(frozen=True)
class KpiDef:
    label: str
    field: str | None = None
    section: str | None = None
    function: str = "count"


@dataclass(frozen=True)
class RelatedSectionDef:
    object: str
    via: str
    name: str = ""
    title: str = ""
    #: List-filter parameters (``{"is_closed": "false"}``), the syntax of list URLs.
    filter: Mapping[str, str] = dc_field(default_factory=lambda: MappingProxyType({}))
    columns: tuple[str, ...] = ()
    sort: str = "-id"
    limit: int = DEFAULT_RELATED_LIMIT

    @property
    def key(self) -> str:
        return self.name or self.object


@dataclass(frozen=True)
class TimelineDef:
    object: str
    via: tuple[str, ...]
    include_related: tuple[str, ...] = ()
    title: str = ""
    page_size: int = DEFAULT_TIMELINE_PAGE


@dataclass(frozen=True)
class RecordPageDef:
    kpis: tuple[KpiDef, ...] = ()
    related: tuple[RelatedSectionDef, ...] = ()
    timeline: TimelineDef | None = None

    def section(self, key: str) -> RelatedSectionDef | None:
        return next((s for s in self.related if s.key == key), None)


def filter_params(raw: Any) -> dict[str, str]:
    """A filter as query parameters: a query string or an object of scalars (booleans as true/false)."""
    if isinstance(raw, str):
        return dict(parse_qsl(raw, keep_blank_values=True))
    if not isinstance(raw, Mapping):
        return {}
    return {str(k): ("true" if v else "false") if isinstance(v, bool) else str(v) for k, v in raw.items()}


def record_page_from_json(doc: Mapping[str, Any]) -> RecordPageDef:
    """A RecordPageDef from a (schema-checked) document; tolerant of junk the schema pass already reported."""
    kpis = tuple(KpiDef(label=str(k.get("label", "")), field=k.get("field"), section=k.get("section"),
                        function=k.get("function", "count"))
                 for k in doc.get("kpis", ()) or () if isinstance(k, Mapping))
    related = tuple(RelatedSectionDef(
        object=s["object"], via=s["via"], name=str(s.get("name", "")), title=str(s.get("title", "")),
        filter=MappingProxyType(filter_params(s.get("filter"))),
        columns=tuple(c for c in s.get("columns", ()) or () if isinstance(c, str)),
        sort=str(s.get("sort", "-id")), limit=int(s.get("limit", DEFAULT_RELATED_LIMIT)))
        for s in doc.get("related", ()) or ()
        if isinstance(s, Mapping) and isinstance(s.get("object"), str) and isinstance(s.get("via"), str))
    t = doc.get("timeline")
    timeline = TimelineDef(object=t["object"], via=tuple(v for v in t.get("via", ()) if isinstance(v, str)),
                           include_related=tuple(v for v in t.get("include_related", ()) or () if isinstance(v, str)),
                           title=str(t.get("title", "")), page_size=int(t.get("page_size", DEFAULT_TIMELINE_PAGE))) \
        if isinstance(t, Mapping) and isinstance(t.get("object"), str) else None
    return RecordPageDef(kpis=kpis, related=related, timeline=timeline)


def check_record_page(obj: "ObjectDef", bundle: "MetadataBundle", path: str) -> list[MetadataIssue]:
    """Sections name a child object and its lookup to this one, filters and columns name its fields;
    KPIs name a field of this object or a section (and a number field to sum); the timeline's lookups
    can point at this object and at every object whose records it includes."""
    page = getattr(obj, "record_page", None)
    if page is None:
        return []
    path = f"{path}.record_page"
    issues: list[MetadataIssue] = []
    keys: set[str] = set()
    for i, section in enumerate(page.related):
        spath = f"{path}.related[{i}]"
        if section.key in keys:
            issues.append(MetadataIssue(f"{spath}.name", f'two sections are called "{section.key}"; name them apart',
                                        "duplicate_name"))
        keys.add(section.key)
        issues.extend(_check_section(section, obj, bundle, spath))
    for i, kpi in enumerate(page.kpis):
        issues.extend(_check_kpi(kpi, obj, page, bundle, f"{path}.kpis[{i}]"))
    if page.timeline is not None:
        issues.extend(_check_timeline(page.timeline, obj, bundle, f"{path}.timeline"))
    return issues


def _child(name: str, bundle: "MetadataBundle", path: str) -> tuple["ObjectDef | None", list[MetadataIssue]]:
    child = bundle.objects.get(name)
    if child is None:
        return None, [MetadataIssue(path, f'object "{name}" does not exist{did_you_mean(name, list(bundle.objects))}',
                                    "unknown_object")]
    return child, []


def _field_issue(path: str, name: str, obj: "ObjectDef") -> MetadataIssue:
    return MetadataIssue(path, f'field "{name}" does not exist on {obj.name}{did_you_mean(name, obj.field_names)}',
                         "unknown_field")


def _check_section(section: RelatedSectionDef, obj: "ObjectDef", bundle: "MetadataBundle",
                   path: str) -> list[MetadataIssue]:
    child, issues = _child(section.object, bundle, f"{path}.object")
    if child is None:
        return issues
    via = child.field(section.via)
    if via is None:
        issues.append(_field_issue(f"{path}.via", section.via, child))
    elif via.type not in REFERENCE_TYPES or via.target != obj.name:
        issues.append(MetadataIssue(f"{path}.via", f'{child.name}.{section.via} is not a lookup to {obj.name}',
                                    "invalid_relation"))
    for key in section.filter:
        head = key.split("__")[0]
        if key in NOT_FILTERS:
            issues.append(MetadataIssue(f"{path}.filter.{key}", f'"{key}" pages, sorts or searches; a section '
                                        "filter may only filter", "invalid_filter"))
        elif key != "or" and head not in child.field_names and head not in SYSTEM_COLUMNS:
            issues.append(_field_issue(f"{path}.filter.{key}", head, child))
    for k, name in enumerate(section.columns):
        if child.field(name) is None and name not in SYSTEM_COLUMNS:
            issues.append(_field_issue(f"{path}.columns[{k}]", name, child))
    for k, part in enumerate(section.sort.split(",")):
        name = part.lstrip("-")
        if child.field(name) is None and name not in SYSTEM_COLUMNS and name != "id":
            issues.append(_field_issue(f"{path}.sort", name, child))
    return issues


def _check_kpi(kpi: KpiDef, obj: "ObjectDef", page: RecordPageDef, bundle: "MetadataBundle",
               path: str) -> list[MetadataIssue]:
    if (kpi.field is None and kpi.section is None) or (kpi.section is None and kpi.function != "count"):
        return [MetadataIssue(path, 'give "field" (a field of this object) or "section" (a related section, '
                              'with "function" and, to sum, "field")', "invalid_kpi")]
    if kpi.section is None:
        return [] if obj.field(kpi.field or "") is not None else [_field_issue(f"{path}.field", kpi.field or "", obj)]
    section = page.section(kpi.section)
    if section is None:
        keys = [s.key for s in page.related]
        return [MetadataIssue(f"{path}.section", f'no related section is called "{kpi.section}"'
                              f"{did_you_mean(kpi.section, keys)}", "unknown_section")]
    if kpi.function != "sum":
        return []
    child = bundle.objects.get(section.object)
    summed: FieldDef | None = child.field(kpi.field or "") if child is not None else None
    if child is None:
        return []  # the section reports it
    if summed is None:
        return [MetadataIssue(f"{path}.field", f"sum needs a number field of {child.name}", "invalid_kpi")]
    if summed.type not in NUMERIC_TYPES and summed.result_type not in NUMERIC_TYPES:
        return [MetadataIssue(f"{path}.field", f'"{summed.name}" is a {summed.type} field; sum needs a number',
                              "invalid_kpi")]
    return []


def reach(f: "FieldDef", target: str) -> bool:
    """Whether a lookup or polymorphic lookup can point at ``target``'s records."""
    return (f.type in REFERENCE_TYPES and f.target == target) or (f.type == "polymorphic_lookup"
                                                                 and target in f.targets)


def included_relation(child: "ObjectDef", obj_name: str) -> "FieldDef | None":
    """The first lookup of ``child`` to ``obj_name``: how an included object's records belong to this one."""
    return next((f for f in child.fields if f.type in REFERENCE_TYPES and f.target == obj_name), None)


def _check_timeline(t: TimelineDef, obj: "ObjectDef", bundle: "MetadataBundle", path: str) -> list[MetadataIssue]:
    target, issues = _child(t.object, bundle, f"{path}.object")
    if target is None:
        return issues
    vias = []
    for k, name in enumerate(t.via):
        f = target.field(name)
        if f is None:
            issues.append(_field_issue(f"{path}.via[{k}]", name, target))
        elif f.type not in (*REFERENCE_TYPES, "polymorphic_lookup"):
            issues.append(MetadataIssue(f"{path}.via[{k}]", f'{target.name}.{name} is a {f.type} field, not a lookup',
                                        "invalid_relation"))
        else:
            vias.append(f)
    if vias and not any(reach(f, obj.name) for f in vias):
        issues.append(MetadataIssue(f"{path}.via", f"none of these fields can point at {obj.name} records",
                                    "invalid_relation"))
    for k, name in enumerate(t.include_related):
        kpath = f"{path}.include_related[{k}]"
        child, found = _child(name, bundle, kpath)
        issues.extend(found)
        if child is None:
            continue
        if included_relation(child, obj.name) is None:
            issues.append(MetadataIssue(kpath, f"{child.name} has no lookup to {obj.name}", "invalid_relation"))
        elif vias and not any(reach(f, child.name) for f in vias):
            issues.append(MetadataIssue(kpath, f"none of the timeline's fields ({', '.join(t.via)}) can point at "
                                        f"{child.name} records", "invalid_relation"))
    return issues
