"""A sales manager opens the Sales manager dashboard in Chromium: charts drawn, filters applied, a report opened."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from metacrm.platform.packs import PackService, open_pack

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def crm(app: Any) -> Any:
    platform = app.extensions["metacrm"]
    with open_pack("base_crm") as source:
        PackService(platform.metadata, platform.records).install(source, demo=True)
    return app


def test_the_sales_manager_dashboard_answers_what_closes_this_quarter(crm: Any, signed_in: Any,
                                                                       live_server: str) -> None:
    page = signed_in
    page.set_viewport_size({"width": 1440, "height": 1800})
    page.click("#nav-dashboards")
    page.get_by_role("link", name="Sales manager").click()
    page.wait_for_selector("canvas.report-chart[data-drawn=true]")
    assert page.locator("section.report-widget").count() == 9
    assert page.locator("canvas.report-chart[data-drawn=true]").count() >= 7
    assert page.get_by_role("heading", name="Forecast this quarter (weighted)").count() == 1
    assert page.get_by_role("heading", name="Stuck deals").count() == 1
    page.screenshot(path=str(SHOTS / "dashboard_sales.png"), full_page=True)

    page.select_option("#f-period", "this_quarter")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**period=this_quarter**")
    page.wait_for_selector("canvas.report-chart[data-drawn=true]")

    page.locator('section[data-report="pipeline_by_stage"]').get_by_role("link").click()
    page.wait_for_selector("canvas.report-chart[data-drawn=true]")
    page.locator("details summary").click()
    assert "Prospecting" in page.locator("table.report-table").inner_text()
    with page.expect_download() as download:
        page.click("#csv-export")
    assert download.value.suggested_filename == "pipeline_by_stage.csv"
