"""MetaCRM's own tables: metadata versions, archives, users, autonumbers.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ID_TYPE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "metacrm_meta_version",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author", sa.String(254), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False, server_default=""),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("restored_from", sa.Integer(), nullable=True),
        sa.Column("diff", sa.JSON(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
    )
    op.create_table(
        "metacrm_archive",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("object", sa.String(40), nullable=False),
        sa.Column("field", sa.String(40), nullable=True),
        sa.Column("physical_table", sa.String(63), nullable=False),
        sa.Column("physical_columns", sa.JSON(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("archived_in_version", sa.Integer(), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(12), nullable=False, server_default="archived"),
    )
    op.create_table(
        "metacrm_user",
        sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
        sa.Column("email", sa.String(254), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False, server_default=""),
        sa.Column("password_hash", sa.String(255), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("is_admin", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "metacrm_autonumber",
        sa.Column("object", sa.String(40), primary_key=True),
        sa.Column("field", sa.String(40), primary_key=True),
        sa.Column("next_value", sa.BigInteger(), nullable=False),
    )


def downgrade() -> None:
    for table in ("metacrm_autonumber", "metacrm_user", "metacrm_archive", "metacrm_meta_version"):
        op.drop_table(table)
