"""Duplicate rules: when two records are probably the same person or company (pure, no database).

An object may declare ``duplicate_rules``::

    [{"name": "same_email", "fields": ["email"], "match": "exact", "action": "block"},
     {"name": "same_person", "fields": ["first_name", "last_name", "account"], "match": "fuzzy"}]

Values are normalised before comparing: text by case and whitespace, emails
lower-cased, phones reduced to their digits (a leading ``+`` kept, so
``+1 (415) 555-0100`` = ``+14155550100``). ``exact`` needs every field equal
after normalising; ``fuzzy`` needs the other fields equal and the rule's text fields, joined,
at least ``FUZZY_THRESHOLD`` similar (rapidfuzz's ``token_sort_ratio``, so
"Lovelace Ada" ~ "Ada Lovelace" and "Jonathon Smith" ~ "Jonathan Smith"). A rule whose fields are
all empty on a record never matches it. ``action`` is ``warn`` (default: the
save goes on with a notice) or ``block``.

Wiring the rules into the metadata language (schema, loader, checks) and into
the record path is the next step (docs/import.md, "Not done yet").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from rapidfuzz import fuzz

FUZZY_THRESHOLD = 90.0
MATCHES = ("exact", "fuzzy")
ACTIONS = ("warn", "block")
FUZZY_TYPES = ("text", "long_text")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class DuplicateRule:
    name: str
    fields: tuple[str, ...]
    match: str = "exact"
    action: str = "warn"


def parse_rules(raw: Sequence[Mapping[str, Any]] | None) -> tuple[DuplicateRule, ...]:
    """Rules from an object document's ``duplicate_rules`` (already validated by the schema)."""
    return tuple(DuplicateRule(r["name"], tuple(r["fields"]), r.get("match", "exact"), r.get("action", "warn"))
                 for r in raw or ())


def check_rules(rules: Sequence[DuplicateRule], field_types: Mapping[str, str]) -> list[tuple[str, str]]:
    """(JSON path, sentence) for rules naming unknown fields or options."""
    problems = []
    for i, rule in enumerate(rules):
        for j, name in enumerate(rule.fields):
            if name not in field_types:
                problems.append((f"duplicate_rules[{i}].fields[{j}]", f'there is no field "{name}"'))
        if rule.match not in MATCHES:
            problems.append((f"duplicate_rules[{i}].match", f"must be one of {', '.join(MATCHES)}"))
        if rule.action not in ACTIONS:
            problems.append((f"duplicate_rules[{i}].action", f"must be one of {', '.join(ACTIONS)}"))
    return problems


def normalise(value: Any, field_type: str = "text") -> str:
    """The comparable form of a value; ``""`` for no value."""
    if value is None:
        return ""
    if isinstance(value, Mapping):  # a polymorphic lookup
        return f"{value.get('object')}:{value.get('id')}"
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if field_type == "email":
        return text.lower()
    if field_type == "phone":
        digits = re.sub(r"\D", "", text)
        return ("+" + digits) if text.startswith("+") and digits else digits.lstrip("0") if digits else ""
    return _SPACES.sub(" ", text).casefold()


def key_of(rule: DuplicateRule, record: Mapping[str, Any], field_types: Mapping[str, str]) -> tuple[str, ...] | None:
    """The rule's normalised values of ``record``, None when they are all empty (nothing to compare)."""
    values = tuple(normalise(record.get(f), field_types.get(f, "text")) for f in rule.fields)
    return values if any(values) else None


def is_duplicate(rule: DuplicateRule, a: Mapping[str, Any], b: Mapping[str, Any],
                 field_types: Mapping[str, str]) -> bool:
    ka, kb = key_of(rule, a, field_types), key_of(rule, b, field_types)
    if ka is None or kb is None:
        return False
    if rule.match == "exact":
        return ka == kb
    texts_a, texts_b = [], []
    for name, x, y in zip(rule.fields, ka, kb):
        if field_types.get(name, "text") in FUZZY_TYPES:
            texts_a.append(x)
            texts_b.append(y)
        elif x != y:
            return False
    # The rule's text fields compared as one string ("jonathan smith"): one letter off in a short
    # first name then costs little, as it should, while a different surname still fails.
    return fuzz.token_sort_ratio(" ".join(texts_a), " ".join(texts_b)) >= FUZZY_THRESHOLD


def find_duplicates(rules: Sequence[DuplicateRule], record: Mapping[str, Any],
                    candidates: Sequence[Mapping[str, Any]], field_types: Mapping[str, str]
                    ) -> list[tuple[DuplicateRule, Mapping[str, Any]]]:
    """(rule, candidate) for every candidate a rule says ``record`` duplicates (itself excluded by id)."""
    found = []
    for candidate in candidates:
        if record.get("id") is not None and candidate.get("id") == record.get("id"):
            continue
        for rule in rules:
            if is_duplicate(rule, record, candidate, field_types):
                found.append((rule, candidate))
                break
    return found
