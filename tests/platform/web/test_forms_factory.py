"""The factory: classes cached per version/layout/security, layouts' sections and overrides, field security."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from metacrm.metadata.layouts import default_layout
from metacrm.platform.web.forms import FORMS

from .conftest import USER_EMAIL, USER_PASSWORD, sign_in
from .records_schema import ACCOUNT, CRM, SALES, apply


@pytest.fixture(autouse=True)
def crm(app: Any) -> None:
    apply(app, CRM)


def account(app: Any) -> Any:
    return app.extensions["metacrm"].metadata.current().compiled.objects["account"]


def test_classes_are_cached_per_version_layout_and_field_security(app: Any) -> None:
    obj = account(app)
    layout = default_layout(obj.definition)
    first = FORMS.build(obj, layout, version=7)
    assert FORMS.build(obj, layout, version=7) is first
    assert FORMS.build(obj, layout, version=8) is not first
    restricted = FORMS.build(obj, layout, hidden=frozenset({"secret_notes"}), version=7)
    assert restricted is not first and "secret_notes" not in restricted.slots and "secret_notes" in first.slots
    same_version_elsewhere = replace(obj, fields={k: v for k, v in obj.fields.items() if k != "code"})
    assert "code" not in FORMS.build(same_version_elsewhere, layout, version=7).slots  # another database's v7
    locked = FORMS.build(obj, layout, read_only=frozenset({"revenue"}), version=7)
    assert locked.slots["revenue"].read_only and "revenue" not in locked.editable()


def test_the_default_layout_orders_fields_and_adds_a_collapsed_system_section(app: Any) -> None:
    obj = account(app)
    form_cls = FORMS.build(obj, default_layout(obj.definition), version=-1)
    details, system = form_cls.sections
    assert details.names[0] == "name" and details.columns == 2 and not details.collapsed
    assert system.collapsed and set(system.names) == {"owner", "created_by", "created_at", "updated_by",
                                                      "updated_at"}


def test_a_layout_for_a_role_places_sections_and_applies_overrides(app: Any, client: Any, plain_user: Any) -> None:
    layout = {"name": "sales_view", "roles": ["sales"], "highlights": ["industry"],
              "sections": [{"label": "Basics", "columns": 1, "fields": ["name", "industry", "website"]},
                           {"label": "Money", "collapsed": True, "fields": ["revenue", "margin"]}],
              "overrides": {"website": {"read_only": True}, "margin": {"hidden": True},
                            "industry": {"help": "Pick the closest"}}}
    apply(app, {"objects": [{**ACCOUNT, "layouts": [layout]}], "roles": [SALES]})
    app.extensions["metacrm"].users.set_roles(plain_user.id, ["sales"])
    acme = app.extensions["metacrm"].records.create(
        __import__("metacrm.platform.records", fromlist=["SYSTEM"]).SYSTEM, "account",
        {"name": "Acme", "margin": "12.5", "website": "https://acme.example"})
    sign_in(client, USER_EMAIL, USER_PASSWORD)
    html = client.get(f"/o/account/{acme['id']}/edit").get_data(as_text=True)
    assert html.index("Basics") < html.index("Money") and "Pick the closest" in html
    assert 'id="f-margin"' not in html and 'id="f-code"' not in html
    assert "disabled" in html[html.index('id="f-website"') - 200:html.index('id="f-website"') + 200]
    page = client.get(f"/o/account/{acme['id']}").get_data(as_text=True)
    assert 'data-highlight="industry"' in page and 'aria-expanded="false" aria-controls="section-2"' in page
    # the admin (no role layout) gets the default layout
    other = app.test_client()
    sign_in(other)
    assert 'id="f-margin"' in other.get(f"/o/account/{acme['id']}/edit").get_data(as_text=True)
