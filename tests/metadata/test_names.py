"""Names admins choose become SQL identifiers and query keys; the rules keep them safe."""

from __future__ import annotations

import pytest

from metacrm.metadata.names import field_name_problem, name_problem, suggest_name


@pytest.mark.parametrize("name", ["deal", "close_date", "a1", "x_y_z"])
def test_good_names(name: str) -> None:
    assert name_problem(name) is None


@pytest.mark.parametrize("name", ["", "Deal", "1deal", "deal_", "de__al", "_deal", "deal-x", "x" * 41, "order",
                                  "class", "match"])
def test_bad_names(name: str) -> None:
    assert name_problem(name) is not None


@pytest.mark.parametrize("name", ["id", "owner", "version", "created_at", "limit", "sort", "q"])
def test_field_names_cannot_shadow_system_columns_or_query_keys(name: str) -> None:
    assert field_name_problem(name) is not None


@pytest.mark.parametrize("label,name", [("Close Date", "close_date"), ("  Annual revenue ($) ", "annual_revenue"),
                                        ("2nd phone", "x_2nd_phone"), ("Order", "order_value")])
def test_labels_suggest_valid_names(label: str, name: str) -> None:
    assert suggest_name(label) == name
    assert name_problem(suggest_name(label)) is None
