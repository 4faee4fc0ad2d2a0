"""Create the guide's tables, plus deployments, sync runs and API keys.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the column types, so later model changes never rewrite this migration.
TIMESTAMP = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
INTEGRATION_STATUS = (
    "initializing",
    "discovering",
    "mapping",
    "testing",
    "deploying",
    "active",
    "failed",
    "review",
    "ready",
)
AUDIT_ACTION = ("created", "updated", "tested", "healed", "reviewed", "deployed", "failed", "destroyed")
TEST_CATEGORY = ("ok", "auth", "rate_limit", "schema", "not_found", "server", "connectivity", "timeout", "transform")
SYNC_RUN_STATUS = ("running", "succeeded", "partial", "failed")


def _enum(values: tuple[str, ...], name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _integration_fk() -> sa.Column[str]:
    return sa.Column(
        "integration_id", sa.String(64), sa.ForeignKey("integrations.id", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "integrations",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("created_by", sa.String(255), nullable=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("user_intent", sa.Text(), nullable=False),
        sa.Column("source_api_name", sa.String(255), nullable=False),
        sa.Column("dest_api_name", sa.String(255), nullable=False),
        sa.Column("source_api_url", sa.Text(), nullable=True),
        sa.Column("dest_api_url", sa.Text(), nullable=True),
        sa.Column("status", _enum(INTEGRATION_STATUS, "integration_status"), nullable=False),
        sa.Column("source_spec", JSON, nullable=True),
        sa.Column("dest_spec", JSON, nullable=True),
        sa.Column("source_spec_digest", sa.String(64), nullable=True),
        sa.Column("dest_spec_digest", sa.String(64), nullable=True),
        sa.Column("mapping_logic", JSON, nullable=True),
        sa.Column("mapping_version", sa.Integer(), nullable=True),
        sa.Column("health_score", JSON, nullable=True),
        sa.Column("overall_score", sa.Float(), nullable=True),
        sa.Column("deployment_config", JSON, nullable=True),
        sa.Column("deployment_url", sa.Text(), nullable=True),
        sa.Column("container_id", sa.String(255), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("source_auth_enc", sa.Text(), nullable=True),
        sa.Column("dest_auth_enc", sa.Text(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
    )
    op.create_index("ix_integrations_tenant", "integrations", ["tenant"])
    op.create_index("ix_integrations_tenant_status", "integrations", ["tenant", "status"])

    op.create_table(
        "transformations",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _integration_fk(),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("mapping_version", sa.Integer(), nullable=False),
        sa.Column("dest_field", sa.String(512), nullable=False),
        sa.Column("source_fields", JSON, nullable=False),
        sa.Column("transform_type", sa.String(32), nullable=False),
        sa.Column("transform_config", JSON, nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.UniqueConstraint("integration_id", "position", name="uq_transformations_position"),
    )
    op.create_index("ix_transformations_integration_id", "transformations", ["integration_id"])

    op.create_table(
        "test_results",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _integration_fk(),
        sa.Column("run_key", sa.String(128), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("endpoint", sa.Text(), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response_time_ms", sa.Float(), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("category", _enum(TEST_CATEGORY, "test_category"), nullable=False),
        sa.Column("fields", JSON, nullable=False),
        sa.Column("timestamp", TIMESTAMP, nullable=False),
        sa.UniqueConstraint("integration_id", "run_key", "position", name="uq_test_results_run"),
    )
    op.create_index("ix_test_results_integration_id", "test_results", ["integration_id"])

    # No foreign key: the audit trail outlives the integration it describes.
    op.create_table(
        "integration_audit_logs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("integration_id", sa.String(64), nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("action", _enum(AUDIT_ACTION, "audit_action"), nullable=False),
        sa.Column("actor", sa.String(255), nullable=False),
        sa.Column("details", JSON, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
    )
    op.create_index("ix_audit_integration_created", "integration_audit_logs", ["integration_id", "created_at"])
    op.create_index("ix_integration_audit_logs_tenant", "integration_audit_logs", ["tenant"])

    op.create_table(
        "deployments",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _integration_fk(),
        sa.Column("target", sa.String(32), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("external_id", sa.String(512), nullable=True),
        sa.Column("config", JSON, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
    )
    op.create_index("ix_deployments_integration_id", "deployments", ["integration_id"], unique=True)

    op.create_table(
        "sync_runs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _integration_fk(),
        sa.Column("started_at", TIMESTAMP, nullable=False),
        sa.Column("finished_at", TIMESTAMP, nullable=True),
        sa.Column("records_read", sa.Integer(), nullable=False),
        sa.Column("records_written", sa.Integer(), nullable=False),
        sa.Column("records_failed", sa.Integer(), nullable=False),
        sa.Column("status", _enum(SYNC_RUN_STATUS, "sync_run_status"), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
    )
    op.create_index("ix_sync_runs_integration_started", "sync_runs", ["integration_id", "started_at"])

    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("hashed_key", sa.String(128), nullable=False, unique=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("revoked_at", TIMESTAMP, nullable=True),
    )
    op.create_index("ix_api_keys_tenant", "api_keys", ["tenant"])


def downgrade() -> None:
    for table in (
        "api_keys",
        "sync_runs",
        "deployments",
        "integration_audit_logs",
        "test_results",
        "transformations",
        "integrations",
    ):
        op.drop_table(table)
