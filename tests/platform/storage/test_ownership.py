"""Objects and fields record who owns them (core, a pack, or an admin), and keep it through export."""

from __future__ import annotations

from typing import Any, Callable, Iterator

import pytest

from metacrm.platform.runtime import Platform
from tests.conftest import fld, make_object

Apply = Callable[..., Any]
PACK = "pack:sales@1.2.0"
ACCOUNT = make_object("account", fld("name"), fld("industry"))


@pytest.fixture
def reloaded(database_url: str) -> Iterator[Callable[[], Platform]]:
    """A fresh platform on the same database: it knows only what the stored version says."""
    opened: list[Platform] = []

    def open_platform() -> Platform:
        opened.append(Platform.from_url(database_url))
        return opened[-1]

    yield open_platform
    for p in opened:
        p.engine.dispose()


def apply_owned(platform: Platform, document: Any, owner: str | None) -> None:
    platform.metadata.apply(platform.metadata.plan(document, owner=owner), author="test")


def owners(export: dict[str, Any]) -> tuple[str | None, list[tuple[str, str | None]]]:
    return export.get("owner"), [(f["name"], f.get("owner")) for f in export["fields"]]


def test_items_applied_for_core_are_owned_by_core_in_the_export(platform: Platform) -> None:
    apply_owned(platform, ACCOUNT, "core")
    assert owners(platform.metadata.export("account")) == ("core", [("name", "core"), ("industry", "core")])


def test_items_applied_for_a_pack_are_owned_by_the_pack(platform: Platform) -> None:
    apply_owned(platform, ACCOUNT, PACK)
    account = platform.metadata.current().compiled.bundle.objects["account"]
    assert (account.owner, {f.owner for f in account.fields}) == (PACK, {PACK})


def test_admin_is_the_default_owner_and_is_not_spelled_out_in_the_export(platform: Platform, apply: Apply) -> None:
    apply(ACCOUNT)
    account = platform.metadata.current().compiled.bundle.objects["account"]
    assert (account.owner, {f.owner for f in account.fields}) == ("admin", {"admin"})
    assert owners(platform.metadata.export("account")) == (None, [("name", None), ("industry", None)])


def test_a_field_a_pack_adds_to_an_admin_object_keeps_the_pack_as_owner(platform: Platform, apply: Apply) -> None:
    apply(make_object("account", fld("name"), fld("territory", owner=PACK)))
    assert owners(platform.metadata.export("account")) == (None, [("name", None), ("territory", PACK)])


def test_owners_survive_reloading_the_stored_version(
        platform: Platform, reloaded: Callable[[], Platform]) -> None:
    apply_owned(platform, make_object("account", fld("name"), fld("territory", owner=PACK)), "core")
    exported = platform.metadata.export()
    assert reloaded().metadata.export() == exported
    assert owners(exported["objects"][0]) == ("core", [("name", "core"), ("territory", PACK)])


def test_an_exported_object_applies_again_as_no_change(platform: Platform) -> None:
    apply_owned(platform, make_object("account", fld("name"), fld("territory", owner=PACK)), "core")
    assert platform.metadata.plan(platform.metadata.export()).empty


def test_an_admin_field_on_a_core_object_stays_admin_owned_after_reload(
        platform: Platform, reloaded: Callable[[], Platform]) -> None:
    core_object = make_object("account", fld("name"), {**fld("region"), "owner": "admin"}, owner="core")
    apply_owned(platform, core_object, None)
    export = reloaded().metadata.export("account")
    assert owners(export) == ("core", [("name", "core"), ("region", "admin")])
    assert not reloaded().metadata.plan(export).operations
