"""The approval machinery's own tables: requests, their approvers per step, and every decision.

Declared on ``platform_metadata`` so the migration comparison test sees them;
their DDL is the alembic migration ``0011``.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..storage.columns import ID_TYPE
from ..storage.platform_tables import platform_metadata

#: One submission of one record to one approval process; ``step`` is the step awaiting decisions.
approval_request = sa.Table(
    "metacrm_approval_request",
    platform_metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("object", sa.String(40), nullable=False),
    sa.Column("record_id", ID_TYPE, nullable=False),
    sa.Column("process", sa.String(40), nullable=False),
    sa.Column("status", sa.String(12), nullable=False),  # pending | approved | rejected | recalled
    sa.Column("step", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("locks", sa.Boolean(), nullable=False),  # the record is read-only while pending
    sa.Column("submitted_by", ID_TYPE, nullable=True),  # None: the SYSTEM actor (a timed workflow)
    sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
    sa.Index("ix_metacrm_approval_request_record", "object", "record_id", "status"),
)

#: The approvers of every step, resolved at submission; ``decision`` is theirs once they decide.
approval_approver = sa.Table(
    "metacrm_approval_approver",
    platform_metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("request_id", ID_TYPE, nullable=False),
    sa.Column("step", sa.Integer(), nullable=False),
    sa.Column("user_id", ID_TYPE, nullable=False),
    sa.Column("decision", sa.String(12), nullable=True),  # approved | rejected
    sa.Column("comment", sa.Text(), nullable=True),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
    sa.Index("ix_metacrm_approval_approver_user", "user_id", "decision"),
    sa.Index("ix_metacrm_approval_approver_request", "request_id", "step"),
)

#: The audit trail of a request: who did what (submitted, approved, rejected, recalled), when, and why.
approval_event = sa.Table(
    "metacrm_approval_event",
    platform_metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("request_id", ID_TYPE, nullable=False),
    sa.Column("action", sa.String(20), nullable=False),
    sa.Column("step", sa.Integer(), nullable=True),
    sa.Column("actor_id", ID_TYPE, nullable=True),
    sa.Column("comment", sa.Text(), nullable=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_metacrm_approval_event_request", "request_id", "id"),
)
