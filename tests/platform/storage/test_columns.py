"""Which columns a field type needs, and the foreign keys each database can hold."""

from __future__ import annotations

from typing import Any, Callable

import sqlalchemy as sa

from metacrm.platform.runtime import Platform
from tests.conftest import fld, make_object
from tests.helpers import columns

from .conftest import SYSTEM_COLUMNS, raw_column

Apply = Callable[..., Any]
COMPANY = make_object("company", fld("name"))


def test_a_polymorphic_lookup_is_stored_as_object_and_id_columns(platform: Platform, apply: Apply) -> None:
    apply({"objects": [COMPANY, make_object("contact", fld("name")),
                       make_object("task", fld("subject"),
                                   fld("regarding", "polymorphic_lookup", targets=["company", "contact"]))]})
    assert columns(platform, "task") == SYSTEM_COLUMNS | {"subject", "regarding_object", "regarding_id"}


def test_a_formula_computed_on_read_has_no_column_and_a_stored_one_has(platform: Platform, apply: Apply) -> None:
    apply(make_object("deal", fld("title"),
                      fld("shout", "formula", formula="upper(title)", result_type="text", stored=False),
                      fld("whisper", "formula", formula="lower(title)", result_type="text")))
    assert columns(platform, "deal") == SYSTEM_COLUMNS | {"title", "whisper"}


def test_a_multi_currency_object_gets_a_currency_code_column(platform: Platform, apply: Apply) -> None:
    apply(make_object("deal", fld("title"), fld("amount", "currency"), multi_currency=True))
    assert columns(platform, "deal") == SYSTEM_COLUMNS | {"title", "amount", "currency_code"}


def test_turning_multi_currency_off_archives_the_currency_codes(platform: Platform, apply: Apply) -> None:
    apply(make_object("deal", fld("title"), multi_currency=True))
    with platform.engine.begin() as conn:
        conn.execute(platform.schema.get().tables["deal"].insert().values(
            title="t", currency_code="EUR", created_at=sa.func.now(), updated_at=sa.func.now()))
    apply(make_object("deal", fld("title")))
    assert "currency_code" not in columns(platform, "deal")
    assert raw_column(platform, "obj_deal", "arc_v2_currency_code") == ["EUR"]


def test_lookups_get_a_foreign_key_where_the_database_can_add_one(platform: Platform, apply: Apply) -> None:
    """PostgreSQL enforces lookups itself; SQLite cannot add a constraint to an existing table."""
    apply({"objects": [COMPANY, make_object("deal", fld("title"), fld("company", "lookup", target="company"))]})
    keys = sa.inspect(platform.engine).get_foreign_keys("obj_deal")
    expected = ([("fk_obj_deal_company", ["company"], "obj_company")]
                if platform.engine.dialect.name == "postgresql" else [])
    assert [(k["name"], k["constrained_columns"], k["referred_table"]) for k in keys] == expected
