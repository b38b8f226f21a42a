"""Reports and dashboards as metadata: loading, checks with JSON paths, round trips and plans."""

from __future__ import annotations

from typing import Any

import pytest

from metacrm.metadata.diff import diff
from metacrm.metadata.errors import MetadataError
from metacrm.metadata.loader import bundle_from_snapshot, load_bundle
from metacrm.metadata.reports import AggregateDef, GroupingDef, ReportDef


def fld(name: str, type_: str = "text", **settings: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, **settings}


DEAL = {"name": "deal", "fields": [
    fld("title"), fld("notes", "long_text"), fld("stage", "picklist", options=["New", "Won"]),
    fld("amount", "currency"), fld("probability", "percent"), fld("close_date", "date"),
    fld("weighted", "formula", formula="amount * probability / 100", result_type="currency"),
]}
ROLES = [{"name": "sales_manager", "objects": {"deal": {"read": True}}}]
PIPELINE = {"name": "pipeline", "object": "deal", "group_by": [{"field": "stage"}],
            "aggregates": [{"function": "sum", "field": "amount"}, {"function": "count"}], "chart": "funnel"}


def load(reports: list[dict[str, Any]], dashboards: list[dict[str, Any]] | None = None) -> Any:
    return load_bundle({"objects": [DEAL], "roles": ROLES, "reports": reports,
                        "dashboards": dashboards or []}).bundle


def issues(reports: list[dict[str, Any]], dashboards: list[dict[str, Any]] | None = None) -> dict[str, str]:
    with pytest.raises(MetadataError) as caught:
        load(reports, dashboards)
    return {i.path: i.message for i in caught.value.issues}


def test_a_report_loads_into_a_frozen_definition_with_query_parameters() -> None:
    report = load([{**PIPELINE, "filters": {"close_date": "this_quarter"}, "sort": "-sum:amount"}]).reports["pipeline"]
    assert report == ReportDef("pipeline", "Pipeline", "deal", filters=report.filters,
                               group_by=(GroupingDef("stage"),),
                               aggregates=(AggregateDef("sum", "amount"), AggregateDef("count")),
                               sort="-sum:amount", chart="funnel")
    assert report.query_params() == {"close_date": "this_quarter", "group_by": "stage", "agg": "sum:amount,count",
                                     "sort": "-sum:amount", "limit": "100"}


def test_date_buckets_and_a_weighted_formula_make_a_two_level_forecast() -> None:
    forecast = {"name": "forecast", "object": "deal", "chart": "stacked_bar",
                "group_by": [{"field": "close_date", "bucket": "quarter"}, {"field": "stage"}],
                "aggregates": [{"function": "sum", "field": "weighted"}]}
    report = load([forecast]).reports["forecast"]
    assert report.query_params()["group_by"] == "close_date:quarter,stage"
    assert report.query_params()["agg"] == "sum:weighted"


def test_every_problem_is_reported_with_its_json_path() -> None:
    bad = {"name": "bad", "object": "deal", "chart": "stacked_bar",
           "group_by": [{"field": "stage", "bucket": "month"}, {"field": "notes"}],
           "aggregates": [{"function": "sum", "field": "title"}, {"function": "avg", "field": "nope"}],
           "filters": {"colour__eq": "red"}, "sort": "-sum:amount", "roles": ["sales_mangaer"]}
    found = issues([bad])
    assert "only date and date/time fields" in found["reports[0].group_by[0].bucket"]
    assert "cannot be grouped on" in found["reports[0].group_by[1].field"]
    assert "needs a numeric field" in found["reports[0].aggregates[0].field"]
    assert 'deal has no field "nope"' in found["reports[0].aggregates[1].field"]
    assert 'no field "colour"' in found['reports[0].filters["colour__eq"]']
    assert '"sum:amount" is not a grouping or aggregate' in found["reports[0].sort"]
    assert 'did you mean "sales_manager"' in found["reports[0].roles[0]"]
    assert issues([{"name": "x", "object": "dael"}])["reports[0].object"].endswith('did you mean "deal"?')


@pytest.mark.parametrize("chart, groupings, problem", [
    ("funnel", 2, "needs exactly one grouping"), ("pie", 0, "needs exactly one grouping"),
    ("stacked_bar", 1, "needs two groupings"), ("number", 1, "shows one figure"), ("bar", 0, "needs a grouping"),
])
def test_the_chart_type_must_fit_the_grouping(chart: str, groupings: int, problem: str) -> None:
    group_by = [{"field": "stage"}, {"field": "close_date", "bucket": "month"}][:groupings]
    found = issues([{"name": "r", "object": "deal", "chart": chart, "group_by": group_by}])
    assert problem in found["reports[0].chart"]


def test_the_schema_refuses_unknown_buckets_functions_and_a_third_grouping() -> None:
    three = [{"field": "stage"}, {"field": "title"}, {"field": "close_date"}]
    found = issues([{"name": "r", "object": "deal", "group_by": three,
                     "aggregates": [{"function": "median", "field": "amount"}]}])
    assert "reports[0].group_by" in found and "reports[0].aggregates[0].function" in found
    found = issues([{"name": "r", "object": "deal", "group_by": [{"field": "close_date", "bucket": "fortnight"}]}])
    assert "fortnight" in found["reports[0].group_by[0].bucket"]


def test_dashboards_name_existing_reports_roles_and_date_fields() -> None:
    found = issues([PIPELINE], [{"name": "sales", "roles": ["nobody"], "widgets": [
        {"report": "pipelin"}, {"report": "pipeline", "date_field": "stage"}]}])
    assert found["dashboards[0].widgets[0].report"].endswith('did you mean "pipeline"?')
    assert "not a date" in found["dashboards[0].widgets[1].date_field"]
    assert "nobody" in found["dashboards[0].roles[0]"]
    dash = load([PIPELINE], [{"name": "sales", "roles": ["sales_manager"], "filters": ["owner", "date_range"],
                              "widgets": [{"report": "pipeline", "date_field": "close_date"}]}]).dashboards["sales"]
    assert dash.shared_with({"sales_manager"}) and not dash.shared_with({"rep"})
    assert dash.shared_with(set(), is_admin=True)


def test_reports_round_trip_through_a_stored_snapshot_and_plan_as_metadata_only() -> None:
    before = load_bundle({"objects": [DEAL], "roles": ROLES}).bundle
    after = load([PIPELINE], [{"name": "sales", "widgets": [{"report": "pipeline"}]}])
    assert bundle_from_snapshot(after.to_json()) == after
    assert "reports" not in before.to_json()  # older snapshots stay equal
    ops = diff(before, after)
    assert [(op.kind, op.destructive) for op in ops] == [("update_reports", False)]
    assert ops[0].summary == "reports: add report pipeline; add dashboard sales"


def test_a_later_document_upserts_reports_by_name_over_the_base() -> None:
    base = load([PIPELINE])
    changed = load_bundle({"reports": [{**PIPELINE, "label": "Open pipeline"}]}, base=base).bundle
    assert changed.reports["pipeline"].label == "Open pipeline" and changed.objects == base.objects
