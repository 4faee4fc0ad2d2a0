"""List every operation of the HTTP API once: the routes and the OpenAPI document are both built from it."""

from __future__ import annotations

from vitesse.api import changes, operations, routes, system
from vitesse.api.endpoint import Operation
from vitesse.api.models import (
    CreateIntegrationRequest,
    CreateQuery,
    EventsQuery,
    ListQuery,
    LogsQuery,
    PageQuery,
    ReviewRequest,
    UpdateIntegrationRequest,
)
from vitesse.api.responses import (
    CreateIntegrationResponse,
    DeleteResponse,
    Healthz,
    IntegrationList,
    IntegrationResponse,
    LogsResponse,
    ReviewResponse,
    StatusResponse,
    SyncResponse,
    TestResultsResponse,
    UpdateResponse,
)
from vitesse.api.views import API_PREFIX

__all__ = ["API_PREFIX", "INTEGRATION_OPERATIONS", "ROOT_OPERATIONS"]

ONE = "/integrations/{integration_id}"

INTEGRATION_OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "POST", "/integrations", "createIntegration", "Create an integration and start its run",
        routes.create_integration, {201: CreateIntegrationResponse}, body=CreateIntegrationRequest, query=CreateQuery,
        streams=True,
        description="Answers at once (the run goes on in the background) unless `wait=true`; with "
        "`Accept: text/event-stream` the response streams the run's events.",
    ),
    Operation(
        "GET", "/integrations", "listIntegrations", "List the caller's integrations",
        routes.list_integrations, {200: IntegrationList}, query=ListQuery,
    ),
    Operation(
        "GET", ONE, "getIntegration", "Read one integration", routes.get_integration, {200: IntegrationResponse},
    ),
    Operation(
        "PUT", ONE, "updateIntegration", "Change intent, mapping, credentials or deployment; re-run what needs it",
        changes.update_integration, {200: UpdateResponse, 202: UpdateResponse}, body=UpdateIntegrationRequest,
    ),
    Operation(
        "DELETE", ONE, "deleteIntegration", "Delete an integration and destroy its deployment",
        routes.delete_integration, {200: DeleteResponse},
    ),
    Operation(
        "POST", ONE + "/review", "reviewIntegration", "Resume a run paused for review: approve, edit or abort",
        changes.review_integration, {202: ReviewResponse}, body=ReviewRequest, streams=True,
    ),
    Operation(
        "POST", ONE + "/sync", "syncIntegration", "Ask the deployed runtime to sync now",
        operations.sync_integration, {200: SyncResponse},
    ),
    Operation(
        "GET", ONE + "/test-results", "listTestResults", "The Guardian's shadow calls",
        operations.list_test_results, {200: TestResultsResponse}, query=PageQuery,
    ),
    Operation(
        "GET", ONE + "/logs", "getIntegrationLogs", "The runtime's last lines and the audit trail",
        operations.integration_logs, {200: LogsResponse}, query=LogsQuery,
    ),
    Operation(
        "GET", ONE + "/events", "streamIntegrationEvents", "Stream the run's events (SSE)",
        routes.stream_integration_events, {200: None}, query=EventsQuery, streams=True, headers=("Last-Event-ID",),
        query_token=True,
        description="Server-Sent Events named stage, progress, test_result, health, heal, review_needed, deployed, "
        "done and error; `id` numbers them; reconnect with `Last-Event-ID` to get what you missed. A browser's "
        "EventSource, which cannot send headers, may give the token as `?access_token=` (use a short-lived one).",
    ),
    Operation(
        "GET", "/status", "getStatus", "System status: database, checkpointer, deployers, runs",
        system.status, {200: StatusResponse, 503: StatusResponse}, access="status", tag="system",
    ),
)  # fmt: skip

ROOT_OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "GET", "/healthz", "healthz", "Liveness", system.healthz, {200: Healthz}, access="public", tag="system",
    ),
    Operation(
        "GET", "/metrics", "metrics", "Prometheus metrics", system.metrics, {200: None}, access="status", tag="system",
    ),
    Operation(
        "GET", "/api/v1/openapi.json", "openapi", "This document", system.openapi, {200: None}, access="public",
        tag="system",
    ),
)  # fmt: skip
