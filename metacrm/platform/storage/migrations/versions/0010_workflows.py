"""Workflows: the run log and round-robin assignment positions.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

ID_TYPE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "metacrm_workflow_run",
        sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
        sa.Column("object", sa.String(40), nullable=False),
        sa.Column("workflow", sa.String(40), nullable=False),
        sa.Column("record_id", ID_TYPE, nullable=True),
        sa.Column("trigger", sa.String(40), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("condition_result", sa.Boolean(), nullable=True),
        sa.Column("depth", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("actor_id", ID_TYPE, nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_metacrm_workflow_run_workflow", "metacrm_workflow_run", ["object", "workflow", "id"])
    op.create_index("ix_metacrm_workflow_run_status", "metacrm_workflow_run", ["status", "id"])
    op.create_table(
        "metacrm_workflow_round_robin",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("last_user_id", ID_TYPE, nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("metacrm_workflow_round_robin")
    op.drop_table("metacrm_workflow_run")
