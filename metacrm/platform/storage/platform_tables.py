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

#: Record-level access (migration 0003). Every table is keyed by (object, record_id) because records
#: of different objects share ids; the (user_id, object) / (role, object) indexes serve the access
#: predicate, which asks "which records of this object are opened to me?".
record_share = sa.Table(
    "metacrm_record_share",
    platform_metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("object", sa.String(40), nullable=False),
    sa.Column("record_id", ID_TYPE, nullable=False),
    sa.Column("user_id", ID_TYPE, sa.ForeignKey("metacrm_user.id", ondelete="CASCADE"), nullable=True),
    sa.Column("role", sa.String(40), nullable=True),  # exactly one of user_id and role is set
    sa.Column("access", sa.String(4), nullable=False),  # read | edit
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", ID_TYPE, nullable=True),
    sa.Index("ix_metacrm_record_share_record", "object", "record_id"),
    sa.Index("ix_metacrm_record_share_user", "user_id", "object", "record_id"),
    sa.Index("ix_metacrm_record_share_role", "role", "object", "record_id"),
)

#: Users attached to one record (a care team, a deal team), each with read or edit access.
record_team = sa.Table(
    "metacrm_record_team",
    platform_metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("object", sa.String(40), nullable=False),
    sa.Column("record_id", ID_TYPE, nullable=False),
    sa.Column("user_id", ID_TYPE, sa.ForeignKey("metacrm_user.id", ondelete="CASCADE"), nullable=False),
    sa.Column("team_role", sa.String(60), nullable=False, server_default=""),  # e.g. "nurse", free text
    sa.Column("access", sa.String(4), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", ID_TYPE, nullable=True),
    sa.UniqueConstraint("object", "record_id", "user_id", name="uq_metacrm_record_team_member"),
    sa.Index("ix_metacrm_record_team_user", "user_id", "object", "record_id"),
)

#: Ethical walls: this user never sees this record, whatever grants it (admins included).
record_deny = sa.Table(
    "metacrm_record_deny",
    platform_metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("object", sa.String(40), nullable=False),
    sa.Column("record_id", ID_TYPE, nullable=False),
    sa.Column("user_id", ID_TYPE, sa.ForeignKey("metacrm_user.id", ondelete="CASCADE"), nullable=False),
    sa.Column("reason", sa.String(500), nullable=False, server_default=""),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", ID_TYPE, nullable=True),
    sa.UniqueConstraint("object", "record_id", "user_id", name="uq_metacrm_record_deny_user"),
    sa.Index("ix_metacrm_record_deny_user", "user_id", "object", "record_id"),
)

#: Outgoing email waiting for delivery (or for an admin to read, until SMTP is configured).
outbox = sa.Table(
    "metacrm_outbox",
    platform_metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(40), nullable=False, server_default="email"),
    sa.Column("to_address", sa.String(254), nullable=False),
    sa.Column("subject", sa.String(250), nullable=False),
    sa.Column("body", sa.Text(), nullable=False),
    sa.Column("status", sa.String(10), nullable=False, server_default="queued"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text(), nullable=True),
    sa.Index("ix_metacrm_outbox_status", "status", "id"),
    sa.Index("ix_metacrm_outbox_to", "to_address"),
)

#: Personal list views (migration 0005): a user's saved column/filter/sort state of one object's list,
#: kept as the list URL's query string so it replays exactly through the query language.
saved_view = sa.Table(
    "metacrm_saved_view",
    platform_metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("user_id", ID_TYPE, sa.ForeignKey("metacrm_user.id", ondelete="CASCADE"), nullable=False),
    sa.Column("object", sa.String(40), nullable=False),
    sa.Column("label", sa.String(120), nullable=False),
    sa.Column("state", sa.Text(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("user_id", "object", "label", name="uq_metacrm_saved_view_label"),
)

#: Installed packs (migration 0006): the manifest and the canonical definitions of the installed
#: version, the base of the three-way merge when the pack is upgraded.
pack = sa.Table(
    "metacrm_pack",
    platform_metadata,
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

#: A pack's demo records by their stable external ids, so loading demo data twice creates nothing new
#: and ``{"_ref": "account:acme"}`` resolves to the record created for it.
pack_record = sa.Table(
    "metacrm_pack_record",
    platform_metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("pack", sa.String(40), nullable=False),
    sa.Column("object", sa.String(40), nullable=False),
    sa.Column("external_id", sa.String(200), nullable=False),
    sa.Column("record_id", ID_TYPE, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("pack", "object", "external_id", name="uq_metacrm_pack_record_external"),
)

from ..files import tables as _files_tables  # noqa: E402,F401  (metacrm_file, migration 0008)
from ..logic import settings_table as _settings_table  # noqa: E402,F401  (metacrm_setting, migration 0007)
from ..imports import tables as _imports_tables  # noqa: E402,F401  (import runs and rows, migration 0013)
from ..privacy import tables as _privacy_tables  # noqa: E402,F401  (metacrm_legal_hold, migration 0014)
