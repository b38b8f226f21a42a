"""A report result as chart data: labels and datasets in the shape Chart.js draws (pure).

One grouping gives a label per group and a dataset per aggregate (pie,
donut and funnel draw the first aggregate only); two groupings give a label
per value of the first and a dataset per value of the second, of the first
aggregate (a stacked bar). The page embeds this as JSON; ``static/reports.js``
only hands it to Chart.js, so what a chart shows is decided and tested here.
"""

from __future__ import annotations

from typing import Any, Callable

from .runner import ReportResult
from .shaping import json_value

Labeler = Callable[[str, Any], str]  # (group key, value) -> the text a person reads
SINGLE_SERIES = ("pie", "donut", "funnel")


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def plain_label(key: str, value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    _, _, bucket = key.partition(":")
    if bucket and isinstance(value, str):
        return period_label(bucket, value)
    return str(json_value(value))


def period_label(bucket: str, start: str) -> str:
    """A bucket's first day as people name the period: "Oct 2026", "Q4 2026", "2026", "week of 2026-10-05"."""
    year, month = start[:4], int(start[5:7])
    if bucket == "month":
        return f"{MONTHS[month - 1]} {year}"
    if bucket == "quarter":
        return f"Q{(month - 1) // 3 + 1} {year}"
    if bucket == "year":
        return year
    return f"week of {start}" if bucket == "week" else start


def chart_data(result: ReportResult, labeler: Labeler = plain_label,
               aggregate_labels: dict[str, str] | None = None) -> dict[str, Any]:
    report = result.report
    names = aggregate_labels or {}
    keys, aggs = result.group_keys, result.aggregate_keys
    out: dict[str, Any] = {"chart": report.chart, "labels": [], "datasets": []}
    if not keys:
        out["labels"] = [names.get(a, a) for a in aggs]
        out["datasets"] = [{"label": report.label, "data": [_number(result.totals.get(a)) for a in aggs]}]
        return out
    if len(keys) == 1:
        out["labels"] = [labeler(keys[0], row.get(keys[0])) for row in result.rows]
        shown = aggs[:1] if report.chart in SINGLE_SERIES else aggs
        mixed = any(a.startswith("count") for a in shown) and not all(a.startswith("count") for a in shown)
        out["datasets"] = [{"label": names.get(a, a), "data": [_number(row.get(a)) for row in result.rows],
                            # counts beside sums get their own axis, or they vanish at the bottom
                            **({"axis": "right"} if mixed and a.startswith("count") else {})}
                           for a in shown]
        return out
    first, second, agg = keys[0], keys[1], aggs[0]
    outer = list(dict.fromkeys(row.get(first) for row in result.rows))
    inner = list(dict.fromkeys(row.get(second) for row in result.rows))
    cells = {(row.get(first), row.get(second)): _number(row.get(agg)) for row in result.rows}
    out["labels"] = [labeler(first, v) for v in outer]
    out["datasets"] = [{"label": labeler(second, s), "data": [cells.get((o, s), 0) for o in outer]} for s in inner]
    return out


def _number(value: Any) -> float | int | None:
    """Charts draw floats; the table beside them keeps the exact figures."""
    if value is None or isinstance(value, (int, float)):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
