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
