"""Dashboards in the browser: ``/dashboards`` and ``/dashboards/<name>``, a grid of report widgets.

The filter bar (owner, a period or a date range) is merged into every
widget's query on the date field the dashboard names for it; every widget
runs as the signed-in user, and one the user may not run says so in place.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from flask_login import login_required

from ..errors import PlatformError
from ..query import QueryError
from ..reports.params import DashboardFilter
from .report_views import labels, platform, runner
from .report_widgets import Widget, widget_for
from .session import current_actor

bp = Blueprint("web_dashboards", __name__, template_folder="templates")
PERIODS = ("this_week", "this_month", "this_quarter", "next_quarter", "last_quarter", "this_year", "last_n_days:30",
           "last_n_days:90")


@bp.get("/dashboards")
@login_required
def index() -> Any:
    run = runner()
    return render_template("web/reports/index.html", reports=run.reports(), dashboards=run.dashboards(),
                           is_admin=current_actor().is_admin)


@bp.get("/dashboards/<name>")
@login_required
def show(name: str) -> Any:
    run = runner()
    dashboard = run.dashboard(name)
    filters = DashboardFilter.from_args(request.args)
    names = labels(run)
    widgets: list[Widget] = []
    bundle = run.live.compiled.bundle
    for w in dashboard.widgets:
        report = bundle.reports.get(w.report)
        title = w.title or (report.label if report else w.report)
        error = None
        if report is None or not run.may_read(report):
            error = "You do not have access to this report."
        else:
            try:
                widgets.append(widget_for(run.run(report.name, filters.params_for(w)), names, title=title,
                                          width=w.width))
                continue
            except QueryError as exc:
                error = "; ".join(f'{e["parameter"]}: {e["message"]}' for e in exc.errors) or exc.detail
            except PlatformError as exc:
                error = str(exc)
        widgets.append(Widget(report, title, {}, [], [], [], error=error, width=w.width))  # type: ignore[arg-type]
    users = platform().users.list() if "owner" in dashboard.filters else []
    return render_template("web/reports/dashboard.html", dashboard=dashboard, widgets=widgets, filters=filters,
                           periods=PERIODS, users=users)
