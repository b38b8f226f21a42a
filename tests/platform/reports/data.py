"""Loading the reports test data into an app's platform (shared by the API, page and e2e tests)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from metacrm.platform.records import SYSTEM

from .conftest import BUNDLE, DEALS


def load_sales(platform: Any, owners: dict[str, int]) -> None:
    """The schema, reports and deals of conftest, the deals owned by ``owners[key]``."""
    plan = platform.metadata.plan(BUNDLE)
    platform.metadata.apply(plan, author="test", confirm=True)
    for who, title, stage, amount, probability, close_date, closed_at in DEALS:
        platform.records.create(SYSTEM, "deal", {
            "owner": owners[who], "title": title, "stage": stage, "amount": Decimal(amount),
            "probability": Decimal(probability), "close_date": close_date, "closed_at": closed_at,
            "margin": "10.00", "code": f"C-{title}", "score": 5})
