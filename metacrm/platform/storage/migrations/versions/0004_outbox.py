"""Outbox: outgoing email queued in a table (password-reset links first, workflow email later).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ID_TYPE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "metacrm_outbox",
        sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(40), nullable=False, server_default="email"),
        sa.Column("to_address", sa.String(254), nullable=False),
        sa.Column("subject", sa.String(250), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False, server_default="queued"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text(), nullable=True),
    )
    op.create_index("ix_metacrm_outbox_status", "metacrm_outbox", ["status", "id"])
    op.create_index("ix_metacrm_outbox_to", "metacrm_outbox", ["to_address"])


def downgrade() -> None:
    op.drop_table("metacrm_outbox")
