"""Upgrading (three-way merge keeping the admin's changes) and uninstalling (archive, purge, dependencies)."""

from __future__ import annotations

import copy
from typing import Any, Callable

import pytest

from metacrm.platform.errors import Conflict, NotFound, Unprocessable
from metacrm.platform.packs import PackService
from metacrm.platform.runtime import Platform
from tests.helpers import columns, select_all, tables
from tests.platform.packs.conftest import COMPANY, DEMO, PERSON, MakePack

Run = Callable[..., Any]


def _v2() -> list[dict[str, Any]]:
    company = copy.deepcopy(COMPANY)
    company["label"] = "Organisation"  # changed by the new version
    company["fields"][1]["options"] = ["Tech", "Retail", "Energy"]
    company["fields"].append({"name": "website", "type": "url"})
    person = copy.deepcopy(PERSON)
    person["fields"] = [f for f in person["fields"] if f["name"] != "met_on"]  # dropped by the new version
    return [company, person]


def test_upgrade_applies_only_the_difference_and_restamps_ownership(platform: Platform, make_pack: MakePack,
                                                                     install: Run, upgrade: Run,
                                                                     packs: PackService) -> None:
    install(make_pack("crm", "1.0.0", objects=[COMPANY, PERSON]))
    result = upgrade(make_pack("crm", "1.1.0", objects=_v2()), confirm=True)
    kinds = sorted(op.kind for op in result.plan.operations)
    assert "create_object" not in kinds and "add_field" in kinds and "remove_field" in kinds
    bundle = platform.schema.get().compiled.bundle
    company = bundle.objects["company"]
    assert company.label == "Organisation" and company.field("website") is not None
    assert company.field("industry").option_values == ("Tech", "Retail", "Energy")
    assert {company.owner, *(f.owner for f in company.fields)} == {"pack:crm@1.1.0"}
    assert bundle.objects["person"].field("met_on") is None
    assert packs.get("crm").version == "1.1.0" and result.conflicts == []


def test_upgrade_keeps_admin_fields_and_admin_changes_the_new_version_does_not_touch(
        platform: Platform, make_pack: MakePack, install: Run, upgrade: Run, apply: Run) -> None:
    install(make_pack("crm", "1.0.0", objects=[COMPANY, PERSON]))
    # The admin edits the pack's object without repeating "owner": it stays the pack's.
    doc = platform.metadata.export("company")
    doc.pop("owner")
    doc["fields"].append({"name": "vip", "type": "boolean"})
    doc["fields"][0]["label"] = "Company name"
    apply(doc)
    company = platform.schema.get().compiled.bundle.objects["company"]
    assert company.owner == "pack:crm@1.0.0" and company.field("vip").owner == "admin"
    assert company.field("name").owner == "pack:crm@1.0.0"
    result = upgrade(make_pack("crm", "1.1.0", objects=_v2()), confirm=True)
    company = platform.schema.get().compiled.bundle.objects["company"]
    assert company.field("vip").owner == "admin"
    assert company.field("name").label == "Company name"  # the admin's change, untouched by 1.1.0
    assert company.label == "Organisation"
    assert result.conflicts == []
    assert "vip" in columns(platform, "company")


def test_a_property_both_sides_changed_is_a_conflict_and_the_admins_value_wins(
        platform: Platform, make_pack: MakePack, install: Run, upgrade: Run, apply: Run) -> None:
    install(make_pack("crm", "1.0.0", objects=[COMPANY, PERSON]))
    doc = platform.metadata.export("company")
    doc["label"] = "Customer"
    apply(doc)
    result = upgrade(make_pack("crm", "1.1.0", objects=_v2()), confirm=True)
    assert [c.path for c in result.conflicts] == ['objects["company"].label']
    assert "'Customer'" in result.conflicts[0].message and "'Organisation'" in result.conflicts[0].message
    company = platform.schema.get().compiled.bundle.objects["company"]
    assert company.label == "Customer" and company.field("website") is not None


def test_upgrade_dry_run_reports_conflicts_and_changes_nothing(platform: Platform, make_pack: MakePack,
                                                               install: Run, upgrade: Run, apply: Run,
                                                               packs: PackService) -> None:
    install(make_pack("crm", "1.0.0", objects=[COMPANY, PERSON]))
    doc = platform.metadata.export("company")
    doc["label"] = "Customer"
    apply(doc)
    head = platform.metadata.history(1)[0].id
    result = upgrade(make_pack("crm", "1.1.0", objects=_v2()), dry_run=True)
    assert result.action == "planned" and len(result.conflicts) == 1
    assert platform.metadata.history(1)[0].id == head and packs.get("crm").version == "1.0.0"


def test_upgrade_refuses_downgrades_and_uninstalled_packs(make_pack: MakePack, install: Run, upgrade: Run) -> None:
    with pytest.raises(NotFound):
        upgrade(make_pack("crm", "1.0.0", objects=[COMPANY]))
    install(make_pack("crm", "2.0.0", objects=[COMPANY]))
    with pytest.raises(Conflict, match="older"):
        upgrade(make_pack("crm", "1.5.0", objects=[COMPANY]))


def test_upgrade_outside_a_dependants_range_is_refused(make_pack: MakePack, install: Run, upgrade: Run) -> None:
    install(make_pack("crm", "1.0.0", objects=[COMPANY]))
    install(make_pack("addon", "1.0.0", requires={"crm": "~1.0.0"},
                      extensions=[{"object": "company", "fields": [{"name": "tier", "type": "text"}]}]))
    with pytest.raises(Conflict, match="addon requires crm ~1.0.0"):
        upgrade(make_pack("crm", "1.1.0", objects=[COMPANY]))


def test_uninstall_archives_what_the_pack_owns_and_keeps_the_data(platform: Platform, make_pack: MakePack,
                                                                  install: Run, packs: PackService) -> None:
    path = make_pack("crm", "1.0.0", objects=[COMPANY, PERSON], demo=DEMO)
    install(path, demo=True)
    result = packs.uninstall("crm")
    assert result.action == "uninstalled" and result.applied.kind == "pack"
    assert not {"obj_company", "obj_person"} & tables(platform)
    archived = {a.object for a in platform.metadata.archives()}
    assert archived == {"company", "person"}
    assert packs.installed() == []
    # Reinstalling creates fresh tables beside the archives and loads the demo again.
    again = install(path, demo=True)
    assert again.demo.created == {"company": 2, "person": 1}


def test_uninstall_purge_drops_the_archives(platform: Platform, make_pack: MakePack, install: Run,
                                            packs: PackService) -> None:
    install(make_pack("crm", "1.0.0", objects=[COMPANY, PERSON], demo=DEMO), demo=True)
    result = packs.uninstall("crm", purge=True)
    assert sorted(result.purged) == ["company", "person"]
    assert platform.metadata.archives() == []
    assert not any(t.startswith("arc_") for t in tables(platform))


def test_uninstall_removes_only_the_packs_items(platform: Platform, make_pack: MakePack, install: Run,
                                                packs: PackService, apply: Run) -> None:
    install(make_pack("crm", "1.0.0", objects=[COMPANY]))
    install(make_pack("addon", "1.0.0", requires={"crm": "1.x"},
                      objects=[{"name": "badge", "fields": [{"name": "title", "type": "text"}]}],
                      extensions=[{"object": "company", "fields": [{"name": "tier", "type": "text"}]}],
                      roles=[{"name": "badger", "objects": {"badge": {"read": True}}}]))
    apply({"name": "note", "fields": [{"name": "body", "type": "text"}]})
    with pytest.raises(Conflict, match="required by addon"):
        packs.uninstall("crm")
    packs.uninstall("addon")
    bundle = platform.schema.get().compiled.bundle
    assert "badge" not in bundle.objects and "badger" not in bundle.roles
    assert bundle.objects["company"].field("tier") is None and bundle.objects["company"].field("name")
    assert "note" in bundle.objects
    assert [p.name for p in packs.installed()] == ["crm"]


def test_uninstall_is_refused_while_an_admin_object_points_at_a_pack_object(make_pack: MakePack, install: Run,
                                                                           packs: PackService, apply: Run) -> None:
    install(make_pack("crm", "1.0.0", objects=[COMPANY]))
    apply({"name": "invoice", "fields": [{"name": "company", "type": "lookup", "target": "company"}]})
    with pytest.raises(Unprocessable, match="cannot be uninstalled") as exc:
        packs.uninstall("crm")
    assert exc.value.extra["errors"][0]["path"] == 'objects["invoice"].fields[0].target'
    assert packs.get("crm") is not None
