"""A pack adding validation rules and workflows to another pack's object (``extensions/``): enforced once
installed, merged on upgrade, removed exactly on uninstall, and checked by file and JSON path."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from metacrm.platform.errors import Conflict, Unprocessable
from metacrm.platform.packs import PackService
from metacrm.platform.records.actor import SYSTEM
from metacrm.platform.runtime import Platform
from tests.helpers import columns
from tests.platform.packs.conftest import COMPANY, MakePack

Run = Callable[..., Any]

RULE = {"name": "retail_needs_tier", "condition": "industry != 'Retail' or tier",
        "message": "A retail company needs a tier", "fields": ["tier"]}
WORKFLOW = {"name": "default_tier", "label": "Default tier", "trigger": {"type": "created"},
            "condition": "industry == 'Tech'", "actions": [{"type": "set_field", "fields": {"tier": "Gold"}}]}


def _addon(make_pack: MakePack, version: str = "0.2.0", **extension: Any) -> Any:
    doc = {"object": "company", "fields": [{"name": "tier", "type": "text"}], "validation_rules": [RULE],
           "workflows": [WORKFLOW], **extension}
    return make_pack("addon", version, requires={"crm": "^1.0.0"}, extensions=[doc])


def test_extension_rules_and_workflows_apply_after_install_and_leave_with_the_pack(
        platform: Platform, make_pack: MakePack, install: Run, packs: PackService) -> None:
    install(make_pack("crm", "1.0.0", objects=[COMPANY]))
    install(_addon(make_pack))
    company = platform.schema.get().compiled.bundle.objects["company"]
    assert company.owner == "pack:crm@1.0.0"
    assert [(r.name, r.owner) for r in company.validation_rules] == [("retail_needs_tier", "pack:addon@0.2.0")]
    assert [(w.name, w.owner) for w in company.workflows] == [("default_tier", "pack:addon@0.2.0")]
    with pytest.raises(Unprocessable):
        platform.records.create(SYSTEM, "company", {"name": "Shop", "industry": "Retail"})
    shop = platform.records.create(SYSTEM, "company", {"name": "Shop", "industry": "Retail", "tier": "Bronze"})
    soft = platform.records.create(SYSTEM, "company", {"name": "Soft", "industry": "Tech"})
    assert platform.records.get(SYSTEM, "company", soft["id"])["tier"] == "Gold"  # the workflow ran
    assert set(packs.owned("addon")) == {"field company.tier", "validation rule company.retail_needs_tier",
                                         "workflow company.default_tier"}

    result = packs.uninstall("addon")
    assert "remove validation rule company.retail_needs_tier" in result.changes
    company = platform.schema.get().compiled.bundle.objects["company"]
    assert not company.validation_rules and not company.workflows and company.field("tier") is None
    assert "tier" not in columns(platform, "company")  # archived: the data is kept (metacrm metadata archives)
    assert any(a.field == "tier" for a in platform.metadata.archives())
    platform.records.create(SYSTEM, "company", {"name": "Shop 2", "industry": "Retail"})  # the rule left too
    assert platform.records.get(SYSTEM, "company", shop["id"])["name"] == "Shop"


def test_upgrade_changes_the_packs_item_and_keeps_the_admins_own_rule(
        platform: Platform, make_pack: MakePack, install: Run, upgrade: Run, apply: Run) -> None:
    install(make_pack("crm", "1.0.0", objects=[COMPANY]))
    install(_addon(make_pack))
    doc = platform.metadata.export("company")
    doc.pop("owner")
    doc["validation_rules"].append({"name": "named", "condition": "name", "message": "Name it"})
    apply(doc)
    upgrade(_addon(make_pack, "0.3.0", validation_rules=[{**RULE, "message": "Retail needs a tier"}],
                   workflows=[]), confirm=True)
    company = platform.schema.get().compiled.bundle.objects["company"]
    rules = {r.name: r for r in company.validation_rules}
    assert rules["retail_needs_tier"].message == "Retail needs a tier"
    assert rules["retail_needs_tier"].owner == "pack:addon@0.3.0"
    assert rules["named"].owner is None and not company.workflows


def test_an_item_name_the_object_already_has_is_refused(platform: Platform, make_pack: MakePack,
                                                        install: Run, packs: PackService) -> None:
    install(make_pack("crm", "1.0.0", objects=[{**COMPANY, "validation_rules": [
        {**RULE, "condition": "name", "fields": ["name"]}]}]))
    with pytest.raises(Conflict, match='validation rule "retail_needs_tier" already exists'):
        install(_addon(make_pack))
    assert [p.name for p in packs.installed()] == ["crm"]


def test_extension_items_are_checked_by_file_and_json_path(make_pack: MakePack, install: Run) -> None:
    install(make_pack("crm", "1.0.0", objects=[COMPANY]))
    with pytest.raises(Unprocessable) as exc:
        install(_addon(make_pack, validation_rules=[{**RULE, "condition": "tier =="}]))
    paths = [e["path"] for e in exc.value.extra["errors"]]
    assert "extensions/00_company.json: validation_rules[0].condition" in paths
    with pytest.raises(Unprocessable) as exc:
        install(make_pack("addon2", "0.1.0", extensions=[{"object": "company", "sharing": "private",
                                                          "workflows": [WORKFLOW, WORKFLOW]}]))
    paths = [e["path"] for e in exc.value.extra["errors"]]
    assert paths == ["extensions/00_company.json: sharing", "extensions/00_company.json: workflows[1].name"]
