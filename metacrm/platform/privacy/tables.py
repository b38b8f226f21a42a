"""The ``metacrm_legal_hold`` table (migration ``0014``), declared beside the code that queries it."""

from __future__ import annotations

import sqlalchemy as sa

from ..storage.columns import ID_TYPE
from ..storage.platform_tables import platform_metadata

#: A record under legal hold: it may not be deleted, purged, anonymised or erased until an admin clears it.
legal_hold = sa.Table(
    "metacrm_legal_hold",
    platform_metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("object", sa.String(40), nullable=False),
    sa.Column("record_id", ID_TYPE, nullable=False),
    sa.Column("reason", sa.String(500), nullable=False, server_default=""),
    sa.Column("set_by", ID_TYPE, nullable=True),
    sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("object", "record_id", name="uq_metacrm_legal_hold_record"),
)
