"""The objects the query tests run against, as metadata documents and a compiled schema."""

from __future__ import annotations

from typing import Any

from metacrm.metadata.compiled import CompiledSchema, compile_schema
from metacrm.metadata.loader import load_bundle
from tests.conftest import fld, make_object

COMPANY = make_object(
    "company",
    fld("name"),
    fld("industry", "picklist", options=["Tech", "Retail", "Health"]),
    fld("employees", "integer"),
    fld("revenue", "currency"),
)
DEAL = make_object(
    "deal",
    fld("title", max_length=80),
    fld("amount", "currency"),
    fld("probability", "percent"),
    fld("stage", "picklist", options=["New", "Won", "Lost"]),
    fld("close_date", "date"),
    fld("closed_at", "datetime"),
    fld("is_hot", "boolean"),
    fld("score", "integer"),
    fld("company", "lookup", target="company", on_delete="set_null"),
    fld("tags", "multi_picklist", options=["A", "B", "C%"]),
    fld("related", "polymorphic_lookup", targets=["company", "deal"]),
    fld("attachment", "file"),
    fld("notes", "long_text"),
    fld("contact_email", "email"),
    fld("doubled", "formula", formula="amount * 2", result_type="currency", stored=False),
    search_fields=["title", "notes", "contact_email"],
)
BUNDLE: dict[str, Any] = {"objects": [COMPANY, DEAL]}


def compiled() -> CompiledSchema:
    return compile_schema(load_bundle(BUNDLE).bundle, 1)
