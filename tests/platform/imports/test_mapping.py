"""Columns are matched to fields by name, label, external names or a close spelling; the user can edit."""

from __future__ import annotations

from typing import Any

import pytest

from metacrm.platform.imports import ImportFileError
from metacrm.platform.imports.mapping import auto_map, check_mapping, parse_map


def test_auto_mapping_by_name_label_and_close_spelling(crm: Any) -> None:
    live = crm.schema.get()
    person = live.compiled.objects["person"]
    columns = ["FULL NAME", "E-mail", "born", "Acount", "Unrelated", "full_name"]
    assert auto_map(columns, person) == {"FULL NAME": "full_name", "E-mail": "email", "born": "born",
                                         "Acount": "account"}


def test_the_cli_map_syntax(crm: Any) -> None:
    assert parse_map("Name=full_name, Ref=account.erp_id", ["Name", "Ref"]) == {"Name": "full_name",
                                                                                "Ref": "account.erp_id"}
    with pytest.raises(ImportFileError, match='no column "Nope"'):
        parse_map("Nope=full_name", ["Name"])
    with pytest.raises(ImportFileError, match="Column=field"):
        parse_map("Name", ["Name"])


def test_mapping_problems_are_sentences(crm: Any) -> None:
    live = crm.schema.get()
    person = live.compiled.objects["person"]
    problems = check_mapping({"A": "full_name", "B": "full_name", "C": "email.x", "D": "account.nope"},
                             person, live.compiled.objects)
    assert problems == ['columns "A" and "B" both fill full_name',
                        'column "C": only a lookup can be matched by another field ("email.x")',
                        'column "D": account has no field "nope"']
