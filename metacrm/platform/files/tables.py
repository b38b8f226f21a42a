"""The ``metacrm_file`` table (migration ``0008``), declared beside the code that queries it."""

from __future__ import annotations

import sqlalchemy as sa

from ..storage.columns import ID_TYPE
from ..storage.platform_tables import platform_metadata

#: One uploaded file. ``key`` is the random, unguessable token a reference carries; ``attached_at`` stays
#: NULL until a record saves the reference, so orphans (uploads nobody saved) can be pruned.
file = sa.Table(
    "metacrm_file",
    platform_metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("key", sa.String(64), nullable=False, unique=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("content_type", sa.String(120), nullable=False),
    sa.Column("size", sa.BigInteger(), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("bytes", sa.LargeBinary(), nullable=False),
    sa.Column("created_by", sa.Integer(), nullable=True),  # NULL: the system (imports, workflows)
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("attached_at", sa.DateTime(timezone=True), nullable=True),
    sa.Index("ix_metacrm_file_orphans", "attached_at", "created_at"),
)
