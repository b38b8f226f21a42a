"""Editors put an edited item back in place, and an item a pack added stays the pack's."""

from __future__ import annotations

from metacrm.admin.item_lists import with_item

DOC = {"name": "contact", "validation_rules": [
    {"name": "a", "condition": "True", "message": "A"},
    {"name": "b", "condition": "True", "message": "B", "owner": "pack:real_estate@0.1.1"}]}


def test_an_edited_item_keeps_its_place_and_its_pack_owner() -> None:
    edited = with_item(DOC, "validation_rules", "b", {"name": "b", "condition": "False", "message": "B2"})
    assert edited["validation_rules"][1] == {"name": "b", "condition": "False", "message": "B2",
                                             "owner": "pack:real_estate@0.1.1"}
    assert DOC["validation_rules"][1]["condition"] == "True"  # the document given is not changed


def test_a_renamed_item_replaces_the_original_and_a_new_one_goes_last() -> None:
    renamed = with_item(DOC, "validation_rules", "a", {"name": "c", "condition": "True", "message": "C"})
    assert [r["name"] for r in renamed["validation_rules"]] == ["c", "b"]
    added = with_item(DOC, "validation_rules", "", {"name": "d", "condition": "True", "message": "D"})
    assert [r["name"] for r in added["validation_rules"]] == ["a", "b", "d"]
    assert with_item({"name": "x"}, "workflows", "", {"name": "w"})["workflows"] == [{"name": "w"}]
