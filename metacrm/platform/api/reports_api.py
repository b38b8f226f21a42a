"""REST access to reports and dashboards (docs/reports.md), run as the caller.

``GET /api/v1/reports`` lists what the caller may run; ``/reports/<name>/run``
answers JSON rows and totals, with any extra query-language filters in the
URL ANDed with the report's; ``/reports/<name>.csv`` is the same as CSV;
``/dashboards/<name>`` runs every widget with the dashboard filter (``owner``,
``period`` or ``date_from``/``date_to``).
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from ..reports import ReportRunner
from ..reports.params import DashboardFilter
from ..reports.shaping import dashboard_json, dashboard_summary, report_json, result_csv, result_json
from .context import platform
from .records_api import actor, purpose

bp = Blueprint("reports_api", __name__, url_prefix="/api/v1")
FILTER_ARGS = ("owner", "period", "date_from", "date_to")


def runner() -> ReportRunner:
    return ReportRunner(platform().records.reader, actor(), purpose=purpose())


@bp.get("/reports")
def list_reports() -> Response:
    return jsonify({"data": [report_json(r) for r in runner().reports()]})


@bp.get("/reports/<name>/run")
def run_report(name: str) -> Response:
    return jsonify(result_json(runner().run(name, request.args)))


@bp.get("/reports/<name>.csv")
def export_report(name: str) -> Response:
    result = runner().run(name, request.args)
    return Response(result_csv(result), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{result.report.name}.csv"'})


@bp.get("/dashboards")
def list_dashboards() -> Response:
    return jsonify({"data": [dashboard_summary(d) for d in runner().dashboards()]})


@bp.get("/dashboards/<name>")
def run_dashboard(name: str) -> Response:
    filters = DashboardFilter.from_args({k: request.args.get(k) for k in FILTER_ARGS})
    return jsonify(dashboard_json(runner().run_dashboard(name, filters)))
