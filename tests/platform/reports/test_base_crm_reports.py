"""base_crm ships the sales manager's reports and dashboard; a pack installs them like roles."""

from __future__ import annotations

from typing import Any

import pytest

from tests.platform.workflows.conftest import cheap_password_hashing  # noqa: F401

from metacrm.platform.packs import PackService, open_pack
from metacrm.platform.records import SYSTEM, Actor
from metacrm.platform.reports import ReportRunner
from metacrm.platform.runtime import Platform
from tests.conftest import ADMIN_PASSWORD

REPORTS = {"pipeline_by_stage", "forecast_this_quarter", "won_vs_lost_by_month", "stuck_deals", "leads_by_source",
           "cases_by_priority", "sla_breaches", "activities_per_owner_this_week", "campaign_roi"}


@pytest.fixture
def crm(platform: Platform) -> Platform:
    with open_pack("base_crm") as source:
        assert {rel for rel, _ in source.reports} == {f"reports/{n}.json" for n in REPORTS}
        PackService(platform.metadata, platform.records).install(source, demo=True)
    return platform


def test_the_pack_installs_its_reports_and_the_sales_manager_dashboard(crm: Platform) -> None:
    bundle = crm.metadata.current().compiled.bundle
    assert set(bundle.reports) == REPORTS
    assert all(r.owner.startswith("pack:base_crm@") for r in bundle.reports.values())
    dashboard = bundle.dashboards["sales_manager"]
    assert dashboard.roles == ("sales_manager",) and dashboard.filters == ("owner", "date_range")


def test_every_widget_of_the_dashboard_runs_on_the_demo_data(crm: Platform) -> None:
    result = ReportRunner(crm.records.reader, SYSTEM).run_dashboard("sales_manager")
    assert [error for _, _, error in result.widgets] == [None] * len(result.widgets)
    by_report = {w.report: res for w, res, _ in result.widgets}
    pipeline = by_report["pipeline_by_stage"]
    assert pipeline is not None and pipeline.rows[0]["stage"] == "Prospecting"  # the funnel's stage order
    forecast = by_report["forecast_this_quarter"]
    assert forecast is not None and forecast.report.group_by[0].key == "close_date:month"


def test_a_sales_manager_sees_the_dashboard_and_a_rep_does_not(crm: Platform, cheap_password_hashing: Any) -> None:
    manager = Actor.from_user(crm.users.create("boss@example.com", ADMIN_PASSWORD, roles=["sales_manager"]))
    rep = Actor.from_user(crm.users.create("rep@example.com", ADMIN_PASSWORD, roles=["sales_rep"]))
    assert [d.name for d in ReportRunner(crm.records.reader, manager).dashboards()] == ["sales_manager"]
    assert ReportRunner(crm.records.reader, rep).dashboards() == []
