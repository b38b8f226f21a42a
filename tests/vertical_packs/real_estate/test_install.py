"""The pack installs on an empty database and on one holding base_crm's demo data, with RESO names kept,
and its demo brokerage (Harborview Realty) loads with every listing status and deal stage."""

from __future__ import annotations

from collections import Counter

from metacrm.platform.records import SYSTEM
from metacrm.platform.runtime import Platform

from .conftest import install


def field(platform: Platform, obj: str, name: str) -> dict:
    return next(f for f in platform.metadata.export(obj)["fields"] if f["name"] == name)


def test_installs_after_base_crm_on_an_empty_database_with_reso_names(platform: Platform) -> None:
    install(platform, "base_crm", "real_estate")
    status = field(platform, "property", "standard_status")
    assert status["external_names"] == {"reso": "StandardStatus"}
    assert [o["value"] if isinstance(o, dict) else o for o in status["options"]] == [
        "Active", "ActiveUnderContract", "Canceled", "Closed", "ComingSoon", "Delete", "Expired", "Hold",
        "Incomplete", "Pending", "Withdrawn"]
    assert field(platform, "property", "list_price")["external_names"] == {"reso": "ListPrice"}
    assert field(platform, "contact", "client_stage")["external_names"] == {"reso": "crm_Stage"}
    assert field(platform, "contact", "client_stage")["owner"].startswith("pack:real_estate@")


def test_demo_brokerage_loads_over_base_crm_demo_data(platform: Platform) -> None:
    install(platform, "base_crm", demo=True)
    accounts_before = len(platform.records.reader.list(SYSTEM, "account", {"limit": "200"}).records)
    install(platform, "real_estate", demo=True)
    listings = platform.records.reader.list(SYSTEM, "property", {"limit": "200"}).records
    assert Counter(r["standard_status"] for r in listings) == {
        "Active": 10, "ComingSoon": 2, "ActiveUnderContract": 3, "Pending": 4, "Closed": 6, "Expired": 2,
        "Withdrawn": 1, "Canceled": 2}
    deals = platform.records.reader.list(SYSTEM, "deal", {"limit": "200"}).records
    assert Counter(d["stage"] for d in deals)["Fell Through"] == 2 and len(deals) == 14
    assert len(platform.records.reader.list(SYSTEM, "member", {"limit": "200"}).records) == 12
    stages = [o["value"] if isinstance(o, dict) else o for o in field(platform, "contact", "client_stage")["options"]]
    assert sum(len(platform.records.reader.list(SYSTEM, "contact", {"client_stage": s, "limit": "200"}).records)
               for s in stages) == 150
    assert len(platform.records.reader.list(SYSTEM, "account", {"limit": "200"}).records) == accounts_before
