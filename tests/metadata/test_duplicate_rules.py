"""Duplicate rules compare normalised values: exact, or fuzzy on names (pure functions)."""

from __future__ import annotations

from metacrm.metadata.duplicates import (DuplicateRule, check_rules, find_duplicates, is_duplicate, normalise,
                                         parse_rules)

TYPES = {"first_name": "text", "last_name": "text", "email": "email", "phone": "phone", "account": "lookup"}


def test_normalisation_by_type() -> None:
    assert normalise("  Ada   LOVELACE ") == "ada lovelace"
    assert normalise("Ada@Example.COM ", "email") == "ada@example.com"
    assert normalise("+1 (415) 555-0100", "phone") == "+14155550100"
    assert normalise("0415 555 0100", "phone") == "4155550100"
    assert normalise(None) == "" and normalise("ｆｕｌｌ") == "full"  # NFKC: full-width letters


def test_exact_rules_need_every_field_equal_after_normalising() -> None:
    rule = DuplicateRule("same_email", ("email",))
    assert is_duplicate(rule, {"email": "ADA@example.com"}, {"email": "ada@example.com "}, TYPES)
    assert not is_duplicate(rule, {"email": None}, {"email": None}, TYPES)  # nothing to compare
    phone = DuplicateRule("same_phone", ("phone",))
    assert is_duplicate(phone, {"phone": "+1 415-555-0100"}, {"phone": "+1 (415) 5550100"}, TYPES)


def test_fuzzy_rules_accept_close_names_with_the_same_account() -> None:
    rule = DuplicateRule("same_person", ("first_name", "last_name", "account"), "fuzzy")
    a = {"first_name": "Jonathan", "last_name": "Smith", "account": 7}
    assert is_duplicate(rule, a, {"first_name": "Jonathon", "last_name": "smith", "account": 7}, TYPES)
    assert not is_duplicate(rule, a, {"first_name": "Jonathan", "last_name": "Smith", "account": 8}, TYPES)
    assert not is_duplicate(rule, a, {"first_name": "Joan", "last_name": "Smythe", "account": 7}, TYPES)


def test_find_duplicates_skips_the_record_itself_and_reports_the_rule() -> None:
    rules = parse_rules([{"name": "same_email", "fields": ["email"], "action": "block"}])
    found = find_duplicates(rules, {"id": 1, "email": "a@x.io"},
                            [{"id": 1, "email": "a@x.io"}, {"id": 2, "email": "A@X.io"}], TYPES)
    assert [(r.name, r.action, c["id"]) for r, c in found] == [("same_email", "block", 2)]


def test_rules_naming_unknown_fields_or_options_are_explained_with_their_path() -> None:
    rules = parse_rules([{"name": "r", "fields": ["email", "mail"], "match": "soundex", "action": "stop"}])
    assert check_rules(rules, TYPES) == [
        ("duplicate_rules[0].fields[1]", 'there is no field "mail"'),
        ("duplicate_rules[0].match", "must be one of exact, fuzzy"),
        ("duplicate_rules[0].action", "must be one of warn, block"),
    ]


# --- declared in metadata: schema, loader, checks, round trip ----------------------------------------------

def person(rules: object) -> dict:
    return {"objects": [{"name": "person", "name_field": "last_name", "duplicate_rules": rules,
                         "fields": [{"name": "first_name", "type": "text"},
                                    {"name": "last_name", "type": "text", "required": True},
                                    {"name": "email", "type": "email"}, {"name": "notes", "type": "rich_text"},
                                    {"name": "score", "type": "integer"}]}]}


def test_rules_load_from_an_object_document_and_round_trip() -> None:
    from metacrm.metadata.loader import bundle_from_snapshot, load_bundle

    rules = [{"name": "same_email", "fields": ["email"], "action": "block"},
             {"name": "same_name", "fields": ["first_name", "last_name"], "match": "fuzzy"}]
    bundle = load_bundle(person(rules)).bundle
    obj = bundle.objects["person"]
    assert obj.duplicate_rules == (DuplicateRule("same_email", ("email",), "exact", "block"),
                                   DuplicateRule("same_name", ("first_name", "last_name"), "fuzzy", "warn"))
    assert obj.to_json()["duplicate_rules"] == [{"name": "same_email", "fields": ["email"], "action": "block"},
                                                {"name": "same_name", "fields": ["first_name", "last_name"],
                                                 "match": "fuzzy"}]
    assert bundle_from_snapshot(bundle.to_json()).objects["person"].duplicate_rules == obj.duplicate_rules
    assert "duplicate_rules" not in load_bundle(person([])).bundle.objects["person"].to_json()


def _issues(rules: object) -> list[tuple[str, str]]:
    import pytest

    from metacrm.metadata.errors import MetadataError
    from metacrm.metadata.loader import load_bundle

    with pytest.raises(MetadataError) as caught:
        load_bundle(person(rules))
    return [(i.path, i.message) for i in caught.value.issues]


def test_the_schema_refuses_bad_options_with_their_path() -> None:
    paths = [p for p, _ in _issues([{"name": "ok", "fields": ["email"]},
                                    {"name": "r", "fields": ["email"], "match": "soundex", "action": "stop"}])]
    assert "objects[0].duplicate_rules[1].match" in paths and "objects[0].duplicate_rules[1].action" in paths
    assert any(p.startswith("objects[0].duplicate_rules[0]") for p, _ in _issues([{"name": "r", "fields": []}]))


def test_checks_name_unknown_and_uncomparable_fields_with_their_path() -> None:
    found = dict(_issues([{"name": "a", "fields": ["email"]},
                          {"name": "b", "fields": ["email", "mail", "notes"]},
                          {"name": "a", "fields": ["score"], "match": "fuzzy"}]))
    assert found["objects[0].duplicate_rules[1].fields[1]"] == 'there is no field "mail"'
    assert "rich_text" in found["objects[0].duplicate_rules[1].fields[2]"]
    assert "already named" in found["objects[0].duplicate_rules[2].name"]
    assert "text field" in found["objects[0].duplicate_rules[2].match"]
