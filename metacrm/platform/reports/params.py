"""How a report's query is put together: its own filters, ad-hoc filters and a dashboard's filter (pure).

Everything ends up as query-language parameters, so the one parser checks
them all and reports every problem at once. Extra filters are ANDed with the
report's (a repeated filter narrows, it never replaces), and only filters may
be added: grouping, aggregates and limits are the report's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from metacrm.metadata.reports import ReportDef, WidgetDef

from ..query.errors import QueryError
from ..query.parse import RESERVED, normalise

#: Query parameters a viewer may add to a report (the rest shape the report itself).
ADDABLE = ("q", "or")
#: Parameters of a request that are not filters (paging of the page, the export format).
IGNORED = ("format", "csrf_token")


@dataclass(frozen=True)
class DashboardFilter:
    """What a dashboard's filter bar chose: an owner, and a period or date bounds."""

    owner: str | None = None
    period: str | None = None  # a relative date of the query language: this_quarter, last_n_days:30
    date_from: str | None = None
    date_to: str | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> "DashboardFilter":
        def arg(name: str) -> str | None:
            value = args.get(name)
            return str(value).strip() or None if value is not None else None
        return cls(arg("owner"), arg("period"), arg("date_from"), arg("date_to"))

    @property
    def active(self) -> bool:
        return any((self.owner, self.period, self.date_from, self.date_to))

    def params_for(self, widget: WidgetDef) -> dict[str, list[str]]:
        """The filter as parameters of one widget: the date range applies on the widget's date field."""
        out: dict[str, list[str]] = {}
        if self.owner:
            out["owner"] = [self.owner]
        if widget.date_field:
            if self.period:
                out[widget.date_field] = [self.period]
            if self.date_from:
                out[f"{widget.date_field}__gte"] = [self.date_from]
            if self.date_to:
                out[f"{widget.date_field}__lte"] = [self.date_to]
        return out


def report_params(report: ReportDef, *extra: Mapping[str, Any]) -> dict[str, list[str]]:
    """The report's parameters with ``extra`` filters ANDed in; a 400 names any non-filter parameter."""
    params = normalise(report.query_params())
    problems = []
    for more in extra:
        for key, values in normalise(more).items():
            if key in IGNORED:
                continue
            if key in RESERVED and key not in ADDABLE:
                problems.append({"parameter": key, "message": f'"{key}" is part of the report\'s definition; '
                                 "only filters can be added", "valid": []})
                continue
            params.setdefault(key, []).extend(values)
    if problems:
        raise QueryError("Only filters can be added to a report", errors=problems)
    return params


def totals_params(params: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """The same filters and aggregates without the grouping: one row of grand totals."""
    return {k: v for k, v in params.items() if k not in ("group_by", "sort", "limit")}
