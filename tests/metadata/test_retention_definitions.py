"""Retention policies and the personal-data flag: loaded, round-tripped, checked with JSON paths."""

from __future__ import annotations

import datetime as dt

import pytest

from metacrm.metadata.errors import MetadataError
from metacrm.metadata.loader import load_bundle
from metacrm.metadata.retention import anonymised_values, cutoff, personal_fields


def person(**extra: object) -> dict:
    return {"objects": [{"name": "person", "name_field": "last_name", **extra,
                         "fields": [{"name": "first_name", "type": "text"},
                                    {"name": "last_name", "type": "text", "required": True},
                                    {"name": "email", "type": "email"}, {"name": "ssn", "type": "text",
                                                                         "sensitive": True},
                                    {"name": "city", "type": "text"}, {"name": "seen", "type": "date"}]}]}


def test_a_policy_and_the_flag_load_and_round_trip() -> None:
    doc = person(personal_data=True, retention={"after_years": 7, "action": "anonymise",
                                                "anonymise_fields": ["city"]})
    obj = load_bundle(doc).bundle.objects["person"]
    assert obj.personal_data and obj.retention.after_years == 7 and obj.retention.anonymise_fields == ("city",)
    assert obj.to_json()["retention"] == {"after_years": 7, "action": "anonymise", "anonymise_fields": ["city"]}
    assert set(personal_fields(obj)) == {"first_name", "last_name", "email", "ssn", "city"}
    assert anonymised_values(obj, 9, personal_fields(obj))["last_name"] == "Erased person #9"


@pytest.mark.parametrize("policy, path", [
    ({"after_years": 0}, "retention.after_years"),
    ({"after_years": 3, "action": "delete"}, "retention.action"),
    ({"after_years": 3, "inactivity_field": "city"}, "retention.inactivity_field"),
    ({"after_years": 3, "anonymise_fields": ["nope"]}, "retention.anonymise_fields[0]"),
])
def test_bad_policies_name_the_json_path(policy: dict, path: str) -> None:
    with pytest.raises(MetadataError) as caught:
        load_bundle(person(retention=policy))
    assert any(path in str(issue.path) or path.split(".")[-1] in str(issue) for issue in caught.value.issues)


def test_the_cutoff_is_n_years_back() -> None:
    assert cutoff(dt.date(2026, 2, 28), load_bundle(person(retention={"after_years": 7})).bundle
                  .objects["person"].retention) == dt.datetime(2019, 2, 28, tzinfo=dt.timezone.utc)
