"""The reports API: list, run with extra filters, CSV, dashboards; as the caller, with problem details."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from tests.conftest import ADMIN_PASSWORD, basic_auth

from .data import load_sales


@pytest.fixture
def api(app: Any, admin_headers: dict[str, str], cheap_password_hashing: None) -> Any:
    platform = app.extensions["metacrm"]
    load_sales(platform, {"ann": 1, "bob": 1})  # the admin (user 1) owns every deal here
    return app.test_client()


@pytest.fixture
def rep_headers(app: Any, api: Any) -> dict[str, str]:
    app.extensions["metacrm"].users.create("rep@example.com", ADMIN_PASSWORD, roles=["rep"])
    return basic_auth("rep@example.com", ADMIN_PASSWORD)


def test_reports_are_listed_for_the_caller(api: Any, admin_headers: dict[str, str],
                                           rep_headers: dict[str, str]) -> None:
    names = [r["name"] for r in api.get("/api/v1/reports", headers=admin_headers).get_json()["data"]]
    assert "managers_only" in names and "forecast" in names
    names = [r["name"] for r in api.get("/api/v1/reports", headers=rep_headers).get_json()["data"]]
    assert "managers_only" not in names
    assert api.get("/api/v1/reports").status_code == 401


def test_running_a_report_answers_rows_and_totals_as_exact_text(api: Any, admin_headers: dict[str, str]) -> None:
    body = api.get("/api/v1/reports/forecast/run?close_date__lt=2026-06-01", headers=admin_headers).get_json()
    assert body["report"]["group_by"] == ["close_date:month", "stage"]
    assert body["rows"] == [
        {"close_date:month": "2026-04-01", "stage": "New", "sum:weighted": "10.00"},
        {"close_date:month": "2026-04-01", "stage": "Proposal", "sum:weighted": "150.00"},
        {"close_date:month": "2026-05-01", "stage": "New", "sum:weighted": "10.00"}]
    assert body["totals"] == {"sum:weighted": "170.00"}


def test_bad_filters_and_hidden_fields_are_problems_not_errors(api: Any, admin_headers: dict[str, str],
                                                               rep_headers: dict[str, str]) -> None:
    response = api.get("/api/v1/reports/by_stage/run?colour=red", headers=admin_headers)
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert response.get_json()["errors"][0]["parameter"] == "colour"
    response = api.get("/api/v1/reports/by_stage/run?group_by=title", headers=admin_headers)
    assert response.status_code == 400
    response = api.get("/api/v1/reports/margins/run", headers=rep_headers)  # margin is hidden from reps
    assert response.status_code == 400 and "margin" in response.get_data(as_text=True)
    assert api.get("/api/v1/reports/managers_only/run", headers=rep_headers).status_code == 404
    assert api.get("/api/v1/reports/nope/run", headers=admin_headers).status_code == 404


def test_csv_export_has_a_line_per_group_and_a_total(api: Any, admin_headers: dict[str, str]) -> None:
    response = api.get("/api/v1/reports/by_stage.csv", headers=admin_headers)
    assert response.mimetype == "text/csv"
    assert "by_stage.csv" in response.headers["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert lines[0] == ["stage", "count", "sum:amount", "avg:amount", "min:amount", "max:amount"]
    assert lines[1] == ["New", "2", "150.00", "75.00", "50.00", "100.00"]
    assert lines[-1] == ["Total", "6", "1725.00", "287.50", "50.00", "1000.00"]


def test_a_dashboard_runs_every_widget_with_its_filter(api: Any, admin_headers: dict[str, str]) -> None:
    body = api.get("/api/v1/dashboards/sales?period=this_year&owner=1", headers=admin_headers).get_json()
    assert [w["report"] for w in body["widgets"]] == ["by_stage", "forecast", "total", "managers_only"]
    total = next(w for w in body["widgets"] if w["report"] == "total")
    assert total["result"]["totals"] == {"sum:amount": "1725.00"}
    listed = api.get("/api/v1/dashboards", headers=admin_headers).get_json()["data"]
    assert [d["name"] for d in listed] == ["sales"]
    assert api.get("/api/v1/dashboards/nope", headers=admin_headers).status_code == 404


def test_the_openapi_document_describes_the_reports_api(api: Any, admin_headers: dict[str, str]) -> None:
    doc = api.get("/api/v1/openapi.json", headers=admin_headers).get_json()
    assert {"/api/v1/reports", "/api/v1/reports/{name}/run", "/api/v1/reports/{name}.csv",
            "/api/v1/dashboards/{name}"} <= set(doc["paths"])
    assert "ReportResult" in doc["components"]["schemas"]
