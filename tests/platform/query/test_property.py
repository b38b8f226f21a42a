"""Whatever a client sends, parse_query answers with a Query or a QueryError — never a crash."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metacrm.platform.query import Query, QueryError, parse_query
from metacrm.platform.query.cursor import encode_cursor
from metacrm.platform.query.model import OPERATORS
from metacrm.platform.query.parse import RESERVED

from .schema import compiled

SCHEMA = compiled()
DEAL = SCHEMA.objects["deal"]
FIELDS = [*DEAL.fields, "id", "created_at", "owner", "version", "company__industry", "company__revenue",
          "company__created_at", "nope"]
TRICKY = ["", " ", "today", "last_n_days:99999999", "next_n_days:-1", "this_month:3", "1e999999", "9" * 40, "-0",
          "NaN", "Infinity", "[1", '["A"]', "company:1", "company:x", "deal:99999999999999999999", ",", "|", "\\",
          "\\,", "2026-02-30", "0001-01-01", "9999-12-31", "0001-01-01T00:00:00+05:00",
          "9999-12-31T23:59:59-05:00", "true", "Won", "A", "C%", "%", "_", "\x00", "1,2", "5,1", "a=b", "-amount",
          "sum:amount", "avg:title", "count", "stage,stage", encode_cursor("deal", "id", [1])]

values = st.one_of(st.sampled_from(TRICKY), st.text(max_size=30),
                   st.lists(st.sampled_from(TRICKY), min_size=1, max_size=4).map(",".join))
keys = st.one_of(
    st.sampled_from([*RESERVED, *FIELDS, "format"]),
    st.text(max_size=20),
    st.builds(lambda f, op: f"{f}__{op}", st.sampled_from(FIELDS), st.one_of(st.sampled_from(OPERATORS),
                                                                              st.text(max_size=8))),
)
alternatives = st.lists(st.builds(lambda k, v: f"{k}={v}", keys, values), min_size=1, max_size=4).map("|".join)
params = st.dictionaries(keys, st.lists(st.one_of(values, alternatives), min_size=1, max_size=3), max_size=6)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=params, today=st.dates(), max_limit=st.integers(min_value=0, max_value=500))
def test_random_parameters_parse_or_raise_query_error(params: dict[str, list[str]], today: dt.date,
                                                      max_limit: int) -> None:
    try:
        query = parse_query(DEAL, SCHEMA, params, today=today, max_limit=max_limit)
    except QueryError as exc:
        assert exc.errors and all({"parameter", "message", "valid"} == set(e) for e in exc.errors)
    else:
        assert isinstance(query, Query)
        assert query.grouped or query.sort[-1].ref.name == "id"
