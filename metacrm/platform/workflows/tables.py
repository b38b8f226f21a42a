"""The workflow engine's own tables: the run log and round-robin positions.

Declared on ``platform_metadata`` so the migration comparison test sees them;
their DDL is the alembic migration ``0010``.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..storage.columns import ID_TYPE
from ..storage.platform_tables import platform_metadata

#: One row per workflow run: what fired it, whether its condition held, and each action's outcome.
workflow_run = sa.Table(
    "metacrm_workflow_run",
    platform_metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("object", sa.String(40), nullable=False),
    sa.Column("workflow", sa.String(40), nullable=False),
    sa.Column("record_id", ID_TYPE, nullable=True),
    sa.Column("trigger", sa.String(40), nullable=False),  # the event: record.created, time, manual...
    sa.Column("status", sa.String(12), nullable=False),  # succeeded | failed | cut | error
    sa.Column("condition_result", sa.Boolean(), nullable=True),  # None: no condition, or it could not run
    sa.Column("depth", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("actions", sa.JSON(), nullable=False),  # [{index, type, status, duration_ms, error?, detail?}]
    sa.Column("error", sa.Text(), nullable=True),
    sa.Column("actor_id", ID_TYPE, nullable=True),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    sa.Index("ix_metacrm_workflow_run_workflow", "object", "workflow", "id"),
    sa.Index("ix_metacrm_workflow_run_status", "status", "id"),
)

#: Where each round-robin assignment stands: the user it gave the last record to.
workflow_round_robin = sa.Table(
    "metacrm_workflow_round_robin",
    platform_metadata,
    sa.Column("key", sa.String(200), primary_key=True),  # object:workflow:action index
    sa.Column("last_user_id", ID_TYPE, nullable=True),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)
