"""Applying a new object creates its table: system columns, one column per stored field, indexes."""

from __future__ import annotations

from typing import Any, Callable

import pytest
import sqlalchemy as sa

from metacrm.platform.runtime import Platform
from tests.conftest import fld, make_object
from tests.helpers import columns, indexes, insert_rows, tables

from .conftest import SYSTEM_COLUMNS, unique_indexes

Apply = Callable[..., Any]
DEAL = make_object("deal", fld("title"), fld("amount", "currency"), fld("close_date", "date"))


def test_a_new_object_becomes_a_table_with_system_columns_and_one_column_per_field(
        platform: Platform, apply: Apply) -> None:
    apply(DEAL)
    assert "obj_deal" in tables(platform)
    assert columns(platform, "deal") == SYSTEM_COLUMNS | {"title", "amount", "close_date"}


def test_applying_a_new_object_creates_version_one(platform: Platform, apply: Apply) -> None:
    version = apply(DEAL)
    assert version.id == 1
    assert platform.metadata.current().version == 1
    assert "deal" in platform.metadata.current().compiled.objects


def test_every_table_gets_indexes_on_the_owner_and_the_recycle_bin(platform: Platform, apply: Apply) -> None:
    apply(DEAL)
    assert indexes(platform, "deal") == {"ix_obj_deal_owner", "ix_obj_deal_updated_at", "ix_obj_deal_deleted_at"}


def test_unique_and_indexed_fields_get_their_indexes(platform: Platform, apply: Apply) -> None:
    apply(make_object("deal", fld("title"), fld("code", unique=True), fld("stage", indexed=True)))
    found = unique_indexes(platform, "deal")
    assert found["ux_obj_deal_code"] is True
    assert found["ix_obj_deal_stage"] is False


def test_a_unique_field_refuses_a_second_record_with_the_same_value(platform: Platform, apply: Apply) -> None:
    apply(make_object("deal", fld("title"), fld("code", unique=True)))
    insert_rows(platform, "deal", [{"title": "first", "code": "D-1"}])
    with pytest.raises(sa.exc.IntegrityError):
        insert_rows(platform, "deal", [{"title": "second", "code": "D-1"}])


def test_a_lookup_gets_an_index_on_its_reference_column(platform: Platform, apply: Apply) -> None:
    apply({"objects": [make_object("company", fld("name")),
                       make_object("deal", fld("title"), fld("company", "lookup", target="company"))]})
    assert "ix_obj_deal_company_ref" in indexes(platform, "deal")


def test_an_object_with_thirty_fields_applies_as_one_version(platform: Platform, apply: Apply) -> None:
    kinds = ("text", "integer", "decimal", "currency", "date", "datetime", "boolean", "long_text", "email",
             "percent")
    names = [f"field_{i:02d}" for i in range(30)]
    version = apply(make_object("wide", *[fld(name, kinds[i % len(kinds)]) for i, name in enumerate(names)]))
    assert version.id == 1
    assert [v.id for v in platform.metadata.history()] == [1]
    assert columns(platform, "wide") == SYSTEM_COLUMNS | set(names)


def test_several_objects_in_one_document_apply_as_one_version(platform: Platform, apply: Apply) -> None:
    version = apply({"objects": [make_object("company", fld("name")), DEAL]})
    assert version.id == 1
    assert {"obj_company", "obj_deal"} <= tables(platform)


def test_applying_the_same_definition_again_creates_no_version(platform: Platform, apply: Apply) -> None:
    apply(DEAL)
    assert apply(DEAL) is None
    assert [v.id for v in platform.metadata.history()] == [1]
