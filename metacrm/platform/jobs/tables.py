"""The durable job table (migration 0009): the truth about every background job.

RQ or the in-process thread only *deliver* job ids; whether a job is due,
running, done or failed is decided here, by atomic updates of one row.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..storage.columns import ID_TYPE
from ..storage.platform_tables import platform_metadata

STATUSES = ("pending", "running", "done", "failed", "cancelled")
PENDING_KEY_WHERE = sa.text("status = 'pending' AND key IS NOT NULL")

job = sa.Table(
    "metacrm_job",
    platform_metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(80), nullable=False),
    sa.Column("payload", sa.JSON(), nullable=False),
    sa.Column("key", sa.String(200), nullable=True),  # idempotency / re-planning key (one pending job per key)
    sa.Column("cron", sa.String(100), nullable=True),  # recurring: the next run is planned when this one ends
    sa.Column("status", sa.String(10), nullable=False, server_default="pending"),
    sa.Column("run_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("max_attempts", sa.Integer(), nullable=False, server_default="5"),
    sa.Column("handed_at", sa.DateTime(timezone=True), nullable=True),  # last handed to RQ / the thread
    sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),  # running: the claim's deadline
    sa.Column("worker", sa.String(120), nullable=True),
    sa.Column("last_error", sa.Text(), nullable=True),
    sa.Column("result", sa.JSON(), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    sa.Index("ix_metacrm_job_due", "status", "run_at"),
    sa.Index("uq_metacrm_job_pending_key", "key", unique=True,
             sqlite_where=PENDING_KEY_WHERE, postgresql_where=PENDING_KEY_WHERE),
)
