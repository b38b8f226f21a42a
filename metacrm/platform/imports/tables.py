"""The import tables (migration ``0013``), declared beside the code that uses them.

``metacrm_import_run`` is one import: its file (in the file store), options,
status and counters; ``processed`` is how many data rows have a committed
outcome, so a killed job resumes right after the last committed chunk.
``metacrm_import_row`` keeps the outcome of every row (created, updated,
skipped, failed, with the record id or the errors), committed in the same
transaction as the records of its chunk.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..storage.columns import ID_TYPE
from ..storage.platform_tables import platform_metadata

import_run = sa.Table(
    "metacrm_import_run",
    platform_metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("object", sa.String(40), nullable=False),
    sa.Column("file_key", sa.String(64), nullable=False),
    sa.Column("file_name", sa.String(255), nullable=False),
    sa.Column("format", sa.String(40), nullable=False),
    sa.Column("options", sa.JSON(), nullable=False),  # mapping, mode, key, date_format
    sa.Column("status", sa.String(20), nullable=False),  # pending, running, done, failed
    sa.Column("total", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("processed", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("created", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("updated", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("skipped", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("failed", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("error", sa.Text(), nullable=True),
    sa.Column("job_id", ID_TYPE, nullable=True),
    sa.Column("created_by", sa.Integer(), nullable=True),  # NULL: the system (CLI without --as)
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
)

import_row = sa.Table(
    "metacrm_import_row",
    platform_metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("run_id", ID_TYPE, sa.ForeignKey("metacrm_import_run.id", ondelete="CASCADE"), nullable=False),
    sa.Column("row_number", sa.Integer(), nullable=False),
    sa.Column("line", sa.Integer(), nullable=False),
    sa.Column("action", sa.String(10), nullable=False),  # created, updated, skipped, failed
    sa.Column("record_id", ID_TYPE, nullable=True),
    sa.Column("errors", sa.JSON(), nullable=True),
    sa.UniqueConstraint("run_id", "row_number", name="uq_metacrm_import_row_number"),
)
