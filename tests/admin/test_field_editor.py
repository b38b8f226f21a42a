"""The field editor: every kind of field through the pages, picklists, formulas and type changes."""

from __future__ import annotations

from typing import Any

import pytest

from metacrm.platform.records.actor import SYSTEM
from tests.admin.builder_steps import add_field, apply, submit
from tests.conftest import fld, make_object
from tests.platform.web.conftest import csrf_of


@pytest.fixture
def metadata(app: Any) -> Any:
    service = app.extensions["metacrm"].metadata
    service.apply(service.plan({"objects": [
        make_object("company", fld("name", required=True), name_field="name"),
        make_object("deal", fld("title", required=True), fld("code"), name_field="title")]}), author="test")
    return service


def field(metadata: Any, obj: str, name: str) -> Any:
    return metadata.current().compiled.object(obj).definition.field(name)


def test_five_kinds_of_field_are_added_through_the_pages(browser: Any, metadata: Any) -> None:
    assert add_field(browser, "deal", "currency", label="Amount", name="", precision="12", scale="2",
                     required="y", help_text="Before tax").status_code == 302
    assert add_field(browser, "deal", "date", label="Close date", name="close_date").status_code == 302
    assert add_field(browser, "deal", "picklist", label="Stage", name="stage",
                     **{"options-0-value": "new", "options-0-label": "New", "options-0-color": "#1f77b4",
                        "options-0-active": "y", "options-1-value": "won", "options-1-label": "Won",
                        "options-1-color": "#6c757d", "options-1-active": "y"}).status_code == 302
    assert add_field(browser, "deal", "lookup", label="Company", name="company", target="company",
                     on_delete="set_null").status_code == 302
    assert add_field(browser, "deal", "formula", label="Tax", name="tax", formula="amount * 0.2",
                     result_type="currency", stored="y").status_code == 302
    assert add_field(browser, "deal", "autonumber", label="Number", name="number",
                     pattern="D-{0000}").status_code == 302
    amount = field(metadata, "deal", "amount")  # the name was suggested from the label
    assert (amount.type, amount.precision, amount.scale, amount.required, amount.help_text) == \
        ("currency", 12, 2, True, "Before tax")
    stage = field(metadata, "deal", "stage")
    assert stage.option_values == ("new", "won") and stage.options[0].color == "#1f77b4"
    assert (field(metadata, "deal", "company").target, field(metadata, "deal", "company").on_delete) == \
        ("company", "set_null")
    assert field(metadata, "deal", "tax").formula == "amount * 0.2"
    assert field(metadata, "deal", "number").pattern == "D-{0000}"
    html = browser.get("/admin/objects/deal/").get_data(as_text=True)
    for name in ("amount", "close_date", "stage", "company", "tax", "number"):
        assert f'data-field="{name}"' in html


def test_the_editor_shows_only_the_settings_of_the_type(browser: Any, metadata: Any) -> None:
    lookup = browser.get("/admin/objects/deal/fields/new?type=lookup").get_data(as_text=True)
    assert 'name="target"' in lookup and 'name="on_delete"' in lookup and 'name="options-0-value"' not in lookup
    picklist = browser.get("/admin/objects/deal/fields/new?type=picklist").get_data(as_text=True)
    assert 'name="options-0-value"' in picklist and "Sortable.min.js" in picklist and 'name="target"' not in picklist
    rollup = browser.get("/admin/objects/company/fields/new?type=rollup").get_data(as_text=True)
    assert 'name="rollup_child"' in rollup and 'name="rollup_function"' in rollup
    assert browser.get("/admin/objects/deal/fields/new?type=nonsense").status_code == 404


def test_a_rollup_is_defined_without_json(browser: Any, metadata: Any) -> None:
    add_field(browser, "deal", "lookup", label="Company", name="company", target="company", on_delete="restrict")
    add_field(browser, "deal", "currency", label="Amount", name="amount")
    done = add_field(browser, "company", "rollup", label="Won total", name="won_total", rollup_child="deal",
                     rollup_relationship_field="company", rollup_function="sum", rollup_field="amount",
                     rollup_filter="code=won", result_type="currency")
    assert done.status_code == 302
    rollup = field(metadata, "company", "won_total").rollup
    assert (rollup.child, rollup.function, rollup.field, dict(rollup.filter)) == ("deal", "sum", "amount",
                                                                                  {"code": "won"})


def test_picklist_choices_are_reordered_and_deactivated(browser: Any, metadata: Any) -> None:
    add_field(browser, "deal", "picklist", label="Stage", name="stage",
              **{"options-0-value": "new", "options-0-label": "New", "options-0-active": "y",
                 "options-1-value": "won", "options-1-label": "Won", "options-1-active": "y"})
    edit = browser.get("/admin/objects/deal/fields/stage/edit").get_data(as_text=True)
    assert 'value="won"' in edit and 'id="options"' in edit
    preview = submit(browser, "/admin/objects/deal/fields/stage/edit", label="Stage", name="stage",
                     **{"options-0-value": "won", "options-0-label": "Won", "options-0-color": "#2ca02c",
                        "options-0-active": "y", "options-1-value": "new", "options-1-label": "New"})
    assert "picklist" in preview.get_data(as_text=True).lower()
    assert apply(browser, preview).status_code == 302
    stage = field(metadata, "deal", "stage")
    assert stage.option_values == ("won", "new")
    assert [o.active for o in stage.options] == [True, False] and stage.options[0].color == "#2ca02c"


def test_a_formula_syntax_error_names_the_line_and_column(browser: Any, metadata: Any) -> None:
    token = csrf_of(browser.get("/admin/objects/deal/fields/new?type=formula").get_data(as_text=True))
    bad = browser.post("/admin/objects/deal/fields/check-formula", data={"formula": "(title +\n  * 2)", "csrf_token": token})
    assert "Line 2, column 3: invalid syntax" in bad.get_data(as_text=True)
    refused = browser.post("/admin/objects/deal/fields/check-formula",
                           data={"formula": "title.__class__", "csrf_token": token})
    assert "Line 1, column 1" in refused.get_data(as_text=True) and "underscore" in refused.get_data(as_text=True)
    good = browser.post("/admin/objects/deal/fields/check-formula", data={"formula": "title + '!'", "csrf_token": token})
    assert "The formula is valid." in good.get_data(as_text=True)


def test_a_formula_is_tried_against_a_record(browser: Any, app: Any, metadata: Any) -> None:
    record = app.extensions["metacrm"].records.create(SYSTEM, "deal", {"title": "Acme", "code": "x1"})
    token = csrf_of(browser.get("/admin/objects/deal/fields/new?type=formula").get_data(as_text=True))
    url = "/admin/objects/deal/fields/try-formula"
    ok = browser.post(url, data={"formula": "title + '/' + code", "record_id": record["id"], "csrf_token": token})
    assert "&#39;Acme/x1&#39;" in ok.get_data(as_text=True)
    failing = browser.post(url, data={"formula": "title / 2", "record_id": record["id"], "csrf_token": token})
    assert "TypeError" in failing.get_data(as_text=True)
    missing = browser.post(url, data={"formula": "title", "record_id": "999", "csrf_token": token})
    assert "999" in missing.get_data(as_text=True)


def test_a_type_change_reports_what_converts_before_applying(browser: Any, app: Any, metadata: Any) -> None:
    records = app.extensions["metacrm"].records
    for code in ("12", "30"):
        records.create(SYSTEM, "deal", {"title": f"deal {code}", "code": code})
    preview = submit(browser, "/admin/objects/deal/fields/code/edit?type=integer", label="Code", name="code")
    html = preview.get_data(as_text=True)
    assert "all 2 existing value(s) convert" in html and "destructive" in html
    assert field(metadata, "deal", "code").type == "text"  # nothing applied yet
    unconfirmed = apply(browser, preview)
    assert unconfirmed.status_code == 422 and "tick the box" in unconfirmed.get_data(as_text=True)
    assert apply(browser, preview, confirm="y").status_code == 302
    assert field(metadata, "deal", "code").type == "integer"


def test_a_type_change_that_would_lose_values_is_refused_with_examples(browser: Any, app: Any,
                                                                       metadata: Any) -> None:
    records = app.extensions["metacrm"].records
    for code in ("12", "abc", "x"):
        records.create(SYSTEM, "deal", {"title": f"deal {code}", "code": code})
    preview = submit(browser, "/admin/objects/deal/fields/code/edit?type=integer", label="Code", name="code")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 422 and "2 of 3 existing value(s) cannot be converted" in html
    assert "&#39;abc&#39;" in html and 'id="apply-form"' not in html


def test_editing_keeps_settings_the_form_does_not_show(browser: Any, metadata: Any) -> None:
    service = metadata
    doc = service.export("deal")
    doc["fields"][1]["description"] = "Internal code"
    service.apply(service.plan_object("deal", doc), author="test")
    preview = submit(browser, "/admin/objects/deal/fields/code/edit", label="Deal code", name="code", unique="y")
    assert apply(browser, preview).status_code == 302
    code = field(metadata, "deal", "code")
    assert (code.label, code.unique, code.description) == ("Deal code", True, "Internal code")


def test_a_field_is_removed_through_a_destructive_plan(browser: Any, metadata: Any) -> None:
    preview = browser.get("/admin/objects/deal/fields/code/remove")
    assert "destructive" in preview.get_data(as_text=True)
    assert apply(browser, preview, confirm="y").status_code == 302
    assert field(metadata, "deal", "code") is None


def test_bad_settings_come_back_on_the_form(browser: Any, metadata: Any) -> None:
    taken = submit(browser, "/admin/objects/deal/fields/new?type=text", label="Title", name="title")
    assert taken.status_code == 422 and "already has a field" in taken.get_data(as_text=True)
    reserved = submit(browser, "/admin/objects/deal/fields/new?type=text", label="Id", name="id")
    assert reserved.status_code == 422
    pattern = submit(browser, "/admin/objects/deal/fields/new?type=autonumber", label="No", name="no", pattern="X")
    assert pattern.status_code == 422 and "{0000}" in pattern.get_data(as_text=True)
