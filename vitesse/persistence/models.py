"""Declare the guide's tables as typed SQLAlchemy 2 models.

Specs, mappings, health scores and deployment configs are stored as JSON (`model_dump(mode="json")`
of the `vitesse.schemas` types) and read back through `to_schema()`. Credentials live only as Fernet
tokens in `source_auth_enc` / `dest_auth_enc` (see `crypto.py`). Audit rows keep no foreign key, so the
trail of a destroyed integration survives it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum, StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy import Enum as SAEnum
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncAttrs
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from vitesse.schemas import (
    APISpecification,
    DataTransformation,
    DeploymentConfig,
    HealthScore,
    IntegrationInstance,
    IntegrationStatus,
    MappingLogic,
    TestCategory,
    TestResult,
    TransformType,
)

DEFAULT_TENANT = "default"


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Store aware datetimes in UTC; give back aware datetimes on SQLite too (it keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")


def _enum(enum_cls: type[Enum], name: str) -> SAEnum:
    """A portable enum column: VARCHAR holding the enum's values, with a CHECK constraint."""
    return SAEnum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class AuditAction(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    TESTED = "tested"
    HEALED = "healed"
    REVIEWED = "reviewed"
    DEPLOYED = "deployed"
    FAILED = "failed"
    DESTROYED = "destroyed"


class SyncRunStatus(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    PARTIAL = "partial"
    FAILED = "failed"


class Base(AsyncAttrs, DeclarativeBase):
    pass


class Integration(Base):
    __tablename__ = "integrations"
    __table_args__ = (Index("ix_integrations_tenant_status", "tenant", "status"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64), default=DEFAULT_TENANT, index=True)
    created_by: Mapped[str | None] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255), default="")
    user_intent: Mapped[str] = mapped_column(Text, default="")
    source_api_name: Mapped[str] = mapped_column(String(255), default="")
    dest_api_name: Mapped[str] = mapped_column(String(255), default="")
    source_api_url: Mapped[str | None] = mapped_column(Text)
    dest_api_url: Mapped[str | None] = mapped_column(Text)
    status: Mapped[IntegrationStatus] = mapped_column(
        _enum(IntegrationStatus, "integration_status"), default=IntegrationStatus.INITIALIZING
    )
    source_spec: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    dest_spec: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    source_spec_digest: Mapped[str | None] = mapped_column(String(64))
    dest_spec_digest: Mapped[str | None] = mapped_column(String(64))
    mapping_logic: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    mapping_version: Mapped[int | None] = mapped_column(Integer)
    health_score: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    overall_score: Mapped[float | None] = mapped_column(Float)
    deployment_config: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    deployment_url: Mapped[str | None] = mapped_column(Text)
    container_id: Mapped[str | None] = mapped_column(String(255))
    error: Mapped[str | None] = mapped_column(Text)
    source_auth_enc: Mapped[str | None] = mapped_column(Text)
    dest_auth_enc: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def to_schema(self, *, with_specs: bool = True) -> IntegrationInstance:
        """Return the shared `IntegrationInstance` this row stores (credentials are never included).

        `with_specs=False` leaves both API specs out (and never touches their columns, which a
        spec-free query does not load).
        """
        return IntegrationInstance(
            id=self.id,
            name=self.name,
            source_api_name=self.source_api_name,
            dest_api_name=self.dest_api_name,
            source_api_url=self.source_api_url,
            dest_api_url=self.dest_api_url,
            user_intent=self.user_intent,
            status=self.status,
            source_spec=_load(APISpecification, self.source_spec) if with_specs else None,
            dest_spec=_load(APISpecification, self.dest_spec) if with_specs else None,
            mapping_logic=_load(MappingLogic, self.mapping_logic),
            health_score=_load(HealthScore, self.health_score),
            deployment_config=_load(DeploymentConfig, self.deployment_config),
            deployment_url=self.deployment_url,
            container_id=self.container_id,
            created_by=self.created_by,
            error=self.error,
            created_at=self.created_at,
            updated_at=self.updated_at,
        )


def _load(model: Any, data: dict[str, Any] | None) -> Any:
    return None if data is None else model.model_validate(data)


class Transformation(Base):
    __tablename__ = "transformations"
    __table_args__ = (UniqueConstraint("integration_id", "position", name="uq_transformations_position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    integration_id: Mapped[str] = mapped_column(ForeignKey("integrations.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    mapping_version: Mapped[int] = mapped_column(Integer, default=1)
    dest_field: Mapped[str] = mapped_column(String(512))
    source_fields: Mapped[list[str]] = mapped_column(JSONType, default=list)
    transform_type: Mapped[str] = mapped_column(String(32))
    transform_config: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    confidence: Mapped[float] = mapped_column(Float, default=1.0)
    rationale: Mapped[str] = mapped_column(Text, default="")
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def to_schema(self) -> DataTransformation:
        """Return the shared `DataTransformation` this row stores."""
        return DataTransformation(
            source_fields=list(self.source_fields or []),
            dest_field=self.dest_field,
            transform_type=TransformType(self.transform_type),
            transform_config=dict(self.transform_config or {}),
            confidence=self.confidence,
            rationale=self.rationale,
            required=self.required,
        )


class TestResultRow(Base):
    __tablename__ = "test_results"
    __test__ = False
    __table_args__ = (UniqueConstraint("integration_id", "run_key", "position", name="uq_test_results_run"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    integration_id: Mapped[str] = mapped_column(ForeignKey("integrations.id", ondelete="CASCADE"), index=True)
    run_key: Mapped[str] = mapped_column(String(128))
    position: Mapped[int] = mapped_column(Integer)
    endpoint: Mapped[str] = mapped_column(Text)
    method: Mapped[str] = mapped_column(String(16))
    status_code: Mapped[int | None] = mapped_column(Integer)
    response_time_ms: Mapped[float] = mapped_column(Float, default=0.0)
    success: Mapped[bool] = mapped_column(Boolean, default=False)
    error_message: Mapped[str | None] = mapped_column(Text)
    category: Mapped[TestCategory] = mapped_column(_enum(TestCategory, "test_category"), default=TestCategory.OK)
    fields: Mapped[list[str]] = mapped_column(JSONType, default=list)
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def to_schema(self) -> TestResult:
        """Return the shared `TestResult` this row stores."""
        return TestResult(
            endpoint=self.endpoint,
            method=self.method,
            status_code=self.status_code,
            response_time_ms=self.response_time_ms,
            success=self.success,
            error_message=self.error_message,
            category=self.category,
            fields=list(self.fields or []),
            timestamp=self.timestamp,
        )


class AuditLog(Base):
    __tablename__ = "integration_audit_logs"
    __table_args__ = (Index("ix_audit_integration_created", "integration_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    integration_id: Mapped[str] = mapped_column(String(64))
    tenant: Mapped[str] = mapped_column(String(64), default=DEFAULT_TENANT, index=True)
    action: Mapped[AuditAction] = mapped_column(_enum(AuditAction, "audit_action"))
    actor: Mapped[str] = mapped_column(String(255), default="system")
    details: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Deployment(Base):
    __tablename__ = "deployments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    integration_id: Mapped[str] = mapped_column(
        ForeignKey("integrations.id", ondelete="CASCADE"), unique=True, index=True
    )
    target: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32))
    url: Mapped[str | None] = mapped_column(Text)
    external_id: Mapped[str | None] = mapped_column(String(512))
    """The container id, ECS task ARN or Kubernetes deployment name."""
    config: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class SyncRun(Base):
    __tablename__ = "sync_runs"
    __table_args__ = (Index("ix_sync_runs_integration_started", "integration_id", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    integration_id: Mapped[str] = mapped_column(ForeignKey("integrations.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    records_read: Mapped[int] = mapped_column(Integer, default=0)
    records_written: Mapped[int] = mapped_column(Integer, default=0)
    records_failed: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[SyncRunStatus] = mapped_column(_enum(SyncRunStatus, "sync_run_status"))
    error: Mapped[str | None] = mapped_column(Text)


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64), default=DEFAULT_TENANT, index=True)
    subject: Mapped[str] = mapped_column(String(255))
    hashed_key: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
