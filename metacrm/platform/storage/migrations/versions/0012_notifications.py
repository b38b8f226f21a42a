"""Notifications for users, their email preference, and inbound-webhook secrets of workflows.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

ID_TYPE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "metacrm_notification",
        sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
        sa.Column("user_id", ID_TYPE, sa.ForeignKey("metacrm_user.id", ondelete="CASCADE"), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("object", sa.String(40), nullable=True),
        sa.Column("record_id", ID_TYPE, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_metacrm_notification_user", "metacrm_notification", ["user_id", "id"])
    op.create_table(
        "metacrm_notification_preference",
        sa.Column("user_id", ID_TYPE, sa.ForeignKey("metacrm_user.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("email", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "metacrm_workflow_hook_secret",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("salt", sa.String(64), nullable=False),
        sa.Column("fingerprint", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", ID_TYPE, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("metacrm_workflow_hook_secret")
    op.drop_table("metacrm_notification_preference")
    op.drop_index("ix_metacrm_notification_user", "metacrm_notification")
    op.drop_table("metacrm_notification")
