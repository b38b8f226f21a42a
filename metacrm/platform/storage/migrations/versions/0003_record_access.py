"""Record-level access: manual shares, record teams and denies (ethical walls).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ID_TYPE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _user_fk(nullable: bool) -> sa.Column:
    return sa.Column("user_id", ID_TYPE, sa.ForeignKey("metacrm_user.id", ondelete="CASCADE"), nullable=nullable)


def upgrade() -> None:
    # Keyed by (object, record_id): records of different objects share ids. The (user_id|role, object,
    # record_id) indexes answer the access predicate's "which records of this object are opened to me?".
    op.create_table(
        "metacrm_record_share",
        sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
        sa.Column("object", sa.String(40), nullable=False),
        sa.Column("record_id", ID_TYPE, nullable=False),
        _user_fk(True),
        sa.Column("role", sa.String(40), nullable=True),
        sa.Column("access", sa.String(4), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", ID_TYPE, nullable=True),
    )
    op.create_index("ix_metacrm_record_share_record", "metacrm_record_share", ["object", "record_id"])
    op.create_index("ix_metacrm_record_share_user", "metacrm_record_share", ["user_id", "object", "record_id"])
    op.create_index("ix_metacrm_record_share_role", "metacrm_record_share", ["role", "object", "record_id"])
    op.create_table(
        "metacrm_record_team",
        sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
        sa.Column("object", sa.String(40), nullable=False),
        sa.Column("record_id", ID_TYPE, nullable=False),
        _user_fk(False),
        sa.Column("team_role", sa.String(60), nullable=False, server_default=""),
        sa.Column("access", sa.String(4), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", ID_TYPE, nullable=True),
        sa.UniqueConstraint("object", "record_id", "user_id", name="uq_metacrm_record_team_member"),
    )
    op.create_index("ix_metacrm_record_team_user", "metacrm_record_team", ["user_id", "object", "record_id"])
    op.create_table(
        "metacrm_record_deny",
        sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
        sa.Column("object", sa.String(40), nullable=False),
        sa.Column("record_id", ID_TYPE, nullable=False),
        _user_fk(False),
        sa.Column("reason", sa.String(500), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", ID_TYPE, nullable=True),
        sa.UniqueConstraint("object", "record_id", "user_id", name="uq_metacrm_record_deny_user"),
    )
    op.create_index("ix_metacrm_record_deny_user", "metacrm_record_deny", ["user_id", "object", "record_id"])


def downgrade() -> None:
    for table in ("metacrm_record_deny", "metacrm_record_team", "metacrm_record_share"):
        op.drop_table(table)
