"""A small sales org for record-level access tests: a role hierarchy, sharing rules, a portal.

Deals are private. Who owns what (``DEALS``) and who should see and edit what
(``READ``/``EDIT``) are written out by hand, so the tests compare against an
answer worked out independently of the predicate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from metacrm.platform.records import Actor
from metacrm.platform.records.actor import SYSTEM
from metacrm.platform.runtime import Platform
from metacrm.platform.storage.platform_tables import user as user_table
from tests.conftest import ADMIN_PASSWORD, fld, make_object

CRUD = {"create": True, "read": True, "update": True, "delete": True}
DOC: dict[str, Any] = {
    "objects": [
        make_object("account", fld("name"), fld("portal_user", "integer")),
        make_object("deal", fld("title", portal_visible=True), fld("region"), fld("amount", "integer"),
                    fld("account", "lookup", target="account", on_delete="set_null"),
                    sharing="private",
                    sharing_rules=[{"name": "emea_deals", "criteria": {"region": "EMEA"}, "roles": ["emea_sales"]},
                                   {"name": "big_deals", "criteria": "amount__gte=1000", "roles": ["sales_manager"],
                                    "access": "edit"}],
                    portal={"via": "account__portal_user"}),
        make_object("memo", fld("body"), sharing="public_read"),
    ],
    "roles": [
        {"name": "sales_vp", "objects": {"deal": CRUD, "memo": CRUD, "account": CRUD}},
        {"name": "sales_manager", "reports_to": "sales_vp", "objects": {"deal": CRUD, "memo": CRUD, "account": CRUD}},
        {"name": "rep", "reports_to": "sales_manager", "objects": {"deal": CRUD, "memo": CRUD, "account": CRUD}},
        {"name": "emea_sales", "objects": {"deal": {"read": True, "update": True}, "account": {"read": True}}},
        {"name": "auditor", "objects": {"deal": {"read": True, "update": True, "view_all": True}}},
        {"name": "ops", "objects": {"deal": {"read": True, "update": True, "delete": True, "modify_all": True}}},
        {"name": "customer", "objects": {"deal": {"read": True, "update": True}, "account": {"read": True},
                                         "memo": {"read": True}}},
    ],
}
USERS = {"rep1": ("rep",), "rep2": ("rep",), "mgr": ("sales_manager",), "vp": ("sales_vp",),
         "emea": ("emea_sales",), "auditor": ("auditor",), "ops": ("ops",), "boss": (), "client": ("customer",)}
#: deal title → (owner, region, amount, linked to the portal client's account)
DEALS = {"d1": ("rep1", "EMEA", 10, False), "d2": ("rep1", "US", 5000, False), "d3": ("rep2", "US", 10, True),
         "d4": ("mgr", "APAC", 10, False), "d5": ("vp", "US", 10, False)}
ALL = set(DEALS)
READ = {"rep1": {"d1", "d2"}, "rep2": {"d3"}, "mgr": {"d1", "d2", "d3", "d4"}, "vp": ALL, "emea": {"d1"},
        "auditor": ALL, "ops": ALL, "boss": ALL, "client": {"d3"}}
EDIT = {"rep1": {"d1", "d2"}, "rep2": {"d3"}, "mgr": {"d1", "d2", "d3", "d4"}, "vp": ALL, "emea": set(),
        "auditor": set(), "ops": ALL, "boss": ALL, "client": set()}


@dataclass
class Org:
    platform: Platform
    actors: dict[str, Actor]
    deals: dict[str, int]  # title → id
    account: int

    def title_of(self, record_id: int) -> str:
        return {v: k for k, v in self.deals.items()}[record_id]


def email(name: str) -> str:
    return f"{name}@example.com"


def build_org(platform: Platform, apply: Any) -> Org:
    apply(DOC)
    actors = {}
    for name, roles in USERS.items():
        u = platform.users.create(email(name), ADMIN_PASSWORD, roles=roles, is_admin=name == "boss")
        if name == "client":
            with platform.engine.begin() as conn:
                conn.execute(sa.update(user_table).where(user_table.c.id == u.id).values(is_portal=True))
            u = platform.users.get(u.id)
        actors[name] = Actor.from_user(u)
    account = platform.records.create(SYSTEM, "account", {"name": "Acme", "portal_user": actors["client"].id})["id"]
    deals = {}
    for title, (owner, region, amount, linked) in DEALS.items():
        deals[title] = platform.records.create(SYSTEM, "deal", {
            "title": title, "region": region, "amount": amount, "owner": actors[owner].id,
            "account": account if linked else None})["id"]
    return Org(platform, actors, deals, account)
