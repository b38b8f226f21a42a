"""Import runs and the outcome of every imported row (docs/import.md).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

ID_TYPE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "metacrm_import_run",
        sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
        sa.Column("object", sa.String(40), nullable=False),
        sa.Column("file_key", sa.String(64), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("format", sa.String(40), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("processed", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("created", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("updated", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("skipped", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("failed", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("job_id", ID_TYPE, nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "metacrm_import_row",
        sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
        sa.Column("run_id", ID_TYPE, sa.ForeignKey("metacrm_import_run.id", ondelete="CASCADE"), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("record_id", ID_TYPE, nullable=True),
        sa.Column("errors", sa.JSON(), nullable=True),
        sa.UniqueConstraint("run_id", "row_number", name="uq_metacrm_import_row_number"),
    )


def downgrade() -> None:
    op.drop_table("metacrm_import_row")
    op.drop_table("metacrm_import_run")
