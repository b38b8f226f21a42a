"""Report and dashboard pages: chart data embedded as JSON, fallback tables, filters, CSV, permissions."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.platform.reports.data import load_sales

from .conftest import USER_EMAIL, USER_PASSWORD, csrf_of, sign_in


@pytest.fixture
def sales(app: Any) -> Any:
    load_sales(app.extensions["metacrm"], {"ann": 1, "bob": 1})
    return app


def chart_json(html: str, n: int = 0) -> dict[str, Any]:
    match = re.search(rf'<script type="application/json" id="chart-data-{n}">(.*?)</script>', html, re.S)
    assert match, "the page embeds no chart data"
    return json.loads(match.group(1))


def test_the_nav_links_to_dashboards_and_the_index_lists_reports(sales: Any, browser: Any) -> None:
    home = browser.get("/").get_data(as_text=True)
    assert 'id="nav-dashboards"' in home
    page = browser.get("/dashboards").get_data(as_text=True)
    assert 'href="/dashboards/sales"' in page and 'href="/reports/forecast"' in page


def test_a_report_page_draws_a_stacked_chart_with_a_table_of_the_same_figures(sales: Any, browser: Any) -> None:
    response = browser.get("/reports/forecast")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    data = chart_json(html)
    assert data["chart"] == "stacked_bar"
    assert data["labels"] == ["Apr 2026", "May 2026", "Jun 2026"]
    assert {d["label"]: d["data"] for d in data["datasets"]} == {"New": [10.0, 10.0, 0], "Proposal": [150.0, 0, 50.0]}
    assert "<td class=\"text-end\">150.00</td>" in html and "Sum of weighted" in html
    assert "/vendor/chart.js/dist/chart.umd.min.js" in html and "reports.js" in html
    assert "<script>" not in html  # no inline script: data only


def test_the_filter_bar_narrows_and_the_csv_link_keeps_the_filter(sales: Any, browser: Any) -> None:
    html = browser.get("/reports/by_stage?filters=amount__gte%3D200").get_data(as_text=True)
    assert chart_json(html)["labels"] == ["Proposal", "Won"]
    assert 'href="/reports/by_stage/export.csv?filters=amount__gte%3D200"' in html
    csv_text = browser.get("/reports/by_stage/export.csv?filters=amount__gte%3D200").get_data(as_text=True)
    assert csv_text.splitlines()[0] == "Stage,Count,Sum of amount,Average amount,Minimum amount,Maximum amount"
    assert csv_text.splitlines()[-1] == "Total,3,1500.00,500.00,200.00,1000.00"


def test_a_bad_filter_is_shown_with_its_reason(sales: Any, browser: Any) -> None:
    response = browser.get("/reports/by_stage?filters=colour%3Dred")
    assert response.status_code == 400
    assert 'id="report-error"' in response.get_data(as_text=True)
    assert "colour" in response.get_data(as_text=True)


def test_a_dashboard_is_a_grid_of_widgets_with_a_filter_bar(sales: Any, browser: Any) -> None:
    html = browser.get("/dashboards/sales?period=this_year").get_data(as_text=True)
    assert html.count('class="card h-100 report-widget"') == 4
    assert 'id="f-owner"' in html and 'value="this_year" selected' in html
    assert 'class="display-6 fw-semibold mb-0 report-kpi">1725.00<' in html  # the KPI widget


def test_a_user_without_the_role_cannot_open_a_dashboard_or_its_reports(sales: Any, client: Any,
                                                                        plain_user: Any) -> None:
    sign_in(client, USER_EMAIL, USER_PASSWORD)
    assert client.get("/dashboards/sales").status_code == 404
    assert client.get("/reports/managers_only").status_code == 404
    assert 'href="/reports/by_stage"' not in client.get("/reports").get_data(as_text=True)  # cannot read deals


def builder_form(**overrides: Any) -> dict[str, Any]:
    return {"name": "won_by_quarter", "label": "Won by quarter", "object": "deal", "chart": "bar",
            "filters": "stage=Won", "group1": "close_date", "bucket1": "quarter", "group2": "", "bucket2": "",
            "function": "sum", "field": "amount", "sort": "", "limit": "100", **overrides}


def test_the_builder_previews_shows_the_plan_and_saves_through_plan_and_apply(sales: Any, browser: Any) -> None:
    token = csrf_of(browser.get("/reports/new").get_data(as_text=True))
    preview = browser.post("/reports/new", data={**builder_form(), "csrf_token": token, "action": "preview"})
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and 'id="save-button"' in html
    assert "reports: add report won_by_quarter" in html
    assert chart_json(html)["labels"] == ["Q1 2026"]
    saved = browser.post("/reports/new", data={**builder_form(), "csrf_token": token, "action": "save"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/reports/won_by_quarter")
    platform = sales.extensions["metacrm"]
    assert platform.metadata.current().compiled.bundle.reports["won_by_quarter"].label == "Won by quarter"
    assert platform.metadata.history(1)[0].author == "admin@example.com"
    edit = browser.get("/reports/won_by_quarter/edit").get_data(as_text=True)
    assert 'value="Won by quarter"' in edit and 'value="stage=Won"' in edit


def test_the_builder_names_each_problem_and_is_for_admins_only(sales: Any, browser: Any, app: Any,
                                                              plain_user: Any) -> None:
    token = csrf_of(browser.get("/reports/new").get_data(as_text=True))
    bad = browser.post("/reports/new", data={**builder_form(group1="stage", bucket1="month", field="title"),
                                            "csrf_token": token, "action": "preview"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "only date and date/time fields" in html and "needs a numeric field" in html
    assert 'id="save-button"' not in html
    unknown_filter = browser.post("/reports/new", data={**builder_form(filters="colour=red"), "csrf_token": token,
                                                       "action": "preview"})
    assert unknown_filter.status_code == 422 and "colour" in unknown_filter.get_data(as_text=True)
    other = app.test_client()
    sign_in(other, USER_EMAIL, USER_PASSWORD)
    assert other.get("/reports/new").status_code == 403
