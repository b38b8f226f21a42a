"""The inbound-webhook secrets table (migration ``0012``, which the notifications share).

A row holds a random salt, never the secret: the secret is derived from the
salt and the server's key when a request is verified (``inbound.py`` says why).
"""

from __future__ import annotations

import sqlalchemy as sa

from ..storage.columns import ID_TYPE
from ..storage.platform_tables import platform_metadata

workflow_hook_secret = sa.Table(
    "metacrm_workflow_hook_secret",
    platform_metadata,
    sa.Column("key", sa.String(100), primary_key=True),  # <object>:<workflow>
    sa.Column("salt", sa.String(64), nullable=False),
    sa.Column("fingerprint", sa.String(16), nullable=False),  # first hex digits of sha256(secret): which one is live
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", ID_TYPE, nullable=True),
)
