"""Reports in the browser: ``/reports`` (what you may run), ``/reports/<name>`` (chart, table, filters, CSV).

Each page runs its report through a :class:`ReportRunner` as the signed-in
user, so what a chart adds up is what the user may read. The filter bar is
the query language as text (``amount__gte=1000&stage=Won``), the same
filters a list URL takes; a bad filter is shown with its reason, not a 500.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from flask import Blueprint, Response, current_app, render_template, request
from flask_login import login_required

from ..errors import PlatformError
from ..query import QueryError
from ..reports import ReportRunner
from ..reports.shaping import result_csv
from .report_widgets import Labels, widget_for
from .session import current_actor

bp = Blueprint("web_reports", __name__, template_folder="templates")


def platform() -> Any:
    return current_app.extensions["metacrm"]


def runner() -> ReportRunner:
    return ReportRunner(platform().records.reader, current_actor())


def labels(run: ReportRunner) -> Labels:
    return Labels(run.live.compiled, platform().users)


def ad_hoc_filters(text: str) -> dict[str, list[str]]:
    """``stage=Won&amount__gte=1000`` → query parameters (empty pairs dropped)."""
    out: dict[str, list[str]] = {}
    for key, value in parse_qsl(text.strip().lstrip("?"), keep_blank_values=False):
        out.setdefault(key.strip(), []).append(value.strip())
    return out


@bp.get("/reports")
@login_required
def index() -> Any:
    run = runner()
    return render_template("web/reports/index.html", reports=run.reports(), dashboards=run.dashboards(),
                           is_admin=current_actor().is_admin)


@bp.get("/reports/<name>")
@login_required
def show(name: str) -> Any:
    run = runner()
    report = run.report(name)
    text = request.args.get("filters", "")
    widget, error, status = None, None, 200
    try:
        widget = widget_for(run.run(report.name, ad_hoc_filters(text)), labels(run))
    except QueryError as exc:
        error, status = "; ".join(f'{e["parameter"]}: {e["message"]}' for e in exc.errors) or exc.detail, 400
    except PlatformError as exc:
        error, status = str(exc), exc.status
    csv_url = f"/reports/{report.name}/export.csv" + (f"?{urlencode({'filters': text})}" if text else "")
    return render_template("web/reports/show.html", report=report, widget=widget, error=error, filters=text,
                           csv_url=csv_url, is_admin=current_actor().is_admin), status


@bp.get("/reports/<name>/export.csv")
@login_required
def export(name: str) -> Response:
    run = runner()
    result = run.run(name, ad_hoc_filters(request.args.get("filters", "")))
    names = labels(run)
    header = {g.key: names.grouping(result.report, g) for g in result.report.group_by}
    header.update({a.key: names.aggregate(result.report, a) for a in result.report.aggregates})
    return Response(result_csv(result, header), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{result.report.name}.csv"'})
