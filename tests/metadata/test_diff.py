"""Diffing two bundles yields typed operations; impact analysis refuses dangling references."""

from __future__ import annotations

from typing import Any

from metacrm.metadata import MetadataBundle, diff, impact, load_bundle

COMPANY = {"name": "company", "fields": [{"name": "name", "type": "text"},
                                         {"name": "industry", "type": "picklist", "options": ["Tech", "Retail"]}]}
DEAL = {"name": "deal", "fields": [
    {"name": "title", "type": "text"},
    {"name": "amount", "type": "currency"},
    {"name": "company", "type": "lookup", "target": "company"},
    {"name": "ind", "type": "formula", "formula": "company.industry", "result_type": "text"},
]}


def bundle(*objects: dict[str, Any]) -> Any:
    return load_bundle({"objects": list(objects)})


def kinds(old: Any, new: Any) -> list[tuple[str, str, str | None, bool]]:
    loaded = new if hasattr(new, "renames") else None
    ops = diff(old, loaded.bundle if loaded else new, loaded.renames if loaded else None)
    return [(op.kind, op.object, op.field, op.destructive) for op in ops]


def test_creating_objects_with_indexes() -> None:
    new = bundle(COMPANY, {**DEAL, "fields": [*DEAL["fields"], {"name": "code", "type": "text", "unique": True}]})
    assert kinds(MetadataBundle(), new) == [
        ("create_object", "company", None, False), ("create_object", "deal", None, False),
        ("add_index", "deal", "code", False)]


def test_field_level_changes() -> None:
    old = bundle(COMPANY).bundle
    new = bundle({"name": "company", "fields": [
        {"name": "full_name", "type": "text", "renamed_from": "name", "label": "Full name"},
        {"name": "industry", "type": "picklist", "options": ["Tech"], "indexed": True},
        {"name": "employees", "type": "integer"},
    ]})
    assert kinds(old, new) == [
        ("update_object", "company", None, False),  # its derived name field follows the rename
        ("rename_field", "company", "full_name", False),
        ("add_field", "company", "employees", False),
        ("update_field", "company", "full_name", False),
        ("change_picklist", "company", "industry", True),
        ("add_index", "company", "industry", False),
    ]


def test_type_changes_and_removals_are_destructive() -> None:
    old = bundle(COMPANY).bundle
    new = bundle({"name": "company", "name_field": "name", "fields": [{"name": "name", "type": "long_text"}]})
    assert kinds(old, new) == [("change_field_type", "company", "name", True),
                               ("remove_field", "company", "industry", True)]
    assert kinds(old, MetadataBundle()) == [("remove_object", "company", None, True)]


def test_identical_bundles_diff_to_nothing() -> None:
    b = bundle(COMPANY, DEAL).bundle
    assert diff(b, b) == []


def test_removing_a_field_a_formula_reads_is_refused_with_the_dependant() -> None:
    old = bundle(COMPANY, DEAL).bundle
    new = old.with_object(bundle({"name": "company", "fields": [{"name": "name", "type": "text"}]}).bundle.objects["company"])
    issues = impact(old, new, diff(old, new))
    assert [str(i) for i in issues] == [
        'objects["deal"].fields["ind"]: field "company.industry" is removed or renamed, but formula deal.ind '
        "still uses it; change or remove it in the same plan"]


def test_removing_an_object_a_lookup_targets_is_refused() -> None:
    old = bundle(COMPANY, DEAL).bundle
    new = old.without_object("company")
    messages = [str(i) for i in impact(old, new, diff(old, new))]
    assert any("lookup deal.company → company" in m for m in messages)


def test_dependants_changed_in_the_same_plan_are_fine() -> None:
    old = bundle(COMPANY, DEAL).bundle
    new = bundle({"name": "company", "fields": [{"name": "name", "type": "text"}]},
                 {**DEAL, "fields": DEAL["fields"][:3]}).bundle
    assert impact(old, new, diff(old, new)) == []


def test_retyping_a_field_in_use_is_refused_unless_the_dependant_changes() -> None:
    old = bundle(COMPANY, DEAL).bundle
    retyped = {"name": "company", "fields": [{"name": "name", "type": "text"}, {"name": "industry", "type": "text"}]}
    new = bundle(retyped, DEAL).bundle
    assert any("whose type changes" in str(i) for i in impact(old, new, diff(old, new)))
