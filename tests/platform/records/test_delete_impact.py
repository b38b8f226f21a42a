"""The delete dry run: what a delete would delete, clear and be refused by, without changing anything."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from metacrm.platform.records import SYSTEM, RecordService
from metacrm.platform.records.deletion import delete_impact
from metacrm.platform.runtime import Platform
from tests.conftest import fld, make_object
from tests.platform.records.conftest import row_count

CRM = {"objects": [
    make_object("account", fld("name")),
    make_object("contact", fld("name"), fld("account", "master_detail", target="account")),
    make_object("note", fld("body"), fld("contact", "master_detail", target="contact")),
    make_object("opportunity", fld("name"), fld("account", "lookup", target="account")),  # restrict
    make_object("task", fld("subject"), fld("account", "lookup", target="account", on_delete="set_null")),
]}


@pytest.fixture(autouse=True)
def schema(apply: Callable[..., Any]) -> None:
    apply(CRM)


def impact(platform: Platform, object_name: str, record_id: int) -> Any:
    with platform.engine.connect() as conn:
        return delete_impact(conn, platform.schema.get(conn), object_name, record_id)


def test_the_impact_counts_cascades_cleared_references_and_blockers(platform: Platform,
                                                                   records: RecordService) -> None:
    acme = records.create(SYSTEM, "account", {"name": "Acme"})["id"]
    ann = records.create(SYSTEM, "contact", {"name": "Ann", "account": acme})["id"]
    records.create(SYSTEM, "contact", {"name": "Bob", "account": acme})
    records.create(SYSTEM, "note", {"body": "hi", "contact": ann})
    records.create(SYSTEM, "task", {"subject": "Call", "account": acme})
    found = impact(platform, "account", acme)
    assert found.deleted == {"account": 1, "contact": 2, "note": 1}
    assert found.cleared == {("task", "account"): 1} and found.blockers == {}
    deal = records.create(SYSTEM, "opportunity", {"name": "Big deal", "account": acme})["id"]
    found = impact(platform, "account", acme)
    assert found.blockers == {("opportunity", "account"): [deal]}
    assert row_count(platform, "contact") == 2 and records.get(SYSTEM, "account", acme)["version"] == 1
