"""An admin's customisations exported as a pack on one database and installed on another: the consultant's
delivery format. Upgrades and uninstalls of the delivered pack behave like any pack's."""

from __future__ import annotations

import json
import uuid
import zipfile
from pathlib import Path
from typing import Any, Iterator

import pytest
import sqlalchemy as sa

from metacrm.platform.errors import Conflict, Unprocessable
from metacrm.platform.packs import PackService, export, open_pack
from metacrm.platform.records import Actor
from metacrm.platform.records.actor import SYSTEM
from metacrm.platform.runtime import Platform
from tests.conftest import _base_url, fld, make_object


@pytest.fixture
def other(tmp_path: Path, pg_engine: sa.Engine | None) -> Iterator[Platform]:
    """A second, fresh instance with base_crm installed (a client's database)."""
    if pg_engine is None:
        url = f"sqlite:///{tmp_path / 'client.db'}"
    else:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        with pg_engine.connect() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        sep = "&" if "?" in _base_url() else "?"  # type: ignore[operator]
        url = f"{_base_url()}{sep}options=-csearch_path%3D{schema}"
    p = Platform.from_url(url, migrate=True)
    with open_pack("base_crm") as source:
        PackService(p.metadata, p.records).install(source)
    yield p
    p.engine.dispose()
    if pg_engine is not None:
        with pg_engine.connect() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def customised(platform: Platform, apply: Any) -> Platform:
    """base_crm plus an admin's own object (looking up accounts), a field on opportunity and a role."""
    with open_pack("base_crm") as source:
        PackService(platform.metadata, platform.records).install(source)
    bundle = platform.schema.get().compiled.bundle
    opp = bundle.objects["opportunity"].to_json()
    opp.pop("owner")
    opp["fields"].append({"name": "tender_ref", "type": "text", "label": "Tender reference"})
    tender = make_object("tender", fld("title", required=True), fld("account", "lookup", target="account"))
    tender["workflows"] = [{"name": "flag", "label": "Flag", "trigger": {"type": "created"},
                            "actions": [{"type": "set_field", "fields": {"title": "=upper(title)"}}]}]
    role = {"name": "bid_manager", "label": "Bid manager", "objects": {"tender": {"read": True, "create": True}}}
    apply({"objects": [opp, tender], "roles": [role]})
    return platform


def test_the_export_holds_the_admins_items_and_requires_what_they_build_on(customised: Platform) -> None:
    files = PackService(customised.metadata, customised.records).export("tenders", "1.0.0", label="Tenders")
    assert sorted(files) == ["extensions/opportunity.json", "objects/tender.json", "pack.json",
                             "roles/bid_manager.json"]
    base = PackService(customised.metadata, customised.records).get("base_crm").version
    assert files["pack.json"] == {"name": "tenders", "label": "Tenders", "version": "1.0.0",
                                  "requires": {"base_crm": f">={base}"}}
    assert [f["name"] for f in files["extensions/opportunity.json"]["fields"]] == ["tender_ref"]
    assert "owner" not in files["objects/tender.json"]
    assert [w["name"] for w in files["objects/tender.json"]["workflows"]] == ["flag"]


def test_exported_on_one_database_and_installed_on_another(customised: Platform, other: Platform,
                                                           tmp_path: Path) -> None:
    files = PackService(customised.metadata, customised.records).export("tenders", "1.0.0")
    archive = export.write(files, tmp_path / "tenders.zip")
    assert zipfile.is_zipfile(archive)
    packs = PackService(other.metadata, other.records)
    with open_pack(str(archive)) as source:
        assert packs.install(source).action == "installed"
    bundle = other.schema.get().compiled.bundle
    assert bundle.objects["tender"].owner == "pack:tenders@1.0.0"
    assert bundle.objects["opportunity"].field("tender_ref").owner == "pack:tenders@1.0.0"
    assert bundle.roles["bid_manager"].owner == "pack:tenders@1.0.0"
    manager = Actor.from_user(other.users.create("bm@example.com", "a long enough password", roles=["bid_manager"]))
    made = other.records.create(manager, "tender", {"title": "bridge"})
    assert other.records.get(SYSTEM, "tender", made["id"])["title"] == "BRIDGE"  # its workflow came along
    # A new delivery upgrades it; uninstalling removes exactly what it brought.
    files["pack.json"]["version"] = "1.1.0"
    files["objects/tender.json"]["fields"].append({"name": "deadline", "type": "date"})
    export.write(files, tmp_path / "tenders-1.1")
    with open_pack(str(tmp_path / "tenders-1.1")) as source:
        assert packs.upgrade(source, confirm=True).action == "upgraded"
    assert other.schema.get().compiled.bundle.objects["tender"].field("deadline") is not None
    packs.uninstall("tenders")
    bundle = other.schema.get().compiled.bundle
    assert "tender" not in bundle.objects and bundle.objects["opportunity"].field("tender_ref") is None
    assert "bid_manager" not in bundle.roles and packs.get("base_crm") is not None


def test_choosing_items_and_refusing_what_cannot_be_a_pack(customised: Platform) -> None:
    packs = PackService(customised.metadata, customised.records)
    only = packs.export("opp_extras", "0.1.0", objects=["opportunity"], roles=[])
    assert sorted(only) == ["extensions/opportunity.json", "pack.json"]
    with pytest.raises(Unprocessable) as unknown:
        packs.export("x", "1.0.0", objects=["account"], roles=[])
    assert '"account" is not an object, extended object or role the admin owns' in str(unknown.value.extra)
    with pytest.raises(Unprocessable):
        packs.export("x", "one", objects=None)
    with pytest.raises(Conflict):
        packs.export("base_crm", "9.0.0")


def test_rules_and_workflows_the_admin_added_to_a_base_crm_object_are_exported_and_install_elsewhere(
        customised: Platform, other: Platform, apply: Any, tmp_path: Path) -> None:
    """The admin UI writes items into base_crm's opportunity without an owner; the export tells them from
    base_crm's own (stage_defaults, …) by base_crm's installed layer and delivers them as an extension."""
    opp = customised.schema.get().compiled.bundle.objects["opportunity"].to_json()
    opp.pop("owner")
    opp["validation_rules"] = [{"name": "no_negative_amount", "condition": "amount is None or amount >= 0",
                                "message": "The amount cannot be negative", "fields": ["amount"]}]
    opp["workflows"].append({"name": "tag_tender", "label": "Tag tender", "trigger": {"type": "created"},
                             "condition": "tender_ref", "actions": [{"type": "set_field",
                                                                     "fields": {"next_step": "Prepare the bid"}}]})
    apply(opp)
    files = PackService(customised.metadata, customised.records).export("tenders", "1.0.0")
    extension = files["extensions/opportunity.json"]
    assert [f["name"] for f in extension["fields"]] == ["tender_ref"]
    assert [r["name"] for r in extension["validation_rules"]] == ["no_negative_amount"]
    assert [w["name"] for w in extension["workflows"]] == ["tag_tender"]  # not base_crm's stage_defaults
    assert "owner" not in extension["workflows"][0]

    export.write(files, tmp_path / "tenders")
    packs = PackService(other.metadata, other.records)
    with open_pack(str(tmp_path / "tenders")) as source:
        assert packs.install(source).action == "installed"
    opportunity = other.schema.get().compiled.bundle.objects["opportunity"]
    assert {r.name: r.owner for r in opportunity.validation_rules} == {"no_negative_amount": "pack:tenders@1.0.0"}
    owners = {w.name: w.owner for w in opportunity.workflows}
    assert owners["tag_tender"] == "pack:tenders@1.0.0" and owners["stage_defaults"] is None
    deal = {"name": "Bridge", "stage": "Prospecting", "close_date": "2030-01-31", "tender_ref": "T-1"}
    with pytest.raises(Unprocessable):
        other.records.create(SYSTEM, "opportunity", {**deal, "amount": "-5"})
    made = other.records.create(SYSTEM, "opportunity", deal)
    assert other.records.get(SYSTEM, "opportunity", made["id"])["next_step"] == "Prepare the bid"
    packs.uninstall("tenders")
    opportunity = other.schema.get().compiled.bundle.objects["opportunity"]
    assert not opportunity.validation_rules and "tag_tender" not in {w.name for w in opportunity.workflows}
    assert "stage_defaults" in {w.name for w in opportunity.workflows}
