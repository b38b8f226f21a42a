"""Which rows could match a duplicate rule: a cheap SQL filter before the exact comparison in Python.

``metacrm.metadata.duplicates`` decides whether two records match; scanning every record
of a 100k-row object through it on each create would be too slow, so each rule first
narrows the candidates in SQL with conditions that every true match satisfies:

* **exact, text-like fields** (text, email, url, picklist): a case-insensitive equality —
  ``column = value COLLATE NOCASE`` on SQLite (half the cost of ``lower()`` per row; ASCII
  letters only, so a stored "ÉMILE" is not found for "émile" there), ``octet_length(column)``
  then ``lower(column) = value`` on PostgreSQL (the byte length spares ``lower()`` on nearly
  every row: a 100k-row scan drops from ~120 to ~35 ms). Stored values are trimmed by the field
  type. With an index on ``lower(column)`` PostgreSQL would not scan at all (not created yet).
* **phones**: the column is ``LIKE '%4%1%5%5%5%0%1%0%0'`` — the value's last seven digits in
  order, anything between them and nothing after. Two phones that normalise alike end in the
  same digits whatever separators they were typed with, so no match is lost, and unlike
  stripping separators with ``replace()`` it costs no function call per row.
* **other scalars** (lookups, numbers, dates): plain equality, which uses their indexes.
* **fuzzy text**: the other fields of the rule are equal (as above), and one of the text
  fields begins with the first two letters of one of the value's words, in any casing
  (``LIKE 'ad%' OR LIKE 'Ad%' …``). Names are rarely misspelled at their very start and a
  swapped "Lovelace Ada" still qualifies; the one loss is a typo in the first two letters of
  *every* word. (A length bound — the ratio of 90 caps the length difference — cost more per
  row in SQL than it saved; rapidfuzz's ``score_cutoff`` applies it in Python instead.)

Anything the SQL cannot express simply (polymorphic lookups) is left to Python.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Mapping

import sqlalchemy as sa

from metacrm.metadata.duplicates import FUZZY_TYPES, DuplicateRule, key_of

TEXT_LIKE = ("text", "long_text", "email", "url", "picklist")
PHONE_SUFFIX = 7
_SPACES = re.compile(r"\s+")


def candidate_clause(rule: DuplicateRule, table: sa.Table, record: Mapping[str, Any],
                     field_types: Mapping[str, str], dialect: str = "sqlite") -> sa.ColumnElement[bool] | None:
    """A WHERE term every record matching ``record`` under ``rule`` satisfies; None: nothing can match."""
    if key_of(rule, record, field_types) is None:
        return None
    terms: list[sa.ColumnElement[bool]] = []
    fuzzy_texts: list[str] = []
    for name in rule.fields:
        kind = field_types.get(name, "text")
        if rule.match == "fuzzy" and kind in FUZZY_TYPES:
            fuzzy_texts.append(name)
            continue
        column = table.c.get(name)
        if column is None:  # stored in several columns (a polymorphic lookup): Python decides
            continue
        terms.append(_equal(column, kind, record.get(name), dialect))
    if fuzzy_texts:
        term = _similar_text([table.c[n] for n in fuzzy_texts if n in table.c], [record.get(n) for n in fuzzy_texts],
                             dialect)
        if term is not None:
            terms.append(term)
    return sa.and_(sa.true(), *terms)


def _equal(column: Any, kind: str, value: Any, dialect: str) -> sa.ColumnElement[bool]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return column.is_(None) if kind not in TEXT_LIKE + ("phone",) else sa.or_(column.is_(None), column == "")
    if kind == "phone":
        digits = re.sub(r"\D", "", str(value)).lstrip("0")
        return column.like("%" + "%".join(digits[-PHONE_SUFFIX:])) if digits else column.is_not(None)
    if kind in TEXT_LIKE:
        typed = _SPACES.sub(" ", unicodedata.normalize("NFKC", str(value)).strip())
        if dialect == "sqlite":
            return column.collate("NOCASE") == typed
        # The byte length first: a plain comparison that spares ``lower()`` on nearly every row (it is
        # what a scan spends its time on); changing case keeps the length of all but a few letters (İ, ẞ).
        sizes = sorted({len(typed.encode()), len(typed.lower().encode())})
        return sa.and_(sa.func.octet_length(column).in_(sizes), sa.func.lower(column) == typed.lower())
    return column == value


def _similar_text(columns: list[Any], values: list[Any], dialect: str) -> sa.ColumnElement[bool] | None:
    words = _SPACES.sub(" ", " ".join(unicodedata.normalize("NFKC", str(v or "")) for v in values)).lower().split()
    if not words or not columns:
        return None
    # Every casing of each prefix ("ad", "Ad", "aD", "AD") as plain LIKE 'ad%' terms: cheaper per row than
    # lower(), and a btree index on the column can serve them. SQLite's LIKE ignores ASCII case already.
    prefixes = sorted({_cased(w[:2], mask) for w in words for mask in range(4)
                       if not (dialect == "sqlite" and w[:2].isascii()) or mask == 0})
    return sa.or_(*[c.startswith(p, autoescape=True) for c in columns for p in prefixes])


def _cased(prefix: str, mask: int) -> str:
    return "".join(ch.upper() if mask >> i & 1 else ch for i, ch in enumerate(prefix))
