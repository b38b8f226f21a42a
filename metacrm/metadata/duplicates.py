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

The object schema declares ``duplicate_rules``; the loader reads them with
:func:`rules_from_json` and the bundle checks call :func:`check_duplicate_rules`
(JSON paths such as ``objects[0].duplicate_rules[1].fields[0]``). The record path
uses them through ``metacrm/platform/duplicates/`` (docs/import.md).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

from rapidfuzz import fuzz

from .errors import MetadataIssue

if TYPE_CHECKING:
    from .definitions import ObjectDef

FUZZY_THRESHOLD = 90.0
MATCHES = ("exact", "fuzzy")
ACTIONS = ("warn", "block")
FUZZY_TYPES = ("text", "long_text")
#: Types a rule may compare: their stored value is one comparable scalar (or a reference).
COMPARABLE_TYPES = ("text", "long_text", "email", "phone", "url", "picklist", "integer", "date", "lookup",
                    "master_detail", "autonumber")
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


def rules_from_json(raw: Any) -> tuple[DuplicateRule, ...]:
    """The rules of a schema-valid document; malformed entries (reported by the schema) are skipped."""
    if not isinstance(raw, (list, tuple)):
        return ()
    return parse_rules([r for r in raw if isinstance(r, Mapping) and isinstance(r.get("name"), str)
                        and isinstance(r.get("fields"), (list, tuple))])


def check_duplicate_rules(obj: "ObjectDef", path: str) -> list[MetadataIssue]:
    """The object's rules against its fields: names exist, types compare, fuzzy rules have text, names are unique."""
    rules = getattr(obj, "duplicate_rules", ())
    types = {f.name: f.type for f in obj.fields}
    issues = [MetadataIssue(f"{path}.{where}", message, "unknown_field" if "no field" in message else "invalid")
              for where, message in check_rules(rules, types)]
    seen: set[str] = set()
    for i, rule in enumerate(rules):
        rpath = f"{path}.duplicate_rules[{i}]"
        if rule.name in seen:
            issues.append(MetadataIssue(f"{rpath}.name", f'another rule is already named "{rule.name}"'))
        seen.add(rule.name)
        for j, name in enumerate(rule.fields):
            if name in types and types[name] not in COMPARABLE_TYPES:
                issues.append(MetadataIssue(f"{rpath}.fields[{j}]", f'"{name}" is a {types[name]} field; '
                                            f"rules compare {', '.join(COMPARABLE_TYPES)} fields"))
        if rule.match == "fuzzy" and not any(types.get(n) in FUZZY_TYPES for n in rule.fields):
            issues.append(MetadataIssue(f"{rpath}.match", "a fuzzy rule needs at least one text field "
                                        "to compare loosely; use exact"))
    return issues


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
    if not isinstance(value, str) and isinstance(value, Mapping):  # a polymorphic lookup
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
    return matcher(rule, a, field_types)(b)


def matcher(rule: DuplicateRule, record: Mapping[str, Any],
            field_types: Mapping[str, str]) -> Callable[[Mapping[str, Any]], bool]:
    """``is_duplicate(rule, record, candidate)`` as a function of the candidate, with ``record``'s side
    normalised once (a search compares one record with thousands of candidates)."""
    ka = key_of(rule, record, field_types)
    if ka is None:
        return lambda candidate: False
    fuzzy = [field_types.get(name, "text") in FUZZY_TYPES for name in rule.fields]
    text_a = " ".join(x for x, is_text in zip(ka, fuzzy) if is_text)

    def matches(candidate: Mapping[str, Any]) -> bool:
        kb = key_of(rule, candidate, field_types)
        if kb is None:
            return False
        if rule.match == "exact":
            return ka == kb
        if any(x != y for x, y, is_text in zip(ka, kb, fuzzy) if not is_text):
            return False
        # The rule's text fields compared as one string ("jonathan smith"): one letter off in a short
        # first name then costs little, as it should, while a different surname still fails.
        text_b = " ".join(y for y, is_text in zip(kb, fuzzy) if is_text)
        return fuzz.token_sort_ratio(text_a, text_b, score_cutoff=FUZZY_THRESHOLD) >= FUZZY_THRESHOLD

    return matches


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
