"""A report result as JSON and as CSV (pure): exact text for money, ISO text for dates.

The API, the CSV export and the page's embedded chart data all come from
:func:`result_json`, so the chart, its fallback table and a download always
show the same figures.
"""

from __future__ import annotations

import csv
import io
from typing import Any, Mapping

from metacrm.metadata.reports import DashboardDef, ReportDef

from .runner import DashboardResult, ReportResult


def json_value(value: Any) -> Any:
    """Decimals become exact text, dates ISO text; JSON's own types pass through."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value is not None and not isinstance(value, (bool, int, float, str)):
        return str(value)
    return value


def report_json(report: ReportDef) -> dict[str, Any]:
    """What a client needs to know of a report to list, draw or rerun it."""
    return {"name": report.name, "label": report.label, "description": report.description,
            "object": report.object, "chart": report.chart,
            "group_by": [g.key for g in report.group_by], "aggregates": [a.key for a in report.aggregates],
            "filters": dict(report.filters)}


def result_json(result: ReportResult) -> dict[str, Any]:
    return {"report": report_json(result.report),
            "rows": [{k: json_value(v) for k, v in row.items()} for row in result.rows],
            "totals": {k: json_value(v) for k, v in result.totals.items()}}


def dashboard_json(result: DashboardResult) -> dict[str, Any]:
    return {"name": result.dashboard.name, "label": result.dashboard.label,
            "description": result.dashboard.description, "filters": list(result.dashboard.filters),
            "widgets": [{"report": w.report, "title": w.title or (res.report.label if res else w.report),
                         "width": w.width, "date_field": w.date_field,
                         "result": result_json(res) if res else None, "error": error}
                        for w, res, error in result.widgets]}


def dashboard_summary(dashboard: DashboardDef) -> dict[str, Any]:
    return {"name": dashboard.name, "label": dashboard.label, "description": dashboard.description,
            "widgets": [w.report for w in dashboard.widgets]}


def result_csv(result: ReportResult, labels: Mapping[str, str] | None = None) -> str:
    """One line per group, then a Total line; header cells are the keys (or ``labels`` for them).

    Cells that a spreadsheet would run as a formula are prefixed with a quote (CSV injection).
    """
    keys = result.group_keys + result.aggregate_keys
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([(labels or {}).get(k, k) for k in keys])
    for row in result.rows:
        writer.writerow([_cell(row.get(k)) for k in keys])
    if result.group_keys:
        writer.writerow(["Total", *[""] * (len(result.group_keys) - 1),
                         *[_cell(result.totals.get(k)) for k in result.aggregate_keys]])
    return out.getvalue()


def _cell(value: Any) -> str:
    text = "" if value is None else str(json_value(value))
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _number(text) else text


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
