"""Stored formulas that read another record through a lookup follow that record's changes (both databases)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable

import pytest

from metacrm.metadata.dependencies import LookupRead, lookup_reads
from metacrm.platform.records.actor import SYSTEM
from metacrm.platform.runtime import Platform
from tests.conftest import fld, make_object

COMPANY = make_object(
    "company", fld("name"), fld("industry"), fld("discount", "percent"),
    fld("deal_total", "rollup", result_type="currency",
        rollup={"child": "deal", "relationship_field": "company", "function": "sum", "field": "amount"}))
CONTACT = make_object(
    "contact", fld("name"), fld("company", "lookup", target="company", on_delete="set_null"),
    fld("sector", "formula", formula='concat(company.industry, " / ", name)', result_type="text"),
    fld("company_total", "formula", formula="company.deal_total", result_type="currency"),
    fld("shown_sector", "formula", formula="company.industry", result_type="text", stored=False))
DEAL = make_object(
    "deal", fld("amount", "currency"), fld("company", "lookup", target="company", on_delete="set_null"),
    fld("net", "formula", formula="amount * (100 - company.discount) / 100", result_type="currency"))


@pytest.fixture(autouse=True)
def schema(apply: Callable[..., Any]) -> None:
    apply({"objects": [COMPANY, CONTACT, DEAL]})


def get(platform: Platform, obj: str, rid: int) -> dict[str, Any]:
    return platform.records.get(SYSTEM, obj, rid)


def test_the_dependency_index_names_who_reads_what_through_which_lookup(platform: Platform) -> None:
    reads = lookup_reads(platform.schema.get().compiled.bundle)
    assert reads[("company", "industry")] == (LookupRead("contact", "sector", "company", "company", "industry"),)
    assert reads[("company", "deal_total")] == (LookupRead("contact", "company_total", "company", "company",
                                                           "deal_total"),)
    assert ("company", "name") not in reads  # contact.name is its own field; unstored formulas need nothing


def test_changing_a_looked_up_field_recomputes_the_formulas_that_read_it(platform: Platform) -> None:
    acme = platform.records.create(SYSTEM, "company", {"name": "Acme", "industry": "Rockets", "discount": "10"})
    other = platform.records.create(SYSTEM, "company", {"name": "Globex", "industry": "Widgets"})
    ann = platform.records.create(SYSTEM, "contact", {"name": "Ann", "company": acme["id"]})
    bob = platform.records.create(SYSTEM, "contact", {"name": "Bob", "company": acme["id"]})
    carl = platform.records.create(SYSTEM, "contact", {"name": "Carl", "company": other["id"]})
    deal = platform.records.create(SYSTEM, "deal", {"amount": "200.00", "company": acme["id"]})
    assert get(platform, "deal", deal["id"])["net"] == Decimal("180.00")
    platform.records.update(SYSTEM, "company", acme["id"], {"industry": "Space"})
    assert get(platform, "contact", ann["id"])["sector"] == "Space / Ann"
    version = get(platform, "contact", ann["id"])["version"]
    assert get(platform, "contact", bob["id"])["sector"] == "Space / Bob"
    assert get(platform, "contact", carl["id"])["version"] == carl["version"]  # another company: untouched
    assert get(platform, "deal", deal["id"])["version"] == 1  # it does not read industry
    platform.records.update(SYSTEM, "company", acme["id"], {"discount": "25"})
    assert get(platform, "deal", deal["id"])["net"] == Decimal("150.00")
    platform.records.update(SYSTEM, "company", acme["id"], {"name": "Acme Inc"})  # read by nobody
    assert get(platform, "contact", ann["id"])["version"] == version


def test_a_formula_reading_a_roll_up_through_a_lookup_follows_the_children(platform: Platform) -> None:
    acme = platform.records.create(SYSTEM, "company", {"name": "Acme"})["id"]
    ann = platform.records.create(SYSTEM, "contact", {"name": "Ann", "company": acme})["id"]
    assert get(platform, "contact", ann)["company_total"] == Decimal("0.00")
    deal = platform.records.create(SYSTEM, "deal", {"amount": "12.34", "company": acme})["id"]
    assert get(platform, "contact", ann)["company_total"] == Decimal("12.34")
    platform.records.delete(SYSTEM, "deal", deal)
    assert get(platform, "contact", ann)["company_total"] == Decimal("0.00")


def test_deleting_and_restoring_the_looked_up_record(platform: Platform) -> None:
    acme = platform.records.create(SYSTEM, "company", {"name": "Acme", "industry": "Rockets"})["id"]
    ann = platform.records.create(SYSTEM, "contact", {"name": "Ann", "company": acme})["id"]
    platform.records.delete(SYSTEM, "company", acme)  # set_null clears the lookup without a save of its own
    assert get(platform, "contact", ann)["company"] is None and get(platform, "contact", ann)["sector"] == " / Ann"
    platform.records.restore(SYSTEM, "company", acme)
    platform.records.update(SYSTEM, "contact", ann, {"company": acme})
    assert get(platform, "contact", ann)["sector"] == "Rockets / Ann"
