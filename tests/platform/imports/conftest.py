"""An account and a contact with two lookups, the shape most imports have."""

from __future__ import annotations

from typing import Any

import pytest

from metacrm.platform.imports.service import ImportService
from tests.conftest import fld, make_object


@pytest.fixture
def crm(platform: Any, apply: Any) -> Any:
    apply({"objects": [
        make_object("account", fld("name", required=True), fld("erp_id", unique=True), name_field="name"),
        make_object("person", fld("full_name", required=True), fld("email", "email", unique=True),
                    fld("born", "date"), fld("vip", "boolean"),
                    fld("stage", "picklist", options=[{"value": "new", "label": "New lead"},
                                                      {"value": "won", "label": "Customer"}]),
                    fld("account", "lookup", target="account"), fld("referrer", "lookup", target="account"),
                    name_field="full_name"),
    ]})
    platform.records.bulk_create(_system(), "account", [{"name": "Acme", "erp_id": "ERP-1"},
                                                        {"name": "Globex", "erp_id": "ERP-2"},
                                                        {"name": "Twin", "erp_id": "T-1"},
                                                        {"name": "Twin", "erp_id": "T-2"}])
    return platform


def _system() -> Any:
    from metacrm.platform.records.actor import SYSTEM

    return SYSTEM


@pytest.fixture
def imports(crm: Any) -> ImportService:
    return ImportService(crm)
