"""Pack manifests, version ranges and the three-way merge of pack layers — pure, no database."""

from __future__ import annotations

import pytest

from metacrm.metadata.errors import MetadataError
from metacrm.metadata.layering import LayerError, empty_layer, extract_layer, merge_layer, remove_layer
from metacrm.metadata.packs import Version, load_manifest, satisfies


@pytest.mark.parametrize("version, spec, ok", [
    ("1.2.3", "*", True), ("1.2.3", "1.2.3", True), ("1.2.4", "1.2.3", False),
    ("1.9.0", "1.x", True), ("2.0.0", "1.x", False), ("1.2.9", "~1.2.0", True), ("1.3.0", "~1.2.0", False),
    ("1.9.0", "^1.2.0", True), ("2.0.0", "^1.2.0", False), ("0.2.5", "^0.2.1", True), ("0.3.0", "^0.2.1", False),
    ("1.5.0", ">=1.0.0 <2.0.0", True), ("2.0.0", ">=1.0.0 <2.0.0", False), ("0.9.0", ">=1.0.0", False),
    ("3.1.0", "^1.0.0 || ^3.0.0", True), ("1.0.0-rc1", ">=1.0.0", False), ("1.0.0", ">1.0.0-rc1", True),
])
def test_version_ranges(version: str, spec: str, ok: bool) -> None:
    assert satisfies(version, spec) is ok


def test_versions_order_numerically() -> None:
    assert Version.parse("1.10.0") > Version.parse("1.9.9") > Version.parse("1.9.9-beta")


def test_manifest_errors_have_json_paths() -> None:
    with pytest.raises(MetadataError) as exc:
        load_manifest({"name": "crm", "version": "one", "requires": {"base": "banana"}, "extra": 1})
    paths = {i.path for i in exc.value.issues}
    assert {"pack.json: version", "pack.json: requires.base", "pack.json"} <= paths
    manifest = load_manifest({"name": "crm", "label": "CRM", "version": "1.0.0", "requires": {"base": "^1.0.0"}})
    assert manifest.owner == "pack:crm@1.0.0" and dict(manifest.requires) == {"base": "^1.0.0"}


def _obj(name: str, *fields: dict, owner: str = "pack:p@1.0.0", **props: object) -> dict:
    return {"name": name, "label": name.title(), "plural_label": name.title() + "s", "owner": owner,
            "fields": list(fields), **props}


def _f(name: str, **props: object) -> dict:
    return {"name": name, "type": "text", "label": name.title(), **props}


def test_merge_three_ways_per_property() -> None:
    old = {"objects": {"deal": {k: v for k, v in _obj("deal", _f("a"), _f("b")).items() if k != "owner"}},
           "extensions": {}, "roles": {}}
    new = {"objects": {"deal": {**old["objects"]["deal"], "label": "Deal (v2)", "icon": "star",
                                "fields": [_f("a", label="A2"), _f("c")]}}, "extensions": {}, "roles": {}}
    live = {"objects": [_obj("deal", _f("a", label="Mine"), _f("b"), _f("x", owner="admin"), icon="heart")]}
    result = merge_layer(live, old, new, owner="pack:p@2.0.0", prefix="pack:p@")
    (deal,) = result.bundle["objects"]
    assert deal["label"] == "Deal (v2)" and deal["icon"] == "heart" and deal["owner"] == "pack:p@2.0.0"
    fields = {f["name"]: f for f in deal["fields"]}
    assert set(fields) == {"a", "x", "c"}  # b dropped by the pack, x the admin's, c new
    assert fields["a"]["label"] == "Mine" and fields["x"]["owner"] == "admin"
    assert [c.path for c in result.conflicts] == ['objects["deal"].icon', 'objects["deal"].fields["a"].label']


def test_layers_extract_and_remove_by_owner() -> None:
    bundle = {"objects": [_obj("deal", _f("a"), _f("x", owner="admin")),
                          _obj("note", _f("t"), _f("ext", owner="pack:p@1.0.0"), owner="admin")],
              "roles": [{"name": "r", "label": "R", "owner": "pack:p@1.0.0", "objects": {}}]}
    layer = extract_layer(bundle, "pack:p@1.0.0")
    assert [f["name"] for f in layer["objects"]["deal"]["fields"]] == ["a"]
    assert set(layer["extensions"]["note"]["fields"]) == {"ext"} and set(layer["roles"]) == {"r"}
    left = remove_layer(bundle, "pack:p@")
    assert [o["name"] for o in left["objects"]] == ["note"] and left["roles"] == []
    assert [f["name"] for f in left["objects"][0]["fields"]] == ["t"]


def test_a_name_taken_by_someone_else_cannot_be_merged() -> None:
    new = {**empty_layer(), "objects": {"deal": _obj("deal", _f("a"))}}
    with pytest.raises(LayerError, match="owned by admin"):
        merge_layer({"objects": [_obj("deal", owner="admin")]}, empty_layer(), new, owner="pack:p@1.0.0",
                    prefix="pack:p@")
