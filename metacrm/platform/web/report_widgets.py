"""What a report looks like on a page: labels people read, a chart's data and its fallback table.

Shared by the report page and the dashboard, so a widget and its full page
draw the same figures. Picklist values show their labels, owners their
user's name, booleans Yes/No; money keeps its exact figure in the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from metacrm.metadata.reports import AggregateDef, GroupingDef, ReportDef

from ..reports import ReportResult
from ..reports.charts import chart_data, plain_label
from ..reports.shaping import json_value

USER_FIELDS = ("owner", "created_by", "updated_by")
FUNCTION_WORDS = {"count": "Count", "sum": "Sum of", "avg": "Average", "min": "Minimum", "max": "Maximum"}


@dataclass
class Widget:
    """One report ready to draw: chart data for reports.js, and the table under it."""

    report: ReportDef
    title: str
    chart: dict[str, Any]
    headers: list[str]
    rows: list[list[str]]
    totals: list[str]
    kpi: str | None = None
    error: str | None = None
    width: int = 6


class Labels:
    """Labels of one request: fields by their metadata, users by name (read once)."""

    def __init__(self, schema: Any, users: Any):
        self.schema = schema
        self.users = users
        self._user_names: dict[int, str] | None = None

    def field_label(self, object_name: str, name: str) -> str:
        obj = self.schema.objects.get(object_name)
        compiled = obj.fields.get(name) if obj is not None else None
        return compiled.definition.label if compiled is not None else name.replace("_", " ").capitalize()

    def grouping(self, report: ReportDef, g: GroupingDef) -> str:
        label = self.field_label(report.object, g.field)
        return f"{label} ({g.bucket})" if g.bucket else label

    def aggregate(self, report: ReportDef, a: AggregateDef) -> str:
        if a.field is None:
            return "Count"
        return f"{FUNCTION_WORDS[a.function]} {self.field_label(report.object, a.field).lower()}"

    def value(self, report: ReportDef, key: str, value: Any) -> str:
        name = key.split(":", 1)[0]
        if value is not None and name in USER_FIELDS:
            return self._user(int(value))
        obj = self.schema.objects.get(report.object)
        compiled = obj.fields.get(name) if obj is not None else None
        if value is not None and compiled is not None and compiled.definition.type == "picklist":
            for option in compiled.definition.options:
                if option.value == value:
                    return option.label
        return plain_label(key, value)

    def _user(self, user_id: int) -> str:
        if self._user_names is None:
            self._user_names = {u.id: (u.name or u.email) for u in self.users.list()}
        return self._user_names.get(user_id, f"User #{user_id}")


def widget_for(result: ReportResult, labels: Labels, *, title: str | None = None, width: int = 6) -> Widget:
    report = result.report
    agg_labels = {a.key: labels.aggregate(report, a) for a in report.aggregates}
    headers = [labels.grouping(report, g) for g in report.group_by] + list(agg_labels.values())
    rows = [[labels.value(report, k, row.get(k)) for k in result.group_keys]
            + [_figure(row.get(k)) for k in result.aggregate_keys] for row in result.rows]
    totals = [_figure(result.totals.get(k)) for k in result.aggregate_keys]
    chart = chart_data(result, lambda k, v: labels.value(report, k, v), agg_labels)
    kpi = totals[0] if not report.group_by and totals else None
    return Widget(report, title or report.label, chart, headers, rows, totals, kpi, width=width)


def _figure(value: Any) -> str:
    return "" if value is None else str(json_value(value))
