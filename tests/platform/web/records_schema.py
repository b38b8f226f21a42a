"""A small CRM the record-page tests share: accounts, contacts (a lookup), deals (master-detail) and a role."""

from __future__ import annotations

from typing import Any

from tests.conftest import fld, make_object

ACCOUNT = make_object(
    "account", fld("name", required=True), fld("industry", "picklist", options=["Tech", "Retail"]),
    fld("website", "url"), fld("revenue", "currency"), fld("code", unique=True), fld("margin", "percent"),
    fld("secret_notes", "long_text"), icon="building", name_field="name")
CONTACT = make_object(
    "contact", fld("full_name", required=True), fld("email", "email"), fld("phone", "phone"),
    fld("account", "lookup", target="account", on_delete="set_null"), fld("birthday", "date"),
    fld("vip", "boolean"), fld("tags", "multi_picklist", options=["A", "B", "C"]),
    fld("last_call", "datetime"), fld("employees", "integer"), fld("score", "decimal", scale=2),
    fld("bio", "rich_text"), fld("ref", "autonumber", pattern="C-{0000}"),
    fld("doc", "file"), icon="person", name_field="full_name")
DEAL = make_object(
    "deal", fld("title", required=True), fld("amount", "currency"),
    fld("account", "master_detail", target="account"), name_field="title")
SALES = {"name": "sales", "objects": {
    "account": {"read": True, "create": True, "update": True},
    "contact": {"read": True, "create": True, "update": True}},
    "fields": {"account": {"secret_notes": "hidden", "revenue": "read_only"}}}
CRM = {"objects": [ACCOUNT, CONTACT, DEAL], "roles": [SALES]}


def apply(app: Any, document: Any) -> None:
    platform = app.extensions["metacrm"]
    platform.metadata.apply(platform.metadata.plan(document), author="test", confirm=True)
