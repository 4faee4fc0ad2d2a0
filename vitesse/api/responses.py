"""Declare the HTTP API's response bodies (the OpenAPI document's response schemas come from these)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from vitesse.schemas import DeploymentConfig, HealthScore, IntegrationStatus, MappingLogic, TestResult


class HealthSummary(BaseModel):
    overall_score: float
    success_rate: float
    endpoint_coverage: float
    critical_issues: list[str]


class IntegrationSummary(BaseModel):
    id: str
    name: str
    status: IntegrationStatus
    health_score: HealthSummary | None


class CreateIntegrationResponse(BaseModel):
    status: Literal["success"] = "success"
    integration_id: str
    integration: IntegrationSummary


class RunInfo(BaseModel):
    state: Literal["running", "paused", "finished"] | None
    last_event_id: int
    events_url: str


class ReviewInfo(BaseModel):
    reason: str
    critical_issues: list[str]


class IntegrationDetail(BaseModel):
    id: str
    name: str
    status: IntegrationStatus
    health_score: HealthScore | None
    source_api_name: str
    dest_api_name: str
    source_api_url: str | None
    dest_api_url: str | None
    user_intent: str
    mapping_logic: MappingLogic | None
    deployment_config: DeploymentConfig | None
    deployment_url: str | None
    error: str | None
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    credentials: dict[str, dict[str, str]] = Field(description="Stored credential names with masked values.")
    run: RunInfo
    review: ReviewInfo | None = None


class IntegrationResponse(BaseModel):
    status: Literal["success"] = "success"
    integration: IntegrationDetail


class IntegrationListItem(IntegrationSummary):
    source_api_name: str
    dest_api_name: str
    created_at: datetime
    updated_at: datetime


class IntegrationList(BaseModel):
    status: Literal["success"] = "success"
    items: list[IntegrationListItem]
    total: int
    limit: int
    offset: int


class UpdateResponse(BaseModel):
    status: Literal["success"] = "success"
    integration_id: str
    changed: list[str]
    rerun: Literal["full", "map", "guardian", "deploy"] | None = Field(description="Where the run started again.")
    integration: IntegrationSummary


class ReviewResponse(BaseModel):
    status: Literal["success"] = "success"
    integration_id: str
    action: str
    run: RunInfo


class DeleteResponse(BaseModel):
    status: Literal["success"] = "success"
    integration_id: str
    deleted: bool
    deployment_destroyed: bool


class SyncResponse(BaseModel):
    status: Literal["success"] = "success"
    integration_id: str
    sync: dict[str, Any]


class TestResultsResponse(BaseModel):
    __test__ = False
    status: Literal["success"] = "success"
    integration_id: str
    items: list[TestResult]
    total: int
    limit: int
    offset: int


class AuditEntry(BaseModel):
    action: str
    actor: str
    details: dict[str, Any]
    created_at: datetime


class LogsResponse(BaseModel):
    status: Literal["success"] = "success"
    integration_id: str
    runtime: str | None = Field(description="The deployed runtime's last lines (secrets masked); null when none.")
    audit: list[AuditEntry]


class Check(BaseModel):
    ok: bool
    backend: str
    detail: str | None = None


class DeployerInfo(BaseModel):
    name: str
    configured: bool


class StatusResponse(BaseModel):
    status: Literal["ok", "degraded"]
    version: str
    database: Check
    checkpointer: Check
    deployers: list[DeployerInfo]
    runs_in_flight: int
    watchers: int
    mcp: bool


class Healthz(BaseModel):
    status: Literal["ok"] = "ok"


class FieldProblem(BaseModel):
    field: str
    message: str


class ErrorResponse(BaseModel):
    status: Literal["error"] = "error"
    error: str = Field(description="A stable code: unauthorized, not_found, validation_failed, conflict …")
    message: str
    fields: list[FieldProblem] = Field(default_factory=list)
