"""Installing packs: plan/apply with pack ownership, requirements, demo data, re-install, existing data."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Callable

import pytest

from metacrm.platform.errors import Conflict, NotFound, Unprocessable
from metacrm.platform.packs import PackService
from metacrm.platform.runtime import Platform
from tests.helpers import select_all, tables
from tests.platform.packs.conftest import COMPANY, DEMO, PERSON, MakePack

Run = Callable[..., Any]


def test_install_creates_pack_owned_objects_and_records_a_pack_version(platform: Platform, make_pack: MakePack,
                                                                        install: Run, packs: PackService) -> None:
    result = install(make_pack("crm", "1.0.0", objects=[COMPANY, PERSON],
                               roles=[{"name": "seller", "objects": {"company": {"read": True}}}]))
    assert result.action == "installed" and result.applied.kind == "pack"
    assert result.applied.reason == "install pack crm 1.0.0"
    bundle = platform.schema.get().compiled.bundle
    assert bundle.objects["company"].owner == "pack:crm@1.0.0"
    assert {f.owner for f in bundle.objects["person"].fields} == {"pack:crm@1.0.0"}
    assert bundle.roles["seller"].owner == "pack:crm@1.0.0"
    assert {"obj_company", "obj_person"} <= tables(platform)
    (installed,) = packs.installed()
    assert (installed.name, installed.version, installed.meta_version) == ("crm", "1.0.0", result.applied.id)
    assert set(installed.definitions["objects"]) == {"company", "person"}


def test_dry_run_plans_without_changing_anything(platform: Platform, make_pack: MakePack, install: Run,
                                                 packs: PackService) -> None:
    result = install(make_pack("crm", "1.0.0", objects=[COMPANY]), dry_run=True)
    assert result.action == "planned" and result.applied is None
    assert [op.kind for op in result.plan.operations] == ["create_object"]
    assert "obj_company" not in tables(platform) and packs.installed() == []


def test_reinstalling_the_same_version_is_a_no_op(platform: Platform, make_pack: MakePack, install: Run) -> None:
    path = make_pack("crm", "1.0.0", objects=[COMPANY])
    install(path)
    head = platform.metadata.history(1)[0].id
    assert install(path).action == "unchanged"
    assert platform.metadata.history(1)[0].id == head


def test_installing_another_version_of_an_installed_pack_asks_for_upgrade(make_pack: MakePack, install: Run) -> None:
    install(make_pack("crm", "1.0.0", objects=[COMPANY]))
    with pytest.raises(Conflict, match="pack upgrade"):
        install(make_pack("crm", "1.1.0", objects=[COMPANY]))


def test_demo_data_resolves_references_and_dates_and_loads_once(platform: Platform, make_pack: MakePack,
                                                                install: Run) -> None:
    path = make_pack("crm", "1.0.0", objects=[COMPANY, PERSON], demo=DEMO)
    result = install(path, demo=True)
    assert result.demo.created == {"company": 2, "person": 1}
    rows = {name: (rid, parent) for rid, name, parent in select_all(platform, "company", "id", "name", "parent")}
    assert rows["Acme EMEA"][1] == rows["Acme"][0]  # the parent, listed after its child, was created first
    ((company, met_on),) = select_all(platform, "person", "company", "met_on")
    assert company == rows["Acme"][0]
    assert met_on == dt.date.today() - dt.timedelta(days=3)
    again = install(path, demo=True)
    assert again.action == "unchanged" and again.demo.created == {} and again.demo.existing == 3
    assert len(select_all(platform, "company", "id")) == 2


def test_demo_errors_name_the_file_and_record_and_write_nothing_of_that_file(make_pack: MakePack, install: Run,
                                                                             platform: Platform) -> None:
    bad = {"10_company": {"object": "company", "records": [{"_id": "a", "name": "A", "industry": "Mining"}]}}
    with pytest.raises(Unprocessable) as exc:
        install(make_pack("crm", "1.0.0", objects=[COMPANY], demo=bad), demo=True)
    assert exc.value.extra["errors"][0]["path"] == "demo/10_company.json: records[0].industry"
    assert select_all(platform, "company", "id") == []


def test_demo_naming_an_unknown_field_is_refused_before_anything_is_applied(make_pack: MakePack, install: Run,
                                                                             packs: PackService) -> None:
    bad = {"10_company": {"object": "company", "records": [{"_id": "a", "name": "A", "colour": "red"}]}}
    with pytest.raises(Unprocessable) as exc:
        install(make_pack("crm", "1.0.0", objects=[COMPANY], demo=bad), demo=True)
    assert exc.value.extra["errors"][0]["path"] == "demo/10_company.json: colour"
    assert packs.installed() == []


def test_invalid_definitions_are_reported_by_file_and_json_path(make_pack: MakePack, install: Run) -> None:
    broken = {"name": "company", "fields": [{"name": "name", "type": "text"},
                                            {"name": "boss", "type": "lookup", "target": "persn"}]}
    with pytest.raises(Unprocessable) as exc:
        install(make_pack("crm", "1.0.0", objects=[broken, PERSON]))
    paths = [e["path"] for e in exc.value.extra["errors"]]
    assert "objects/00_company.json: fields[1].target" in paths


def test_invalid_manifest_is_reported_with_json_paths(make_pack: MakePack, install: Run) -> None:
    with pytest.raises(Unprocessable) as exc:
        install(make_pack("crm", "1.0.0", manifest={"name": "Crm!", "label": "x", "version": "1.0",
                                                    "requires": {"base": ">=banana"}}))
    errors = {e["path"]: e["message"] for e in exc.value.extra["errors"]}
    assert "version" in str(errors["pack.json: version"])
    assert "lower snake case" in errors["pack.json: name"]
    assert "pack.json: requires.base" in errors


def test_unparseable_json_names_file_and_line(make_pack: MakePack, install: Run) -> None:
    path = make_pack("crm", "1.0.0", objects=[COMPANY])
    (path / "objects" / "broken.json").write_text('{"name": "x",\n "fields": [}', "utf-8")
    with pytest.raises(Unprocessable) as exc:
        install(path)
    assert exc.value.extra["errors"][0]["path"] == "objects/broken.json"
    assert "line 2" in exc.value.extra["errors"][0]["message"]


def test_install_refuses_missing_or_out_of_range_requirements(make_pack: MakePack, install: Run,
                                                              packs: PackService) -> None:
    addon = make_pack("addon", "1.0.0", requires={"crm": "^2.0.0"},
                      extensions=[{"object": "company", "fields": [{"name": "tier", "type": "text"}]}])
    with pytest.raises(Unprocessable) as exc:
        install(addon)
    assert exc.value.extra["errors"][0]["path"] == "pack.json: requires.crm"
    assert "not installed" in exc.value.extra["errors"][0]["message"]
    install(make_pack("crm", "1.0.0", objects=[COMPANY]))
    with pytest.raises(Unprocessable) as exc:
        install(addon)
    assert "1.0.0 is installed" in exc.value.extra["errors"][0]["message"]
    assert [p.name for p in packs.installed()] == ["crm"]


def test_a_pack_extends_another_packs_object_with_its_own_fields(platform: Platform, make_pack: MakePack,
                                                                  install: Run) -> None:
    install(make_pack("crm", "1.0.0", objects=[COMPANY]))
    install(make_pack("addon", "0.2.0", requires={"crm": ">=1.0.0 <2.0.0"},
                      extensions=[{"object": "company", "fields": [{"name": "tier", "type": "text"}]}]))
    company = platform.schema.get().compiled.bundle.objects["company"]
    assert company.owner == "pack:crm@1.0.0" and company.field("tier").owner == "pack:addon@0.2.0"
    assert company.field("name").owner == "pack:crm@1.0.0"


def test_a_name_taken_by_an_admin_object_is_refused(apply: Run, make_pack: MakePack, install: Run) -> None:
    apply({"name": "company", "fields": [{"name": "title", "type": "text"}]})
    with pytest.raises(Conflict, match='object "company" already exists \\(owned by admin\\)'):
        install(make_pack("crm", "1.0.0", objects=[COMPANY]))


def test_install_into_a_database_that_already_holds_records(platform: Platform, apply: Run, make_pack: MakePack,
                                                            install: Run) -> None:
    apply({"name": "project", "fields": [{"name": "title", "type": "text"}]})
    platform.records.bulk_create(_system(), "project", [{"title": "Keep me"}, {"title": "Me too"}])
    install(make_pack("crm", "1.0.0", objects=[COMPANY, PERSON], demo=DEMO), demo=True)
    assert [t for (t,) in select_all(platform, "project", "title")] == ["Keep me", "Me too"]
    assert platform.schema.get().compiled.bundle.objects["project"].owner == "admin"
    assert len(select_all(platform, "company", "id")) == 2


def test_an_unknown_pack_name_says_which_are_built_in(packs: PackService) -> None:
    from metacrm.platform.packs import open_pack
    with pytest.raises(NotFound, match="base_crm"):
        with open_pack("no_such_pack"):
            pass


def test_a_pack_cannot_claim_items_for_another_owner(platform: Platform, make_pack: MakePack, install: Run) -> None:
    sneaky = json.loads(json.dumps(COMPANY))
    sneaky["owner"] = "core"
    sneaky["fields"][0]["owner"] = "admin"
    install(make_pack("crm", "1.0.0", objects=[sneaky]))
    company = platform.schema.get().compiled.bundle.objects["company"]
    assert company.owner == "pack:crm@1.0.0" and company.field("name").owner == "pack:crm@1.0.0"


def _system() -> Any:
    from metacrm.platform.records.actor import SYSTEM
    return SYSTEM
