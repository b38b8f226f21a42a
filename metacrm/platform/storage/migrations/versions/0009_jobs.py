"""Jobs: the durable table behind background jobs (email, webhooks, scheduled workflow actions).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

ID_TYPE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
PENDING_KEY_WHERE = sa.text("status = 'pending' AND key IS NOT NULL")


def upgrade() -> None:
    op.create_table(
        "metacrm_job",
        sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(80), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("key", sa.String(200), nullable=True),
        sa.Column("cron", sa.String(100), nullable=True),
        sa.Column("status", sa.String(10), nullable=False, server_default="pending"),
        sa.Column("run_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("max_attempts", sa.Integer(), nullable=False, server_default="5"),
        sa.Column("handed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("worker", sa.String(120), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_metacrm_job_due", "metacrm_job", ["status", "run_at"])
    op.create_index("uq_metacrm_job_pending_key", "metacrm_job", ["key"], unique=True,
                    sqlite_where=PENDING_KEY_WHERE, postgresql_where=PENDING_KEY_WHERE)


def downgrade() -> None:
    op.drop_table("metacrm_job")
