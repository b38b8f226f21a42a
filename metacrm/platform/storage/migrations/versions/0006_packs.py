"""Packs: the registry of installed packs and the external ids of their demo records.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

ID_TYPE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "metacrm_pack",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("version", sa.String(60), nullable=False),
        sa.Column("label", sa.String(120), nullable=False),
        sa.Column("manifest", sa.JSON(), nullable=False),
        sa.Column("definitions", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(500), nullable=False, server_default=""),
        sa.Column("meta_version", sa.Integer(), nullable=True),
        sa.Column("installed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("installed_by", sa.String(254), nullable=False),
        sa.Column("upgraded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("demo_loaded_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "metacrm_pack_record",
        sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
        sa.Column("pack", sa.String(40), nullable=False),
        sa.Column("object", sa.String(40), nullable=False),
        sa.Column("external_id", sa.String(200), nullable=False),
        sa.Column("record_id", ID_TYPE, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("pack", "object", "external_id", name="uq_metacrm_pack_record_external"),
    )


def downgrade() -> None:
    op.drop_table("metacrm_pack_record")
    op.drop_table("metacrm_pack")
