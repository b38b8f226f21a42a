"""A small clinic for field-security tests over HTTP: a nurse who sees the SSN masked and never the HIV status.

The hidden field's name, label and value are distinctive, so a test can look
for them in the raw bytes of any response the nurse gets.
"""

from __future__ import annotations

from typing import Any

from tests.conftest import ADMIN_PASSWORD, basic_auth, fld, make_object

from .conftest import Records

NURSE_EMAIL = "nurse@example.com"
#: Every spelling of the hidden field a response might carry: its name, its label, and its value.
HIDDEN_MARKS = (b"hiv_status", b"hiv status", b"xyzzy")
SSN = "123-45-6789"
PATIENT = make_object("patient", fld("name", required=True), {**fld("ssn"), "mask": {"show_last": 4}},
                      fld("hiv_status", help_text="Hiv status"), fld("ward"), fld("notes", "long_text"),
                      search_fields=["name", "ssn", "hiv_status"])
VISIT = make_object("visit", fld("reason"), fld("patient", "lookup", target="patient"))
PAYROLL = make_object("payroll", fld("employee"), fld("salary", "currency"))
ROLES = {"roles": [{"name": "nurse",
                    "objects": {"patient": {"read": True, "create": True, "update": True},
                                "visit": {"read": True, "create": True, "update": True, "delete": True}},
                    "fields": {"patient": {"ssn": "masked", "hiv_status": "hidden", "ward": "read_only"}}}]}


def open_clinic(app: Any, records: Records) -> tuple[Records, dict[str, Any]]:
    """Apply the clinic as the admin, create the nurse and one patient; (the nurse's API, the patient)."""
    for document in (PATIENT, VISIT, PAYROLL):
        response = records.client.put(f"/api/v1/metadata/objects/{document['name']}", json=document,
                                      headers=records.headers)
        assert response.status_code == 201, response.get_data(as_text=True)
    platform = app.extensions["metacrm"]
    platform.metadata.apply(platform.metadata.plan(ROLES), author="test")
    platform.users.create(NURSE_EMAIL, ADMIN_PASSWORD, roles=["nurse"])
    patient = records.create("patient", name="Ann Lee", ssn=SSN, hiv_status="XYZZY-positive", ward="B2")
    records.create("visit", reason="cough", patient=patient["id"])
    records.create("payroll", employee="Ann", salary="1000")
    return Records(records.client, basic_auth(NURSE_EMAIL, ADMIN_PASSWORD)), patient


def leaks(response: Any) -> list[bytes]:
    """The marks of the hidden field found in a response (headers and body), lower-cased."""
    raw = (str(response.headers) + "\n").encode().lower() + response.get_data().lower()
    return [mark for mark in HIDDEN_MARKS if mark in raw]
