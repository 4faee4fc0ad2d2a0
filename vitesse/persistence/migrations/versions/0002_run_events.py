"""Add the HTTP API's run table (resume after a restart) and event log (SSE replay).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
RUN_STATE = ("running", "paused", "finished")


def _integration_fk(primary_key: bool = False) -> sa.Column[str]:
    return sa.Column(
        "integration_id",
        sa.String(64),
        sa.ForeignKey("integrations.id", ondelete="CASCADE"),
        nullable=False,
        primary_key=primary_key,
    )


def upgrade() -> None:
    op.create_table(
        "graph_runs",
        _integration_fk(primary_key=True),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column(
            "state",
            sa.Enum(*RUN_STATE, name="run_state", native_enum=False, create_constraint=True, length=32),
            nullable=False,
        ),
        sa.Column("inputs", JSON, nullable=False),
        sa.Column("context", JSON, nullable=False),
        sa.Column("actor", sa.String(255), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
    )
    op.create_index("ix_graph_runs_tenant", "graph_runs", ["tenant"])
    op.create_index("ix_graph_runs_state", "graph_runs", ["state"])

    op.create_table(
        "run_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _integration_fk(),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("data", JSON, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.UniqueConstraint("integration_id", "seq", name="uq_run_events_seq"),
    )


def downgrade() -> None:
    op.drop_table("run_events")
    op.drop_table("graph_runs")
