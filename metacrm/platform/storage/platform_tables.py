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
)

#: Next value per autonumber field; incremented inside the record's transaction.
autonumber = sa.Table(
    "metacrm_autonumber",
    platform_metadata,
    sa.Column("object", sa.String(40), primary_key=True),
    sa.Column("field", sa.String(40), primary_key=True),
    sa.Column("next_value", sa.BigInteger(), nullable=False),
)
