"""Legal holds: records that may not be deleted, purged, anonymised or erased (docs/data.md).

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

ID_TYPE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "metacrm_legal_hold",
        sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
        sa.Column("object", sa.String(40), nullable=False),
        sa.Column("record_id", ID_TYPE, nullable=False),
        sa.Column("reason", sa.String(500), nullable=False, server_default=""),
        sa.Column("set_by", ID_TYPE, nullable=True),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("object", "record_id", name="uq_metacrm_legal_hold_record"),
    )


def downgrade() -> None:
    op.drop_table("metacrm_legal_hold")
