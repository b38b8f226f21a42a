"""Finding probable duplicates: normalised exact and fuzzy matches, as the actor may read them."""

from __future__ import annotations

from metacrm.platform.duplicates import DuplicateFinder
from metacrm.platform.records.actor import SYSTEM

from tests.helpers import insert_rows

from .conftest import Crm


def found(crm: Crm, values: dict, actor=SYSTEM, exclude_id=None) -> list[tuple[str, int]]:
    matches = DuplicateFinder(crm.records).find(actor, "person", values, exclude_id=exclude_id)
    return [(m.rule.name, m.id) for m in matches]


def test_emails_match_whatever_their_case_and_spaces(crm: Crm) -> None:
    ada = crm.person(first_name="Ada", email="Ada@Example.com")
    crm.person(first_name="Bob", last_name="Byron", email="bob@example.com")
    assert found(crm, {"last_name": "X", "email": "ada@EXAMPLE.com"}) == [("same_email", ada["id"])]
    assert found(crm, {"last_name": "X", "email": "ada@example.org"}) == []
    assert found(crm, {"last_name": "X", "email": "ada@example.com"}, exclude_id=ada["id"]) == []


def test_phones_match_on_their_digits(crm: Crm) -> None:
    ada = crm.person(first_name="Ada", phone="+1 (415) 555-0100")
    assert found(crm, {"last_name": "X", "phone": "+1 415.555.0100"}) == [("same_phone", ada["id"])]
    assert found(crm, {"last_name": "X", "phone": "+1 415 555 0199"}) == []


def test_fuzzy_names_need_the_same_company(crm: Crm) -> None:
    acme = crm.records.create(SYSTEM, "company", {"name": "Acme"})["id"]
    other = crm.records.create(SYSTEM, "company", {"name": "Globex"})["id"]
    jon = crm.person(first_name="Jonathan", last_name="Smith", company=acme)
    assert found(crm, {"first_name": "Jonathon", "last_name": "smith", "company": acme}) == [("same_person", jon["id"])]
    assert found(crm, {"first_name": "Smith", "last_name": "Jonathan", "company": acme}) == [("same_person", jon["id"])]
    assert found(crm, {"first_name": "Jonathan", "last_name": "Smith", "company": other}) == []
    assert found(crm, {"first_name": "Joan", "last_name": "Smythe", "company": acme}) == []


def test_fuzzy_company_names(crm: Crm) -> None:
    acme = crm.records.create(SYSTEM, "company", {"name": "Acme Corporation"})
    matches = DuplicateFinder(crm.records).find(SYSTEM, "company", {"name": "ACME  Corporatoin"})
    assert [(m.id, m.title) for m in matches] == [(acme["id"], "Acme Corporation")]
    assert DuplicateFinder(crm.records).find(SYSTEM, "company", {"name": "Initech"}) == []


def test_records_the_actor_cannot_read_are_not_reported(crm: Crm) -> None:
    mine = crm.person(crm.rep, first_name="Ada", phone="+44 20 7946 0000")
    theirs = crm.person(crm.other, first_name="Ada", last_name="Lovelace", phone="+44 20 7946 0000")
    probe = {"last_name": "X", "phone": "+442079460000"}
    assert found(crm, probe, crm.rep) == [("same_phone", mine["id"])]
    assert found(crm, probe, crm.other) == [("same_phone", theirs["id"])]
    assert sorted(found(crm, probe)) == sorted([("same_phone", mine["id"]), ("same_phone", theirs["id"])])


def test_deleted_records_and_empty_values_never_match(crm: Crm) -> None:
    ada = crm.person(first_name="Ada", phone="555 0100")
    crm.records.delete(SYSTEM, "person", ada["id"])
    assert found(crm, {"last_name": "X", "phone": "5550100"}) == []
    crm.person(first_name="Bob", last_name="Byron")
    assert found(crm, {"last_name": "Someone"}) == []


def test_at_most_ten_matches_per_rule(crm: Crm) -> None:
    crm.records.bulk_create(SYSTEM, "person", [{"last_name": f"P{i}", "phone": "555 0100"} for i in range(12)])
    assert len(found(crm, {"last_name": "X", "phone": "5550100"})) == 10


def test_the_sql_prefilter_loses_no_match_python_would_find(crm: Crm) -> None:
    """Every probe's matches equal a brute-force comparison with every record (the prefilter only narrows)."""
    from metacrm.metadata.duplicates import find_duplicates

    acme = crm.records.create(SYSTEM, "company", {"name": "Acme"})["id"]
    people = [("Ada", "Lovelace", "ADA@x.io", "+44 20 7946 0000"), ("ada", "lovelace", "ada@X.IO", "+44 (20) 79460000"),
              ("Lovelace", "Ada", None, "020 7946 0000"), ("Jonathan", "Smith", "js@x.io", "555-0100"),
              ("Jonathon", "Smyth", "JS@x.io", "(555) 0100"), ("Émile", "Zola", "emile@x.io", None),
              ("émile", "zola", "Emile@x.io", "5550100"), ("Grace", "Hopper", None, None)]
    insert_rows(crm.platform, "person", [  # raw: the block rule on email would refuse the twins
        {"first_name": first, "last_name": last, "email": email, "phone": phone, "company": acme if i % 2 else None,
         "version": 1} for i, (first, last, email, phone) in enumerate(people)])
    every = crm.records.reader.list(SYSTEM, "person", {"limit": "200"}).records
    obj = crm.platform.schema.get().compiled.objects["person"]
    types = {n: f.definition.type for n, f in obj.fields.items()}
    rules = obj.definition.duplicate_rules
    rules_seen = set()
    for probe in every:
        expected = set()
        for rule in rules:
            expected |= {(rule.name, c["id"]) for _, c in find_duplicates([rule], probe, every, types)}
        assert set(found(crm, probe, exclude_id=probe["id"])) == expected, probe
        rules_seen |= {name for name, _ in expected}
    assert rules_seen == {"same_email", "same_phone", "same_person"}  # every kind of rule was exercised
