"""The ``metacrm_setting`` table (migration 0007): one row per organisation setting an admin set.

Kept apart from ``org_settings`` so that declaring the platform's tables
imports no logic code.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..storage.platform_tables import platform_metadata

#: Keys left out use the environment's default; ``value`` is JSON.
setting_table = sa.Table(
    "metacrm_setting",
    platform_metadata,
    sa.Column("key", sa.String(60), primary_key=True),
    sa.Column("value", sa.JSON(), nullable=True),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_by", sa.String(254), nullable=False),
)
