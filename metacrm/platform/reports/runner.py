"""Running a report or a dashboard as the viewer, through the RecordReader.

The reader is the one read path, so row-level security is a WHERE term of
the GROUP BY, hidden and masked fields cannot be grouped or aggregated on
(the query parser does not see them, and says so), and aggregating a
sensitive field is written to the access log like a read of the records.
A runner lives for one request and caches what it ran, so a dashboard that
shows one report twice (or a page that draws a chart and its table) queries
once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Mapping

from metacrm.metadata.reports import DashboardDef, ReportDef

from ..errors import Forbidden, NotFound
from ..records import Actor
from ..records.hooks import AccessRequest, ReadContext
from ..records.reading import RecordReader
from ..schema_cache import LiveSchema
from .params import DashboardFilter, report_params, totals_params


@dataclass
class ReportResult:
    report: ReportDef
    rows: list[dict[str, Any]]  # group keys and aggregate keys -> values
    totals: dict[str, Any]  # aggregate keys -> grand totals over every matching record

    @property
    def group_keys(self) -> list[str]:
        return [g.key for g in self.report.group_by]

    @property
    def aggregate_keys(self) -> list[str]:
        return [a.key for a in self.report.aggregates]


@dataclass
class DashboardResult:
    dashboard: DashboardDef
    widgets: list[tuple[Any, ReportResult | None, str | None]] = field(default_factory=list)  # widget, result, error


class ReportRunner:
    """One request's view of the reports: what the viewer may see, and their results."""

    def __init__(self, reader: RecordReader, actor: Actor, *, live: LiveSchema | None = None,
                 today: dt.date | None = None, purpose: str = ""):
        self.reader = reader
        self.actor = actor
        self.live = live or reader.cache.get()
        self.today = today
        self.purpose = purpose
        self._cache: dict[tuple[str, tuple[tuple[str, tuple[str, ...]], ...]], ReportResult] = {}

    # --- what the viewer may see -----------------------------------------------------------------
    def may_read(self, report: ReportDef) -> bool:
        obj = self.live.compiled.objects.get(report.object)
        if obj is None or not report.shared_with(self.actor.roles, is_admin=self.actor.is_admin):
            return False
        try:
            self.reader.hooks.check(AccessRequest("read", self.actor, obj, schema=self.live.compiled))
        except Exception:  # the object's own permission decides, as for its list
            return False
        return True

    def reports(self) -> list[ReportDef]:
        bundle = self.live.compiled.bundle
        return [bundle.reports[n] for n in sorted(bundle.reports) if self.may_read(bundle.reports[n])]

    def dashboards(self) -> list[DashboardDef]:
        bundle = self.live.compiled.bundle
        return [bundle.dashboards[n] for n in sorted(bundle.dashboards)
                if bundle.dashboards[n].shared_with(self.actor.roles, is_admin=self.actor.is_admin)]

    def report(self, name: str) -> ReportDef:
        report = self.live.compiled.bundle.reports.get(name)
        if report is None or not report.shared_with(self.actor.roles, is_admin=self.actor.is_admin):
            raise NotFound(f'there is no report "{name}"')
        return report

    def dashboard(self, name: str) -> DashboardDef:
        dashboard = self.live.compiled.bundle.dashboards.get(name)
        if dashboard is None or not dashboard.shared_with(self.actor.roles, is_admin=self.actor.is_admin):
            raise NotFound(f'there is no dashboard "{name}"')
        return dashboard

    # --- running ---------------------------------------------------------------------------------
    def run(self, name_or_def: str | ReportDef, *extra: Mapping[str, Any]) -> ReportResult:
        """The report's groups and grand totals; ``extra`` filters are ANDed with the report's own."""
        report = self.report(name_or_def) if isinstance(name_or_def, str) else name_or_def
        params = report_params(report, *extra)
        key = (report.name if isinstance(name_or_def, str) else f"~{id(report)}",
               tuple(sorted((k, tuple(v)) for k, v in params.items())))
        if key in self._cache:
            return self._cache[key]
        today = self.today or dt.date.today()
        page = self.reader.list(self.actor, report.object, params, today=today, live=self.live,
                                purpose=self.purpose)
        rows = _choice_order(report, self.live, page.groups or [])
        if report.group_by and len(rows) < report.limit and all(a.function != "avg" for a in report.aggregates):
            totals = _totals_of(report, rows)  # every group is here: add them up instead of scanning again
        elif report.group_by:
            totals_page = self.reader.list(self.actor, report.object, totals_params(params), today=today,
                                           live=self.live, purpose=self.purpose)
            totals = (totals_page.groups or [{}])[0]
        else:
            totals = rows[0] if rows else {}
        self._log_sensitive(report)
        result = ReportResult(report, rows, totals)
        self._cache[key] = result
        return result

    def run_dashboard(self, name: str, filters: DashboardFilter | None = None) -> DashboardResult:
        """Every widget's result; a widget the viewer may not run shows why instead of failing the page."""
        dashboard = self.dashboard(name)
        filters = filters or DashboardFilter()
        out = DashboardResult(dashboard)
        bundle = self.live.compiled.bundle
        for widget in dashboard.widgets:
            report = bundle.reports.get(widget.report)
            if report is None or not self.may_read(report):
                out.widgets.append((widget, None, "You do not have access to this report."))
                continue
            try:
                out.widgets.append((widget, self.run(report.name, filters.params_for(widget)), None))
            except (Forbidden, NotFound) as exc:
                out.widgets.append((widget, None, str(exc)))
        return out

    def _log_sensitive(self, report: ReportDef) -> None:
        """Grouping or aggregating a sensitive field reads it: one access-log entry, as for a list."""
        obj = self.live.compiled.objects[report.object]
        used = {g.field for g in report.group_by} | {a.field for a in report.aggregates if a.field}
        sensitive = [n for n in sorted(used) if n in obj.fields and obj.fields[n].definition.sensitive]
        if sensitive:
            self.reader.hooks.read(ReadContext("report", self.actor, obj, [{"id": None, **dict.fromkeys(sensitive)}],
                                               self.purpose or f"report {report.name}"))


def _choice_order(report: ReportDef, live: LiveSchema, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Without a sort of its own, a report grouped by a picklist follows the admin's order of the
    choices (a funnel reads top to bottom stage by stage), not the alphabet."""
    if report.sort or not report.group_by or report.group_by[0].bucket:
        return rows
    compiled = live.compiled.objects[report.object].fields.get(report.group_by[0].field)
    if compiled is None or compiled.definition.type != "picklist":
        return rows
    order = {value: i for i, value in enumerate(compiled.definition.option_values)}
    key = report.group_by[0].key
    return sorted(rows, key=lambda row: order.get(row.get(key), len(order)))  # stable: inner groups keep theirs


def _totals_of(report: ReportDef, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Grand totals from the complete list of groups (counts and sums add up, extremes compare)."""
    totals: dict[str, Any] = {}
    for agg in report.aggregates:
        values = [row[agg.key] for row in rows if row.get(agg.key) is not None]
        if agg.function in ("count", "sum"):
            totals[agg.key] = sum(values) if values or agg.function == "count" else None
        else:
            totals[agg.key] = (min if agg.function == "min" else max)(values) if values else None
    return totals
