"""The base CRM pack: its definitions load and apply, its demo data installs quickly and looks current."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import Counter

from metacrm.platform.packs import BUILTIN_DIR, PackService, open_pack
from metacrm.platform.runtime import Platform
from tests.helpers import select_all

OBJECTS = {"account", "contact", "lead", "opportunity", "opportunity_contact_role", "product", "price_book_entry",
           "opportunity_line", "activity", "support_case", "campaign", "campaign_member"}
ROLES = {"sales_rep", "sales_manager", "support_agent", "marketing", "read_only"}
VERSION = json.loads((BUILTIN_DIR / "base_crm" / "pack.json").read_text("utf-8"))["version"]


def test_the_pack_is_pure_data() -> None:
    files = [p for p in (BUILTIN_DIR / "base_crm").rglob("*") if p.is_file()]
    assert files and all(p.suffix == ".json" for p in files)


def test_base_crm_installs_with_its_demo_data_in_reasonable_time(platform: Platform) -> None:
    packs = PackService(platform.metadata, platform.records)
    started = time.perf_counter()
    with open_pack("base_crm") as source:
        result = packs.install(source, demo=True)
    seconds = time.perf_counter() - started
    print(f"\nbase_crm install with demo data on {platform.engine.dialect.name}: {seconds:.2f} s")
    assert seconds < 60
    bundle = platform.schema.get().compiled.bundle
    assert OBJECTS <= set(bundle.objects) and ROLES <= set(bundle.roles)
    assert {o.owner for n, o in bundle.objects.items() if n in OBJECTS} == {f"pack:base_crm@{VERSION}"}
    assert bundle.roles["sales_rep"].reports_to == "sales_manager"
    assert result.demo.created["account"] == 50 and result.demo.created["contact"] == 200
    assert result.demo.created["lead"] == 60 and result.demo.created["opportunity"] == 300
    assert result.demo.created["activity"] == 150 and result.demo.created["support_case"] == 60
    # Cases are numbered by the autonumber; opportunities spread over stages and the last 12 / next 6 months.
    numbers = [n for (n,) in select_all(platform, "support_case", "case_number")]
    assert numbers[0] == "CS-000001" and len(set(numbers)) == 60
    opps = select_all(platform, "opportunity", "stage", "close_date", "account")
    stages = Counter(stage for stage, _, _ in opps)
    assert len(stages) >= 8 and stages["Closed Won"] > 30
    today = dt.date.today()
    closes = [d for _, d, _ in opps]
    assert min(closes) >= today - dt.timedelta(days=366) and max(closes) <= today + dt.timedelta(days=181)
    assert all(account is not None for _, _, account in opps)
    # Installing the demo again creates nothing.
    with open_pack("base_crm") as source:
        again = packs.install(source, demo=True)
    assert again.demo.total_created == 0 and again.demo.existing == result.demo.total_created


def test_demo_references_point_at_records_the_demo_defines() -> None:
    demo = BUILTIN_DIR / "base_crm" / "demo"
    ids: set[str] = set()
    for file in sorted(demo.glob("*.json")):
        doc = json.loads(file.read_text("utf-8"))
        for record in doc["records"]:
            for value in record.values():
                if isinstance(value, dict) and "_ref" in value:
                    obj, _, ext = value["_ref"].partition(":")
                    # files load in name order: a record refers to earlier files or its own
                    assert f"{obj}:{ext}" in ids or obj == doc["object"], (file.name, value)
            ids.add(f"{doc['object']}:{record['_id']}")
