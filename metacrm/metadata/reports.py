"""Reports and dashboards as metadata: what to count, how to group it, how to draw it.

A report is a question asked of one object in the query language every list
URL speaks (``filters`` like ``{"is_closed": "false", "close_date": "this_quarter"}``),
plus up to two groupings (a date field may be bucketed by day, week, month,
quarter or year), aggregates and a chart type. A dashboard is a grid of
reports shared with roles, with a dashboard-level filter (owner, a date range)
merged into every widget's query.

Like roles, reports and dashboards are bundle-level documents: upserted by
name, versioned, exported, diffed and shipped by packs. This module is pure:
it checks names, types and shapes with JSON paths; the platform parses the
filters with the real query parser when a report runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Mapping

from .definitions import OWNER_ADMIN, freeze, thaw
from .errors import MetadataIssue
from .names import did_you_mean

if TYPE_CHECKING:
    from .definitions import FieldDef, MetadataBundle, ObjectDef

BUCKETS = ("day", "week", "month", "quarter", "year")
AGGREGATE_FUNCTIONS = ("count", "sum", "avg", "min", "max")
CHART_TYPES = ("bar", "stacked_bar", "line", "pie", "donut", "funnel", "number", "table")
#: Charts that draw one series over one grouping, and the one that needs exactly two.
ONE_GROUPING_CHARTS = ("pie", "donut", "funnel")
TWO_GROUPING_CHARTS = ("stacked_bar",)
MAX_GROUPINGS = 2
#: System columns a report may filter, group or aggregate on.
REPORT_SYSTEM_FIELDS: dict[str, str] = {"id": "integer", "owner": "lookup", "created_by": "lookup",
                                        "updated_by": "lookup", "created_at": "datetime",
                                        "updated_at": "datetime"}
UNGROUPABLE_TYPES = ("long_text", "rich_text", "multi_picklist", "file", "polymorphic_lookup")
NUMERIC_TYPES = ("integer", "decimal", "currency", "percent")
DATE_TYPES = ("date", "datetime")
DASHBOARD_FILTERS = ("owner", "date_range")


@dataclass(frozen=True)
class GroupingDef:
    field: str
    bucket: str | None = None

    @property
    def key(self) -> str:
        """How the query language and result rows name it: ``close_date:month``."""
        return f"{self.field}:{self.bucket}" if self.bucket else self.field


@dataclass(frozen=True)
class AggregateDef:
    function: str
    field: str | None = None

    @property
    def key(self) -> str:
        """``count`` or ``sum:amount``, the query language's aggregate spec and result key."""
        return f"{self.function}:{self.field}" if self.field else self.function


@dataclass(frozen=True)
class ReportDef:
    name: str
    label: str
    object: str
    description: str = ""
    filters: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    group_by: tuple[GroupingDef, ...] = ()
    aggregates: tuple[AggregateDef, ...] = (AggregateDef("count"),)
    sort: str | None = None
    chart: str = "table"
    limit: int = 100
    #: Roles the report is listed for; none = everyone who may read the object.
    roles: tuple[str, ...] = ()
    owner: str = OWNER_ADMIN

    def shared_with(self, roles: Any, *, is_admin: bool = False) -> bool:
        return is_admin or not self.roles or bool(set(self.roles) & set(roles))

    def query_params(self) -> dict[str, str]:
        """The report as query-language parameters (the platform adds dashboard filters)."""
        params = dict(self.filters)
        if self.group_by:
            params["group_by"] = ",".join(g.key for g in self.group_by)
        params["agg"] = ",".join(a.key for a in self.aggregates)
        if self.sort:
            params["sort"] = self.sort
        params["limit"] = str(self.limit)
        return params

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "label": self.label, "object": self.object}
        if self.description:
            out["description"] = self.description
        if self.filters:
            out["filters"] = thaw(self.filters)
        if self.group_by:
            out["group_by"] = [{"field": g.field, **({"bucket": g.bucket} if g.bucket else {})}
                               for g in self.group_by]
        out["aggregates"] = [{"function": a.function, **({"field": a.field} if a.field else {})}
                             for a in self.aggregates]
        if self.sort:
            out["sort"] = self.sort
        out["chart"] = self.chart
        if self.limit != 100:
            out["limit"] = self.limit
        if self.roles:
            out["roles"] = list(self.roles)
        if self.owner != OWNER_ADMIN:
            out["owner"] = self.owner
        return out


@dataclass(frozen=True)
class WidgetDef:
    report: str
    title: str | None = None
    width: int = 6
    #: The date field the dashboard's date range filters this widget on (none: the range does not apply).
    date_field: str | None = None


@dataclass(frozen=True)
class DashboardDef:
    name: str
    label: str
    widgets: tuple[WidgetDef, ...]
    description: str = ""
    filters: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    owner: str = OWNER_ADMIN

    def shared_with(self, roles: Any, *, is_admin: bool = False) -> bool:
        return is_admin or not self.roles or bool(set(self.roles) & set(roles))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "label": self.label}
        if self.description:
            out["description"] = self.description
        out["widgets"] = []
        for w in self.widgets:
            doc: dict[str, Any] = {"report": w.report}
            if w.title:
                doc["title"] = w.title
            if w.width != 6:
                doc["width"] = w.width
            if w.date_field:
                doc["date_field"] = w.date_field
            out["widgets"].append(doc)
        if self.filters:
            out["filters"] = list(self.filters)
        if self.roles:
            out["roles"] = list(self.roles)
        if self.owner != OWNER_ADMIN:
            out["owner"] = self.owner
        return out


def report_from_json(doc: Mapping[str, Any], owner: str | None = None) -> ReportDef:
    """A schema-checked report document → its definition (defaults filled in)."""
    aggregates = tuple(AggregateDef(a["function"], a.get("field")) for a in doc.get("aggregates", ()))
    return ReportDef(
        name=doc["name"], label=doc.get("label") or doc["name"].replace("_", " ").capitalize(),
        object=doc["object"], description=doc.get("description", ""),
        filters=freeze({k: str(v) for k, v in doc.get("filters", {}).items()}),
        group_by=tuple(GroupingDef(g["field"], g.get("bucket")) for g in doc.get("group_by", ())),
        aggregates=aggregates or (AggregateDef("count"),), sort=doc.get("sort"),
        chart=doc.get("chart", "table"), limit=doc.get("limit", 100), roles=tuple(doc.get("roles", ())),
        owner=doc.get("owner") or owner or OWNER_ADMIN,
    )


def dashboard_from_json(doc: Mapping[str, Any], owner: str | None = None) -> DashboardDef:
    return DashboardDef(
        name=doc["name"], label=doc.get("label") or doc["name"].replace("_", " ").capitalize(),
        widgets=tuple(WidgetDef(w["report"], w.get("title"), w.get("width", 6), w.get("date_field"))
                      for w in doc.get("widgets", ())),
        description=doc.get("description", ""), filters=tuple(doc.get("filters", ())),
        roles=tuple(doc.get("roles", ())), owner=doc.get("owner") or owner or OWNER_ADMIN,
    )


def value_type(f: FieldDef | None, name: str) -> str:
    """The type a field's values have (a formula or roll-up is what it computes)."""
    if f is None:
        return REPORT_SYSTEM_FIELDS.get(name, "unknown")
    if f.type in ("formula", "rollup"):
        return f.result_type or "integer"
    return f.type


def check_report(report: ReportDef, bundle: MetadataBundle, path: str) -> list[MetadataIssue]:
    """The report names an existing object and fields of types that fit each use."""
    obj = bundle.objects.get(report.object)
    if obj is None:
        return [MetadataIssue(f"{path}.object", f'object "{report.object}" does not exist'
                              f"{did_you_mean(report.object, list(bundle.objects))}", "unknown_object")]
    issues: list[MetadataIssue] = []
    for key in report.filters:
        name = key.split("__", 1)[0]
        if name not in ("or", "q") and _field_type(obj, name) is None:
            issues.append(_unknown_field(obj, name, f'{path}.filters["{key}"]'))
    for i, g in enumerate(report.group_by):
        issues.extend(_check_grouping(obj, g, f"{path}.group_by[{i}]"))
    for i, a in enumerate(report.aggregates):
        issues.extend(_check_aggregate(obj, a, f"{path}.aggregates[{i}]"))
    if report.sort:
        valid = [g.key for g in report.group_by] + [a.key for a in report.aggregates]
        for item in report.sort.split(","):
            key = item.strip().lstrip("-")
            if key not in valid:
                issues.append(MetadataIssue(f"{path}.sort", f'"{key}" is not a grouping or aggregate of this '
                                            f"report{did_you_mean(key, valid)}", "unknown_sort"))
    issues.extend(_check_chart(report, path))
    issues.extend(_check_roles(report.roles, bundle, path))
    return issues


def _field_type(obj: ObjectDef, name: str) -> str | None:
    f = obj.field(name)
    if f is None and name not in REPORT_SYSTEM_FIELDS:
        return None
    return value_type(f, name)


def _unknown_field(obj: ObjectDef, name: str, path: str) -> MetadataIssue:
    known = [*obj.field_names, *REPORT_SYSTEM_FIELDS]
    return MetadataIssue(path, f'{obj.name} has no field "{name}"{did_you_mean(name, known)}', "unknown_field")


def _check_grouping(obj: ObjectDef, g: GroupingDef, path: str) -> list[MetadataIssue]:
    ftype = _field_type(obj, g.field)
    if ftype is None:
        return [_unknown_field(obj, g.field, f"{path}.field")]
    if ftype in UNGROUPABLE_TYPES:
        return [MetadataIssue(f"{path}.field", f'"{g.field}" ({ftype}) cannot be grouped on', "not_groupable")]
    if g.bucket and ftype not in DATE_TYPES:
        return [MetadataIssue(f"{path}.bucket", f'"{g.field}" is a {ftype} field: only date and date/time '
                              "fields are grouped by day, week, month, quarter or year", "bucket_not_date")]
    return []


def _check_aggregate(obj: ObjectDef, a: AggregateDef, path: str) -> list[MetadataIssue]:
    if a.field is None:
        if a.function != "count":
            return [MetadataIssue(f"{path}.field", f'"{a.function}" needs a numeric field', "required")]
        return []
    ftype = _field_type(obj, a.field)
    if ftype is None:
        return [_unknown_field(obj, a.field, f"{path}.field")]
    allowed = NUMERIC_TYPES + (DATE_TYPES if a.function in ("min", "max") else ())
    if a.function != "count" and ftype not in allowed:
        numeric = [f.name for f in obj.fields if value_type(f, f.name) in NUMERIC_TYPES]
        return [MetadataIssue(f"{path}.field", f'"{a.function}" needs a numeric field; "{a.field}" is {ftype} '
                              f"(numeric fields: {', '.join(numeric) or 'none'})", "not_numeric")]
    return []


def _check_chart(report: ReportDef, path: str) -> list[MetadataIssue]:
    n = len(report.group_by)
    if report.chart in ONE_GROUPING_CHARTS and n != 1:
        return [MetadataIssue(f"{path}.chart", f'a {report.chart} chart needs exactly one grouping (this '
                              f"report has {n})", "chart_grouping")]
    if report.chart in TWO_GROUPING_CHARTS and n != 2:
        return [MetadataIssue(f"{path}.chart", f"a stacked bar chart needs two groupings (this report has {n})",
                              "chart_grouping")]
    if report.chart in ("bar", "line") and n == 0:
        return [MetadataIssue(f"{path}.chart", f"a {report.chart} chart needs a grouping; use number for a "
                              "single figure", "chart_grouping")]
    if report.chart == "number" and n:
        return [MetadataIssue(f"{path}.chart", "a number (KPI) shows one figure: remove the grouping",
                              "chart_grouping")]
    return []


def _check_roles(roles: tuple[str, ...], bundle: MetadataBundle, path: str) -> list[MetadataIssue]:
    known = [*bundle.roles, "admin"]
    return [MetadataIssue(f"{path}.roles[{i}]", f'role "{r}" does not exist{did_you_mean(r, known)}',
                          "unknown_role") for i, r in enumerate(roles) if r not in known]


def check_dashboard(dashboard: DashboardDef, bundle: MetadataBundle, path: str) -> list[MetadataIssue]:
    """Widgets name existing reports (and date fields of their objects); roles exist."""
    issues: list[MetadataIssue] = []
    reports: Mapping[str, ReportDef] = getattr(bundle, "reports", {})
    for i, w in enumerate(dashboard.widgets):
        report = reports.get(w.report)
        if report is None:
            issues.append(MetadataIssue(f"{path}.widgets[{i}].report", f'report "{w.report}" does not exist'
                                        f"{did_you_mean(w.report, list(reports))}", "unknown_report"))
            continue
        obj = bundle.objects.get(report.object)
        if w.date_field and obj is not None:
            ftype = _field_type(obj, w.date_field)
            if ftype is None:
                issues.append(_unknown_field(obj, w.date_field, f"{path}.widgets[{i}].date_field"))
            elif ftype not in DATE_TYPES:
                issues.append(MetadataIssue(f"{path}.widgets[{i}].date_field", f'"{w.date_field}" is a {ftype} '
                                            "field, not a date", "not_a_date"))
    issues.extend(_check_roles(dashboard.roles, bundle, path))
    return issues


def load_reports(document: Mapping[str, Any], bundle: MetadataBundle, *,
                 owner: str | None = None) -> tuple[list[MetadataIssue], MetadataBundle]:
    """A bundle document's (schema-checked) ``reports`` and ``dashboards`` upserted over ``bundle``.

    Dashboards are checked after every report is loaded, so one document may add a report and
    the dashboard that shows it.
    """
    from dataclasses import replace

    issues: list[MetadataIssue] = []
    out: dict[str, dict[str, Any]] = {"reports": dict(bundle.reports), "dashboards": dict(bundle.dashboards)}
    paths: dict[str, dict[str, str]] = {"reports": {}, "dashboards": {}}
    for kind, build in (("reports", report_from_json), ("dashboards", dashboard_from_json)):
        for index, doc in enumerate(document.get(kind) or ()):
            path = f"{kind}[{index}]"
            if not isinstance(doc, dict) or not isinstance(doc.get("name"), str):
                continue  # the bundle's schema pass already said why
            if doc["name"] in paths[kind]:
                issues.append(MetadataIssue(f"{path}.name", f'"{doc["name"]}" is defined twice', "duplicate"))
                continue
            previous = out[kind].get(doc["name"])
            out[kind][doc["name"]] = build(doc, owner or getattr(previous, "owner", None))
            paths[kind][doc["name"]] = path
    bundle = replace(bundle, reports=MappingProxyType(out["reports"]),
                     dashboards=MappingProxyType(out["dashboards"]))
    for name, path in paths["reports"].items():
        issues.extend(check_report(bundle.reports[name], bundle, path))
    for name, path in paths["dashboards"].items():
        issues.extend(check_dashboard(bundle.dashboards[name], bundle, path))
    return issues, bundle


def reports_from_snapshot(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    """The reports and dashboards of a stored, already validated snapshot (no checks)."""
    return {"reports": MappingProxyType({d["name"]: report_from_json(d) for d in snapshot.get("reports", [])}),
            "dashboards": MappingProxyType({d["name"]: dashboard_from_json(d)
                                            for d in snapshot.get("dashboards", [])})}
