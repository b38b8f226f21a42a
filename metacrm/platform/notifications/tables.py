"""The notification tables (migration ``0012``): in-app messages and who wants them by email.

Declared on ``platform_metadata`` so the migration comparison test sees them.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..storage.columns import ID_TYPE
from ..storage.platform_tables import platform_metadata

#: One message for one user ("Acme was won"), optionally about one record; unread until ``read_at``.
notification = sa.Table(
    "metacrm_notification",
    platform_metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("user_id", ID_TYPE, sa.ForeignKey("metacrm_user.id", ondelete="CASCADE"), nullable=False),
    sa.Column("message", sa.Text(), nullable=False),
    sa.Column("object", sa.String(40), nullable=True),
    sa.Column("record_id", ID_TYPE, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
    sa.Index("ix_metacrm_notification_user", "user_id", "id"),
)

#: A user's choice to get notifications by email too (no row: in the app only).
notification_preference = sa.Table(
    "metacrm_notification_preference",
    platform_metadata,
    sa.Column("user_id", ID_TYPE, sa.ForeignKey("metacrm_user.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("email", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)
