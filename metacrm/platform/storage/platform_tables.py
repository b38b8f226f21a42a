"""MetaCRM's own tables (not generated from metadata).

Their DDL is owned by the alembic migrations in ``migrations/versions``;
these definitions are what the code queries, and a test checks that the
migrated database matches them.
"""

from __future__ import annotations

import sqlalchemy as sa

from .columns import ID_TYPE

platform_metadata = sa.MetaData()

#: One row per applied metadata change; ``snapshot`` is the whole bundle at that version.
meta_version = sa.Table(
    "metacrm_meta_version",
    platform_metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("author", sa.String(254), nullable=False),
    sa.Column("reason", sa.Text(), nullable=False, server_default=""),
    sa.Column("kind", sa.String(20), nullable=False),  # apply | rollback | pack
    sa.Column("restored_from", sa.Integer(), nullable=True),
    sa.Column("diff", sa.JSON(), nullable=False),
    sa.Column("snapshot", sa.JSON(), nullable=False),
)

#: Columns and tables kept after their field or object was removed, until purged.
archive = sa.Table(
    "metacrm_archive",
    platform_metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("object", sa.String(40), nullable=False),
    sa.Column("field", sa.String(40), nullable=True),  # NULL: the whole object's table
    sa.Column("physical_table", sa.String(63), nullable=False),
    sa.Column("physical_columns", sa.JSON(), nullable=False),  # [[archived_name, original_name], ...]
    sa.Column("definition", sa.JSON(), nullable=False),
    sa.Column("archived_in_version", sa.Integer(), nullable=False),
    sa.Column("archived_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("state", sa.String(12), nullable=False, server_default="archived"),  # archived|restored|purged
)

user = sa.Table(
    "metacrm_user",
    platform_metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("email", sa.String(254), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False, server_default=""),
    sa.Column("password_hash", sa.String(255), nullable=True),
    sa.Column("is_active", sa.Boolean(), nullable=False, server_default=sa.true()),
    sa.Column("is_admin", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("locale", sa.String(20), nullable=False, server_default="en"),
    sa.Column("time_zone", sa.String(64), nullable=False, server_default="UTC"),
    sa.Column("manager_id", ID_TYPE, nullable=True),  # checked by the user service (no FK on SQLite)
    sa.Column("is_portal", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column("totp_secret", sa.String(64), nullable=True),
    sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True),
)

user_role = sa.Table(
    "metacrm_user_role",
    platform_metadata,
    sa.Column("user_id", ID_TYPE, sa.ForeignKey("metacrm_user.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("role", sa.String(40), primary_key=True),
)

#: API tokens: only a SHA-256 of the token is stored; ``prefix`` lets a user tell tokens apart.
api_token = sa.Table(
    "metacrm_api_token",
    platform_metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("user_id", ID_TYPE, sa.ForeignKey("metacrm_user.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("prefix", sa.String(16), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("scope", sa.String(10), nullable=False, server_default="write"),  # read | write
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
)

login_attempt = sa.Table(
    "metacrm_login_attempt",
    platform_metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("email", sa.String(254), nullable=False),
    sa.Column("ip", sa.String(64), nullable=False, server_default=""),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("succeeded", sa.Boolean(), nullable=False),
    sa.Index("ix_metacrm_login_attempt_email_at", "email", "at"),
)

#: Field history: one row per record change, ``changes`` = {field: [old, new]} as JSON values.
field_history = sa.Table(
    "metacrm_field_history",
    platform_metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("object", sa.String(40), nullable=False),
    sa.Column("record_id", ID_TYPE, nullable=False),
    sa.Column("operation", sa.String(10), nullable=False),
    sa.Column("version", sa.Integer(), nullable=True),
    sa.Column("actor_id", ID_TYPE, nullable=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("changes", sa.JSON(), nullable=False),
    sa.Index("ix_metacrm_field_history_record", "object", "record_id"),
)

#: Reads of sensitive objects and fields (who saw which records, when, why).
access_log = sa.Table(
    "metacrm_access_log",
    platform_metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor_id", ID_TYPE, nullable=True),
    sa.Column("action", sa.String(20), nullable=False),
    sa.Column("object", sa.String(40), nullable=False),
    sa.Column("record_ids", sa.JSON(), nullable=False),
    sa.Column("fields", sa.JSON(), nullable=False),
    sa.Column("purpose", sa.String(200), nullable=False, server_default=""),
    sa.Index("ix_metacrm_access_log_object_at", "object", "at"),
)

#: Logins, failed logins, token use, permission and metadata changes.
security_log = sa.Table(
    "metacrm_security_log",
    platform_metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor_id", ID_TYPE, nullable=True),
    sa.Column("event", sa.String(40), nullable=False),
    sa.Column("subject", sa.String(254), nullable=False, server_default=""),
    sa.Column("ip", sa.String(64), nullable=False, server_default=""),
    sa.Column("detail", sa.JSON(), nullable=False),
    sa.Index("ix_metacrm_security_log_event_at", "event", "at"),
)

#: Next value per autonumber field; incremented inside the record's transaction.
autonumber = sa.Table(
    "metacrm_autonumber",
    platform_metadata,
    sa.Column("object", sa.String(40), primary_key=True),
    sa.Column("field", sa.String(40), primary_key=True),
    sa.Column("next_value", sa.BigInteger(), nullable=False),
)
