"""Running reports: GROUP BY in the database with buckets, two levels, every aggregate, as the viewer."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from metacrm.platform.errors import NotFound
from metacrm.platform.query import QueryError
from metacrm.platform.records import SYSTEM
from metacrm.platform.reports import ReportRunner
from metacrm.platform.reports.params import DashboardFilter
from metacrm.platform.security.audit import access_log

from .conftest import TODAY, Crm


def runner(crm: Crm, actor=SYSTEM) -> ReportRunner:  # type: ignore[no-untyped-def]
    return ReportRunner(crm.platform.records.reader, actor, today=TODAY)


def test_each_aggregate_per_group_in_choice_order_with_grand_totals(crm: Crm) -> None:
    result = runner(crm).run("by_stage")
    assert result.rows == [
        {"stage": "New", "count": 2, "sum:amount": Decimal("150.00"), "avg:amount": Decimal("75.00"),
         "min:amount": Decimal("50.00"), "max:amount": Decimal("100.00")},
        {"stage": "Proposal", "count": 2, "sum:amount": Decimal("500.00"), "avg:amount": Decimal("250.00"),
         "min:amount": Decimal("200.00"), "max:amount": Decimal("300.00")},
        {"stage": "Won", "count": 1, "sum:amount": Decimal("1000.00"), "avg:amount": Decimal("1000.00"),
         "min:amount": Decimal("1000.00"), "max:amount": Decimal("1000.00")},
        {"stage": "Lost", "count": 1, "sum:amount": Decimal("75.00"), "avg:amount": Decimal("75.00"),
         "min:amount": Decimal("75.00"), "max:amount": Decimal("75.00")},
    ]  # a picklist grouping follows the admin's order of the choices
    assert result.totals == {"count": 6, "sum:amount": Decimal("1725.00"), "avg:amount": Decimal("287.50"),
                             "min:amount": Decimal("50.00"), "max:amount": Decimal("1000.00")}


def test_a_weighted_forecast_by_close_month_and_stage(crm: Crm) -> None:
    result = runner(crm).run("forecast")
    assert result.rows == [
        {"close_date:month": "2026-04-01", "stage": "New", "sum:weighted": Decimal("10.00")},
        {"close_date:month": "2026-04-01", "stage": "Proposal", "sum:weighted": Decimal("150.00")},
        {"close_date:month": "2026-05-01", "stage": "New", "sum:weighted": Decimal("10.00")},
        {"close_date:month": "2026-06-01", "stage": "Proposal", "sum:weighted": Decimal("50.00")},
    ]
    assert result.totals == {"sum:weighted": Decimal("220.00")}


@pytest.mark.parametrize("bucket, expected", [
    ("day", {"2026-01-10": 1, "2026-03-31": 1, "2026-04-03": 1, "2026-04-28": 1, "2026-05-02": 1, "2026-06-15": 1}),
    ("week", {"2026-01-05": 1, "2026-03-30": 2, "2026-04-27": 2, "2026-06-15": 1}),
    ("month", {"2026-01-01": 1, "2026-03-01": 1, "2026-04-01": 2, "2026-05-01": 1, "2026-06-01": 1}),
    ("quarter", {"2026-01-01": 2, "2026-04-01": 4}),
    ("year", {"2026-01-01": 6}),
])
def test_date_buckets_start_their_period_on_both_databases(crm: Crm, bucket: str, expected: dict[str, int]) -> None:
    page = crm.platform.records.reader.list(SYSTEM, "deal", {"group_by": f"close_date:{bucket}"}, today=TODAY)
    assert {g[f"close_date:{bucket}"]: g["count"] for g in page.groups or []} == expected


def test_date_time_fields_bucket_too_and_empty_values_form_their_own_group(crm: Crm) -> None:
    page = crm.platform.records.reader.list(SYSTEM, "deal", {"group_by": "closed_at:month"}, today=TODAY)
    assert page.groups == [{"closed_at:month": "2026-01-01", "count": 1},
                           {"closed_at:month": "2026-03-01", "count": 1}, {"closed_at:month": None, "count": 4}]


def test_buckets_only_apply_to_dates(crm: Crm) -> None:
    with pytest.raises(QueryError) as caught:
        crm.platform.records.reader.list(SYSTEM, "deal", {"group_by": "stage:month,close_date:fortnight"})
    messages = " ".join(e["message"] for e in caught.value.errors)
    assert "not a date" in messages and '"fortnight" is not a date bucket' in messages


def test_a_rep_aggregates_only_their_own_rows_and_a_manager_sees_the_team(crm: Crm) -> None:
    assert runner(crm, crm.ann).run("total").totals == {"sum:amount": Decimal("1400.00")}
    assert runner(crm, crm.bob).run("total").totals == {"sum:amount": Decimal("325.00")}
    assert runner(crm, crm.manager).run("total").totals == {"sum:amount": Decimal("1725.00")}
    assert {g["stage"]: g["count"] for g in runner(crm, crm.bob).run("by_stage").rows} == \
        {"New": 1, "Proposal": 1, "Lost": 1}


def test_hidden_and_masked_fields_cannot_be_grouped_or_aggregated(crm: Crm) -> None:
    with pytest.raises(QueryError) as caught:
        runner(crm, crm.ann).run("margins")
    assert caught.value.errors[0]["parameter"] == "agg"
    with pytest.raises(QueryError):
        runner(crm, crm.ann).run("by_code")
    assert runner(crm, crm.manager).run("margins").totals == {"sum:margin": Decimal("60.00")}


def test_aggregating_a_sensitive_field_is_written_to_the_access_log(crm: Crm) -> None:
    def logged() -> list[list[str]]:
        with crm.platform.engine.connect() as conn:
            return [r.fields for r in conn.execute(sa.select(access_log).where(access_log.c.action == "report"))]
    runner(crm, crm.manager).run("by_stage")
    assert logged() == []
    assert runner(crm, crm.manager).run("scores").totals == {"sum:score": 30}
    assert logged() == [["score"]]


def test_reports_shared_with_roles_are_listed_and_run_only_for_them(crm: Crm) -> None:
    assert "managers_only" not in [r.name for r in runner(crm, crm.ann).reports()]
    assert "managers_only" in [r.name for r in runner(crm, crm.manager).reports()]
    with pytest.raises(NotFound):
        runner(crm, crm.ann).run("managers_only")


def test_extra_filters_narrow_a_report_and_cannot_reshape_it(crm: Crm) -> None:
    result = runner(crm).run("by_stage", {"amount__gte": "200"})
    assert [(r["stage"], r["count"]) for r in result.rows] == [("Proposal", 2), ("Won", 1)]
    assert runner(crm).run("total", {"stage": "New"}, {"amount__lt": "100"}).totals == {"sum:amount": Decimal("50.00")}
    with pytest.raises(QueryError) as caught:
        runner(crm).run("by_stage", {"group_by": "title"})
    assert caught.value.errors[0]["parameter"] == "group_by"


def test_dashboard_filters_apply_to_every_widget_on_its_date_field(crm: Crm) -> None:
    dash = runner(crm, crm.manager).run_dashboard("sales", DashboardFilter(owner=str(crm.ann.id),
                                                                             period="this_quarter"))
    by_report = {w.report: (res, err) for w, res, err in dash.widgets}
    stage_counts = {r["stage"]: r["count"] for r in by_report["by_stage"][0].rows}
    assert stage_counts == {"New": 1, "Proposal": 1}  # Ann's deals closing in Q2
    assert by_report["total"][0].totals == {"sum:amount": Decimal("1400.00")}  # no date field: owner only
    assert by_report["managers_only"][1] is None
    rep_view = runner(crm, crm.bob).run_dashboard("sales", DashboardFilter(date_from="2026-05-01",
                                                                           date_to="2026-06-30"))
    rep_widgets = {w.report: (res, err) for w, res, err in rep_view.widgets}
    assert rep_widgets["managers_only"] == (None, "You do not have access to this report.")
    assert {r["stage"]: r["count"] for r in rep_widgets["by_stage"][0].rows} == {"New": 1, "Proposal": 1}


def test_a_runner_caches_results_within_its_request(crm: Crm) -> None:
    run = runner(crm)
    assert run.run("by_stage") is run.run("by_stage")
    assert run.run("by_stage") is not run.run("by_stage", {"stage": "New"})
