"""``metacrm outbox``: the operator reads a queued password-reset link."""

from __future__ import annotations

import sqlalchemy as sa

from metacrm.platform import outbox
from tests.test_cli import Run, metacrm, ready  # noqa: F401  (the CLI fixtures)


def test_outbox_lists_newest_first_and_filters_by_address(ready: Run, database_url: str) -> None:
    assert ready("outbox").output.strip() == "The outbox is empty."
    engine = sa.create_engine(database_url)
    try:
        outbox.queue(engine, to="ann@example.com", subject="First", body="one")
        outbox.queue(engine, to="bob@example.com", subject="Reset your password", body="link: /password/reset/x")
    finally:
        engine.dispose()
    lines = ready("outbox").output.splitlines()
    assert "Reset your password" in lines[0] and "First" in lines[1]
    only = ready("outbox", "--to", "BOB@example.com", "--body").output
    assert "First" not in only and "link: /password/reset/x" in only
