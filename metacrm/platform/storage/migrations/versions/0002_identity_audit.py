"""Identity and audit: user profile columns, roles, API tokens, login attempts, field history, logs.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ID_TYPE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # No foreign key on manager_id: SQLite cannot add one to an existing table; the user service checks it.
    for column in (
        sa.Column("locale", sa.String(20), nullable=False, server_default="en"),
        sa.Column("time_zone", sa.String(64), nullable=False, server_default="UTC"),
        sa.Column("manager_id", ID_TYPE, nullable=True),
        sa.Column("is_portal", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("totp_secret", sa.String(64), nullable=True),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True),
    ):
        op.add_column("metacrm_user", column)
    op.create_table(
        "metacrm_user_role",
        sa.Column("user_id", ID_TYPE, sa.ForeignKey("metacrm_user.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("role", sa.String(40), primary_key=True),
    )
    op.create_table(
        "metacrm_api_token",
        sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
        sa.Column("user_id", ID_TYPE, sa.ForeignKey("metacrm_user.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("scope", sa.String(10), nullable=False, server_default="write"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "metacrm_login_attempt",
        sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("ip", sa.String(64), nullable=False, server_default=""),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_metacrm_login_attempt_email_at", "metacrm_login_attempt", ["email", "at"])
    op.create_table(
        "metacrm_field_history",
        sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
        sa.Column("object", sa.String(40), nullable=False),
        sa.Column("record_id", ID_TYPE, nullable=False),
        sa.Column("operation", sa.String(10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("actor_id", ID_TYPE, nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
    )
    op.create_index("ix_metacrm_field_history_record", "metacrm_field_history", ["object", "record_id"])
    op.create_table(
        "metacrm_access_log",
        sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", ID_TYPE, nullable=True),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("object", sa.String(40), nullable=False),
        sa.Column("record_ids", sa.JSON(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("purpose", sa.String(200), nullable=False, server_default=""),
    )
    op.create_index("ix_metacrm_access_log_object_at", "metacrm_access_log", ["object", "at"])
    op.create_table(
        "metacrm_security_log",
        sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", ID_TYPE, nullable=True),
        sa.Column("event", sa.String(40), nullable=False),
        sa.Column("subject", sa.String(254), nullable=False, server_default=""),
        sa.Column("ip", sa.String(64), nullable=False, server_default=""),
        sa.Column("detail", sa.JSON(), nullable=False),
    )
    op.create_index("ix_metacrm_security_log_event_at", "metacrm_security_log", ["event", "at"])


def downgrade() -> None:
    for table in ("metacrm_security_log", "metacrm_access_log", "metacrm_field_history", "metacrm_login_attempt",
                  "metacrm_api_token", "metacrm_user_role"):
        op.drop_table(table)
    with op.batch_alter_table("metacrm_user") as batch:
        for column in ("password_changed_at", "last_login_at", "totp_secret", "is_portal", "manager_id",
                       "time_zone", "locale"):
            batch.drop_column(column)
