"""Each field type gets the widget that fits it, with validators as HTML hints, and values travel as typed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from wtforms.validators import InputRequired, Length, Optional

from metacrm.metadata.layouts import default_layout
from metacrm.platform.web.forms import FORMS, FormFactory, WidgetSpec

from .records_schema import CRM, apply


@pytest.fixture
def contact(app: Any) -> Any:
    apply(app, CRM)
    live = app.extensions["metacrm"].metadata.current()
    return live.compiled.objects["contact"], live.compiled.objects["account"]


def render(app: Any, obj: Any, **data: Any) -> tuple[Any, str]:
    form_cls = FORMS.build(obj, default_layout(obj.definition), version=-1)
    with app.test_request_context("/"):
        form = form_cls(data={f"f_{k}": v for k, v in data.items()})
        html = {name: str(form.field(name)()) for name in form.slots if form.field(name) is not None}
        return form, html  # type: ignore[return-value]


def test_each_type_gets_its_widget(app: Any, contact: Any) -> None:
    person, account = contact
    form, html = render(app, person)
    kinds = {name: slot.spec.kind for name, slot in form.slots.items()}
    assert kinds["full_name"] == "input" and 'type="text"' in html["full_name"]
    assert 'type="email"' in html["email"] and 'autocomplete="email"' in html["email"]
    assert 'type="tel"' in html["phone"]
    assert 'type="date"' in html["birthday"] and 'type="datetime-local"' in html["last_call"]
    assert 'type="number"' in html["employees"] and 'step="1"' in html["employees"]
    assert 'step="0.01"' in html["score"]
    assert kinds["vip"] == "switch" and 'type="checkbox"' in html["vip"] and 'role="switch"' in html["vip"]
    assert kinds["tags"] == "multiselect" and "multiple" in html["tags"]
    assert kinds["account"] == "lookup" and 'data-url="/o/contact/lookup/account"' in html["account"]
    assert 'data-create-url="/o/contact/lookup/account/new"' in html["account"]
    assert kinds["bio"] == "textarea" and "<textarea" in html["bio"] and 'data-widget="rich-text"' in html["bio"]
    assert kinds["ref"] == "display"  # autonumber
    assert kinds["doc"] == "file" and 'type="file"' in html["doc"] and form.has_files()
    assert kinds["created_at"] == "display" and form.slots["owner"].read_only
    form, html = render(app, account)
    assert form.slots["revenue"].spec.addon == "$" and 'type="number"' in html["revenue"]
    assert form.slots["margin"].spec.suffix == "%"
    assert 'type="url"' in html["website"] and "<select" in html["industry"]
    assert "— None —" in html["industry"]


def test_validators_are_hints_from_the_definition(app: Any, contact: Any) -> None:
    person, _ = contact
    form, html = render(app, person)
    name = form.field("full_name")
    assert any(isinstance(v, InputRequired) for v in name.validators) and "required" in html["full_name"]
    assert any(isinstance(v, Length) and v.max == 255 for v in name.validators)
    assert 'maxlength="255"' in html["full_name"]
    assert any(isinstance(v, Optional) for v in form.field("email").validators)
    assert 'maxlength="254"' in html["email"]


def test_values_are_shaped_for_the_record_service_not_validated(app: Any, contact: Any) -> None:
    person, _ = contact
    form_cls = FORMS.build(person, default_layout(person.definition), version=-1)
    with app.test_request_context("/", method="POST", data={
            "full_name": "Ann", "employees": "lots", "tags": ["A", "C"], "vip": "y", "last_call": "2026-01-31T14:30",
            "email": "", "account": "7"}):
        data = form_cls().record_data()
    assert data["full_name"] == "Ann" and data["employees"] == "lots"  # the service says what is wrong
    assert data["tags"] == ["A", "C"] and data["vip"] is True and data["email"] is None
    assert data["last_call"] == "2026-01-31T14:30:00+00:00" and data["account"] == "7"
    assert "ref" not in data and "owner" not in data and "created_at" not in data


def test_stored_values_are_shown_in_the_inputs(app: Any, contact: Any) -> None:
    person, account = contact
    record = {"full_name": "Ann", "score": Decimal("1.50"), "birthday": dt.date(2000, 2, 29), "tags": ["B"],
              "last_call": dt.datetime(2026, 1, 31, 14, 30, tzinfo=dt.timezone.utc), "vip": True, "account": 3}
    form_cls = FORMS.build(person, default_layout(person.definition), version=-1)
    with app.test_request_context("/"):
        form = form_cls(data=form_cls.initial(record))
        assert 'value="1.50"' in str(form.field("score")()) and 'value="2000-02-29"' in str(form.field("birthday")())
        assert 'value="2026-01-31T14:30"' in str(form.field("last_call")())
        assert "checked" in str(form.field("vip")()) and form.field("tags").data == ["B"]


def test_a_plugin_registers_the_widget_of_its_field_type(app: Any, contact: Any) -> None:
    person, _ = contact
    factory = FormFactory()
    factory.register("phone", lambda f, o: WidgetSpec(None, "display"))
    form_cls = factory.build(person, default_layout(person.definition))
    assert form_cls.slots["phone"].spec.kind == "display" and form_cls.field is not None
    assert FORMS.build(person, default_layout(person.definition), version=-1).slots["phone"].spec.kind == "input"
