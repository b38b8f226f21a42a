"""Extension items: validation rules, workflows, list views and layouts a pack adds to another pack's
object — extracted, merged three ways, removed and listed by owner. Pure, no database."""

from __future__ import annotations

import pytest

from metacrm.metadata.layering import (
    LayerError, empty_layer, extract_layer, merge_layer, normalise_layer, owned_items, remove_layer,
)

BASE = "pack:base@1.0.0"
V1, V2 = "pack:ext@1.0.0", "pack:ext@1.1.0"


def _rule(name: str, condition: str = "email or phone", **props: object) -> dict:
    return {"name": name, "condition": condition, "message": "Needs a way to reach them", "fields": ["email"],
            **props}


def _wf(name: str, **props: object) -> dict:
    return {"name": name, "label": name.title(), "trigger": {"type": "created"},
            "actions": [{"type": "set_field", "fields": {"stage": "New"}}], **props}


def _contact(*rules: dict, workflows: tuple[dict, ...] = (), **props: object) -> dict:
    return {"name": "contact", "label": "Contact", "plural_label": "Contacts", "owner": BASE,
            "fields": [{"name": "email", "type": "email"}, {"name": "phone", "type": "phone"}],
            "validation_rules": list(rules), "workflows": list(workflows), **props}


def _layer(**kinds: list[dict]) -> dict:
    return {**empty_layer(), "extensions": {"contact": {k: {i["name"]: i for i in v} for k, v in kinds.items()}}}


def _install(live: dict, layer: dict, owner: str = V1, old: dict | None = None):
    return merge_layer(live, old or empty_layer(), layer, owner=owner, prefix="pack:ext@")


def _by_name(obj: dict, kind: str) -> dict:
    return {i["name"]: i for i in obj.get(kind, [])}


def test_install_stamps_items_with_the_extending_pack_and_extract_finds_them_again() -> None:
    live = {"objects": [_contact(_rule("base_rule"))]}
    layer = _layer(validation_rules=[_rule("needs_contact")], workflows=[_wf("welcome")],
                   list_views=[{"name": "buyers", "label": "Buyers", "columns": ["email"]}])
    result = _install(live, layer)
    (contact,) = result.bundle["objects"]
    rules = _by_name(contact, "validation_rules")
    assert rules["needs_contact"]["owner"] == V1 and "owner" not in rules["base_rule"]
    assert _by_name(contact, "workflows")["welcome"]["owner"] == V1
    assert _by_name(contact, "list_views")["buyers"]["owner"] == V1
    assert 'add validation rule objects["contact"].validation_rules["needs_contact"]' in result.changes
    extracted = extract_layer(result.bundle, V1)
    assert extracted["extensions"] == {"contact": {
        "validation_rules": {"needs_contact": _rule("needs_contact")}, "workflows": {"welcome": _wf("welcome")},
        "list_views": {"buyers": {"name": "buyers", "label": "Buyers", "columns": ["email"]}}}}
    # the owning pack's layer leaves the extension's items out
    assert set(_by_name(extract_layer(result.bundle, BASE)["objects"]["contact"], "validation_rules")) == {"base_rule"}


def test_upgrade_keeps_the_admins_edit_takes_the_packs_and_reports_conflicts() -> None:
    old = _layer(validation_rules=[_rule("a"), _rule("b"), _rule("dropped")])
    new = _layer(validation_rules=[_rule("a", message="New message"), _rule("b", condition="email"),
                                   _rule("added")])
    live_rules = [_rule("a", owner=V1, when="create"),                 # admin changed "when" only
                  _rule("b", condition="phone", owner=V1),             # admin and pack both changed it
                  _rule("dropped", owner=V1), _rule("mine")]           # "mine": the admin's own rule
    result = _install({"objects": [_contact(*live_rules)]}, new, owner=V2, old=old)
    rules = _by_name(result.bundle["objects"][0], "validation_rules")
    assert set(rules) == {"a", "b", "added", "mine"}
    assert rules["a"] == _rule("a", message="New message", when="create", owner=V2)
    assert rules["b"]["condition"] == "phone" and rules["b"]["owner"] == V2
    assert rules["added"]["owner"] == V2 and "owner" not in rules["mine"]
    assert [c.path for c in result.conflicts] == ['objects["contact"].validation_rules["b"].condition']
    assert 'remove validation rule objects["contact"].dropped' in result.changes


def test_a_dropped_item_the_admin_changed_is_kept_and_one_the_admin_removed_is_not_recreated() -> None:
    old = _layer(workflows=[_wf("changed"), _wf("gone")], validation_rules=[_rule("r")])
    new = _layer(workflows=[_wf("gone", label="Gone v2")], validation_rules=[_rule("r")])
    live = {"objects": [_contact(_rule("r", owner=V1), workflows=(_wf("changed", label="Mine", owner=V1),))]}
    result = _install(live, new, owner=V2, old=old)
    workflows = _by_name(result.bundle["objects"][0], "workflows")
    assert set(workflows) == {"changed"} and workflows["changed"]["label"] == "Mine"
    assert {c.path for c in result.conflicts} == {'objects["contact"].workflows["changed"]',
                                                 'objects["contact"].workflows["gone"]'}


def test_a_name_already_taken_on_the_object_is_refused() -> None:
    live = {"objects": [_contact(_rule("taken"))]}  # the object's owner (base) holds it
    with pytest.raises(LayerError, match='validation rule "taken" already exists .*owned by pack:base@1.0.0'):
        _install(live, _layer(validation_rules=[_rule("taken")]))
    admins = {"objects": [_contact(workflows=(_wf("taken", owner="admin"),))]}
    with pytest.raises(LayerError, match="owned by admin"):
        _install(admins, _layer(workflows=[_wf("taken")]))


def test_upgrading_the_owning_pack_merges_item_by_item_and_leaves_extensions_and_admin_items() -> None:
    """base's new version changes its own rule; the extension's rule and the admin's stay untouched."""
    base_old = {**empty_layer(), "objects": {"contact": extract_layer({"objects": [_contact(_rule("base_rule"))]},
                                                                      BASE)["objects"]["contact"]}}
    base_new = {**empty_layer(), "objects": {"contact": {**base_old["objects"]["contact"],
                                                         "validation_rules": [_rule("base_rule", message="v2")]}}}
    live = {"objects": [_contact(_rule("base_rule"), _rule("ext_rule", owner=V1), _rule("admin_rule"))]}
    result = merge_layer(live, base_old, base_new, owner="pack:base@1.1.0", prefix="pack:base@")
    rules = _by_name(result.bundle["objects"][0], "validation_rules")
    assert list(rules) == ["base_rule", "ext_rule", "admin_rule"] and not result.conflicts
    assert rules["base_rule"]["message"] == "v2" and rules["ext_rule"]["owner"] == V1


def test_remove_and_owned_items_take_exactly_the_packs_items() -> None:
    live = {"objects": [_contact(_rule("base_rule"), _rule("ext_rule", owner=V1), _rule("admin_rule"),
                                 workflows=(_wf("welcome", owner=V1),),
                                 layouts=[{"name": "agent", "sections": [], "owner": V1}])]}
    live["objects"][0]["fields"].append({"name": "client_stage", "type": "text", "owner": V1})
    assert owned_items(live, "pack:ext@") == ["field contact.client_stage", "validation rule contact.ext_rule",
                                              "workflow contact.welcome", "layout contact.agent"]
    (contact,) = remove_layer(live, "pack:ext@")["objects"]
    assert [r["name"] for r in contact["validation_rules"]] == ["base_rule", "admin_rule"]
    assert contact["workflows"] == [] and contact["layouts"] == []
    assert [f["name"] for f in contact["fields"]] == ["email", "phone"]


def test_layers_stored_before_extension_items_still_merge() -> None:
    """A registry row written by an older version keeps extension fields as {object: {field: doc}}."""
    legacy = {**empty_layer(), "extensions": {"contact": {"stage": {"name": "stage", "type": "text"}}}}
    assert normalise_layer(legacy)["extensions"] == {"contact": {"fields": {"stage": {"name": "stage", "type": "text"}}}}
    new = _layer(fields=[{"name": "stage", "type": "text", "label": "Stage"}], validation_rules=[_rule("r")])
    live = {"objects": [_contact()]}
    live["objects"][0]["fields"].append({"name": "stage", "type": "text", "owner": V1})
    result = _install(live, new, owner=V2, old=legacy)
    contact = result.bundle["objects"][0]
    assert _by_name(contact, "fields")["stage"] == {"name": "stage", "type": "text", "label": "Stage", "owner": V2}
    assert _by_name(contact, "validation_rules")["r"]["owner"] == V2 and not result.conflicts


def test_an_item_someone_else_took_over_is_left_alone_and_the_packs_change_reported() -> None:
    """An admin who rewrote the pack's rule without its owner made it the object owner's: the upgrade says so."""
    old, new = _layer(validation_rules=[_rule("r")]), _layer(validation_rules=[_rule("r", message="v2")])
    live = {"objects": [_contact(_rule("r", message="Admin's"))]}
    result = _install(live, new, owner=V2, old=old)
    assert result.bundle["objects"][0]["validation_rules"] == [_rule("r", message="Admin's")]
    assert [str(c) for c in result.conflicts] == [
        'objects["contact"].validation_rules["r"]: was taken over by pack:base@1.0.0; the pack\'s changes were '
        "not applied"]
