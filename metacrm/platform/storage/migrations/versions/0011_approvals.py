"""Approvals: requests, their approvers per step, and the decision trail.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

ID_TYPE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "metacrm_approval_request",
        sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
        sa.Column("object", sa.String(40), nullable=False),
        sa.Column("record_id", ID_TYPE, nullable=False),
        sa.Column("process", sa.String(40), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("locks", sa.Boolean(), nullable=False),
        sa.Column("submitted_by", ID_TYPE, nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_metacrm_approval_request_record", "metacrm_approval_request",
                    ["object", "record_id", "status"])
    op.create_table(
        "metacrm_approval_approver",
        sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
        sa.Column("request_id", ID_TYPE, nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("user_id", ID_TYPE, nullable=False),
        sa.Column("decision", sa.String(12), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_metacrm_approval_approver_user", "metacrm_approval_approver", ["user_id", "decision"])
    op.create_index("ix_metacrm_approval_approver_request", "metacrm_approval_approver", ["request_id", "step"])
    op.create_table(
        "metacrm_approval_event",
        sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
        sa.Column("request_id", ID_TYPE, nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("step", sa.Integer(), nullable=True),
        sa.Column("actor_id", ID_TYPE, nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_metacrm_approval_event_request", "metacrm_approval_event", ["request_id", "id"])


def downgrade() -> None:
    op.drop_table("metacrm_approval_event")
    op.drop_table("metacrm_approval_approver")
    op.drop_table("metacrm_approval_request")
