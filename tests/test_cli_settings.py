"""``metacrm settings show|set``: the organisation settings from the command line."""

from __future__ import annotations

import pytest

from metacrm.platform.logic import helpers
from tests.test_cli import Run, metacrm, ready  # noqa: F401  (the CLI fixtures)


@pytest.fixture(autouse=True)
def isolated_helpers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(helpers, "settings", helpers.LogicSettings())


def test_show_marks_defaults_and_set_validates(ready: Run) -> None:
    shown = ready("settings", "show").output
    assert "fiscal_year_start = 1  (default)" in shown and "holiday_country = null  (default)" in shown
    done = ready("settings", "set", "fiscal_year_start", "4")
    assert done.exit_code == 0 and done.output.strip() == "fiscal_year_start = 4"
    assert ready("settings", "set", "holiday_country", "US").exit_code == 0
    assert ready("settings", "set", "extra_holidays", "2025-12-24, 2025-12-31").output.strip() == \
        'extra_holidays = ["2025-12-24", "2025-12-31"]'
    shown = ready("settings", "show").output
    assert "fiscal_year_start = 4\n" in shown and 'holiday_country = "US"\n' in shown
    bad = ready("settings", "set", "fiscal_year_start", "13")
    assert bad.exit_code == 1 and "fiscal_year_start" in bad.output
    assert ready("settings", "set", "colour", "red").exit_code == 2  # not a setting: a usage error
    assert ready("settings", "set", "fiscal_year_start", "null").output.strip() == "fiscal_year_start = 1"
