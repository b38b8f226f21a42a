"""Which tables a backup holds, in an order a restore can insert them in.

Every platform table declared on ``platform_metadata`` goes in (users with their
password hashes, roles, tokens, shares, field history, the access and security
logs, packs, settings, files with their bytes, jobs, workflow runs, approvals,
notifications, legal holds), in foreign-key order, then every object table of
the current metadata, recycle-bin rows included. What is left out, and why:
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .. import runtime as _runtime  # noqa: F401  (imports every module that declares a platform table)
from ..storage.platform_tables import platform_metadata

#: Tables a backup leaves out, with the reason docs/data.md repeats.
EXCLUDED = {
    "metacrm_login_attempt": "throttling state of failed logins: short-lived, and restoring it would lock "
                             "people out for attempts made on another server",
    "alembic_version": "written by the platform migrations the restore runs",
}


def platform_tables(conn: Connection) -> list[sa.Table]:
    """The declared platform tables this database has, parents before children."""
    present = set(sa.inspect(conn).get_table_names())
    return [t for t in platform_metadata.sorted_tables if t.name in present and t.name not in EXCLUDED]
