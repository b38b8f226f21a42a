"""Loading definitions: valid documents become frozen defs; invalid ones say where and why."""

from __future__ import annotations

import pytest

from metacrm.metadata import MetadataError, load_bundle

DEAL = {
    "name": "deal", "label": "Deal", "plural_label": "Deals", "name_field": "title",
    "fields": [
        {"name": "title", "type": "text", "label": "Title", "required": True, "max_length": 200},
        {"name": "amount", "type": "currency"},
        {"name": "stage", "type": "picklist", "options": ["New", "Won", "Lost"], "default": "New"},
        {"name": "company", "type": "lookup", "target": "company"},
    ],
}
COMPANY = {"name": "company", "fields": [{"name": "name", "type": "text"},
                                         {"name": "industry", "type": "picklist", "options": ["Tech", "Retail"]}]}


def messages(document: object) -> list[str]:
    with pytest.raises(MetadataError) as info:
        load_bundle(document)
    return [str(i) for i in info.value.issues]


def test_the_issue_example_loads_into_frozen_definitions() -> None:
    bundle = load_bundle({"objects": [COMPANY, DEAL]}).bundle
    deal = bundle.objects["deal"]
    assert deal.name_field == "title"
    assert deal.field("stage").option_values == ("New", "Won", "Lost")
    assert deal.field("company").target == "company"
    with pytest.raises(AttributeError):
        deal.label = "x"  # type: ignore[misc]


def test_defaults_are_derived_from_names() -> None:
    obj = load_bundle({"name": "support_case", "fields": [{"name": "subject", "type": "text"}]}).bundle.objects
    case = obj["support_case"]
    assert (case.label, case.plural_label, case.name_field) == ("Support case", "Support cases", "subject")
    assert case.field("subject").label == "Subject"


def test_a_misspelt_lookup_target_names_the_path_and_suggests() -> None:
    deal = {**DEAL, "fields": [*DEAL["fields"][:3], {"name": "company", "type": "lookup", "target": "compnay"}]}
    assert messages({"objects": [COMPANY, deal]}) == [
        'objects[1].fields[3].target: object "compnay" does not exist — did you mean "company"?'
    ]


def test_a_single_object_document_has_paths_from_its_root() -> None:
    doc = {"name": "deal", "fields": [{"name": "a", "type": "text"}, {"name": "b", "type": "lookup", "target": "x"}]}
    assert messages(doc) == ['fields[1].target: object "x" does not exist']


def test_every_problem_is_reported_at_once() -> None:
    doc = {"name": "t", "fields": [
        {"name": "select", "type": "text"},
        {"name": "a__b", "type": "text"},
        {"name": "owner", "type": "text"},
        {"name": "f", "type": "formula", "formula": "amount +", "result_type": "decimal"},
        {"name": "d", "type": "integer", "default": "x"},
        {"name": "x", "type": "text", "options": ["a"]},
        {"name": "z", "type": "txt"},
        {"name": "p", "type": "picklist"},
        {"name": "q", "type": "text", "lable": "Q"},
    ]}
    found = messages(doc)
    expected_starts = [
        'fields[0].name: the field name "select" is a reserved SQL word',
        'fields[1].name: "a__b" must be lower snake case',
        'fields[2].name: the field name "owner" is a system column',
        "fields[3].formula: syntax error at line 1",
        "fields[4].default: the default must be a whole number",
        'fields[5].options: "options" does not apply to text fields',
        'fields[6].type: "txt" is not a field type — did you mean "text"?',
        'fields[7]: "options" is required here',
        'fields[8]: unknown property "lable" — did you mean "label"?',
    ]
    assert len(found) == len(expected_starts), found
    for message, start in zip(found, expected_starts):
        assert message.startswith(start), (message, start)


def test_python_keywords_and_query_words_are_refused() -> None:
    found = messages({"name": "t", "fields": [{"name": "lambda", "type": "text"}, {"name": "sort", "type": "text"}]})
    assert "reserved Python word" in found[0]
    assert "query parameters" in found[1]


def test_formula_references_are_checked_across_lookups() -> None:
    deal = {**DEAL, "fields": [*DEAL["fields"],
                               {"name": "ind", "type": "formula", "formula": "company.industy", "result_type": "text"},
                               {"name": "rev", "type": "formula", "formula": "amont * 2", "result_type": "currency"}]}
    found = messages({"objects": [COMPANY, deal]})
    assert 'objects[1].fields[4].formula: refers to "company.industy", but company has no field "industy" — did you mean "industry"?' in found
    assert 'objects[1].fields[5].formula: refers to "amont", which is not a field of deal — did you mean "amount"?' in found


def test_formula_cycles_are_refused_at_definition_time() -> None:
    found = messages({"name": "t", "fields": [
        {"name": "a", "type": "formula", "formula": "b + 1", "result_type": "integer"},
        {"name": "b", "type": "formula", "formula": "a + 1", "result_type": "integer"},
    ]})
    assert found[0] == "fields[0].formula: formulas depend on each other in a cycle: a → b → a"


def test_polymorphic_columns_may_not_collide_with_other_fields() -> None:
    found = messages({"objects": [COMPANY, {"name": "activity", "fields": [
        {"name": "regarding", "type": "polymorphic_lookup", "targets": ["company"]},
        {"name": "regarding_id", "type": "integer"},
    ]}]})
    assert found == ['objects[1].fields[1].name: the column "regarding_id" it needs is already used by the field "regarding"']


def test_rollups_need_a_child_relationship_pointing_back() -> None:
    found = messages({"objects": [COMPANY, {**COMPANY, "name": "account", "fields": [
        {"name": "name", "type": "text"},
        {"name": "total", "type": "rollup", "rollup": {"child": "company", "relationship_field": "name",
                                                       "function": "sum", "field": "industry"}},
    ]}]})
    assert any("has no lookup or master_detail field" in m for m in found)
    assert any("needs a number" in m for m in found)


def test_lookup_delete_rules_are_consistent() -> None:
    found = messages({"objects": [COMPANY, {"name": "deal", "fields": [
        {"name": "c1", "type": "lookup", "target": "company", "on_delete": "cascade"},
        {"name": "c2", "type": "lookup", "target": "company", "on_delete": "set_null", "required": True},
        {"name": "c3", "type": "master_detail", "target": "company", "on_delete": "restrict"},
    ]}]})
    assert [m.split(":")[0] for m in found] == ["objects[1].fields[0].on_delete", "objects[1].fields[1].on_delete",
                                                "objects[1].fields[2].on_delete"]


def test_money_options_and_owner_are_validated_by_the_schema() -> None:
    found = messages({"name": "t", "currency": "usd", "owner": "someone", "fields": [
        {"name": "c", "type": "picklist", "options": [{"value": "A", "color": "red"}]}]})
    assert 'currency: "usd" must be a three-letter ISO 4217 currency code such as USD or EUR' in found
    assert 'owner: "someone" must be "admin", "core" or "pack:NAME@VERSION"' in found
    assert 'fields[0].options[0].color: "red" must be a colour like #1f77b4' in found


def test_renamed_from_is_a_hint_not_stored() -> None:
    loaded = load_bundle({"name": "t", "fields": [{"name": "b", "type": "text", "renamed_from": "a"}]})
    assert loaded.renames.fields == {("t", "b"): "a"}
    assert "renamed_from" not in loaded.bundle.objects["t"].fields[0].to_json()


def test_to_json_round_trips() -> None:
    bundle = load_bundle({"objects": [COMPANY, DEAL]}).bundle
    again = load_bundle(bundle.to_json()).bundle
    assert again == bundle
