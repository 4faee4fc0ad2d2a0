"""Expose integrations as MCP resources (list, one, its mapping, health and events) and the guiding prompt.

Resources are read-only JSON documents scoped to the request's tenant; an unknown id is a
"resource not found" error naming what to do instead.
"""

from __future__ import annotations

import json
from typing import Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError

from vitesse.errors import NotFoundError
from vitesse.mcp_server.state import AppContext, current_request, request_identity
from vitesse.schemas import IntegrationInstance, MappingLogic
from vitesse.tools._db import require_row
from vitesse.tools.lifecycle import get_integration, list_integrations

JSON = "application/json"
AUDIT_ROWS = 200


def register_resources(mcp: MCPServer[Any]) -> None:
    """Add the integration resources to the server."""
    mcp.resource(
        "vitesse://integrations", name="integrations", title="Integrations", mime_type=JSON,
        description="Every integration of this tenant (newest first, up to 100): id, name, status, health score.",
    )(read_integrations)  # fmt: skip
    mcp.resource(
        "vitesse://integrations/{integration_id}", name="integration", title="Integration", mime_type=JSON,
        description="One integration: status, mapping, health, deployment and next steps.",
    )(read_integration)  # fmt: skip
    mcp.resource(
        "vitesse://integrations/{integration_id}/mapping", name="integration_mapping", title="Mapping",
        mime_type=JSON, description="The integration's whole mapping (MappingLogic), the shape review_integration "
        "takes for action='edit'.",
    )(read_mapping)  # fmt: skip
    mcp.resource(
        "vitesse://integrations/{integration_id}/health", name="integration_health", title="Health", mime_type=JSON,
        description="The latest proof: health score, critical issues, field feedback, calls per outcome.",
    )(read_health)  # fmt: skip
    mcp.resource(
        "vitesse://integrations/{integration_id}/events", name="integration_events", title="Events", mime_type=JSON,
        description="What happened: run events this server streamed, and the audit trail (created, tested, "
        "healed, reviewed, deployed, failed).",
    )(read_events)  # fmt: skip


async def read_integrations() -> str:
    """List the tenant's integrations."""
    request_context = current_request.get()
    if request_context is None:
        raise ResourceError("vitesse://integrations is only readable inside a request")
    app: AppContext = request_context.lifespan_context
    tenant, _ = request_identity(request_context, app)
    page = await list_integrations(limit=100, settings=app.settings, sessions=app.sessions, tenant=tenant)
    return page.model_dump_json(indent=2)


async def read_integration(integration_id: str, ctx: Context[AppContext, Any]) -> str:
    """Show one integration."""
    app, tenant = _scope(ctx)
    try:
        view = await get_integration(integration_id, settings=app.settings, sessions=app.sessions, tenant=tenant)
    except NotFoundError as exc:
        raise ResourceNotFoundError(exc.message) from exc
    return view.model_dump_json(indent=2)


async def read_mapping(integration_id: str, ctx: Context[AppContext, Any]) -> str:
    """Return the whole mapping."""
    instance = await _instance(ctx, integration_id)
    mapping: MappingLogic | None = instance.mapping_logic
    if mapping is None:
        raise ResourceError(f"Integration {integration_id!r} has no mapping yet (status {instance.status.value}).")
    return mapping.model_dump_json(indent=2)


async def read_health(integration_id: str, ctx: Context[AppContext, Any]) -> str:
    """Return the latest proof's health and the calls per outcome."""
    from vitesse.persistence import list_test_results

    instance = await _instance(ctx, integration_id)
    if instance.health_score is None:
        raise ResourceError(f"Integration {integration_id!r} has not been proved yet (status {instance.status.value}).")
    app, tenant = _scope(ctx)
    async with app.sessions() as session:
        page = await list_test_results(session=session, integration_id=integration_id, tenant=tenant, limit=1000)
    by_category: dict[str, int] = {}
    for row in page.items:
        by_category[row.category.value] = by_category.get(row.category.value, 0) + 1
    body = {"health": instance.health_score.model_dump(mode="json"), "stored_results": page.total,
            "latest_results_by_category": by_category}  # fmt: skip
    return json.dumps(body, indent=2)


async def read_events(integration_id: str, ctx: Context[AppContext, Any]) -> str:
    """Return the run events seen by this server and the stored audit trail."""
    from vitesse.persistence import list_audit_logs

    await _instance(ctx, integration_id)
    app, tenant = _scope(ctx)
    async with app.sessions() as session:
        page = await list_audit_logs(session=session, integration_id=integration_id, tenant=tenant, limit=AUDIT_ROWS)
    audit = [
        {"action": str(row.action), "actor": row.actor, "at": row.created_at.isoformat(), "details": row.details}
        for row in page.items
    ]
    body = {"integration_id": integration_id, "run_events": app.events.of(integration_id), "audit_log": audit}
    return json.dumps(body, indent=2, default=str)


def _scope(ctx: Context[AppContext, Any]) -> tuple[AppContext, str]:
    app: AppContext = ctx.request_context.lifespan_context
    tenant, _ = request_identity(ctx.request_context, app)
    return app, tenant


async def _instance(ctx: Context[AppContext, Any], integration_id: str) -> IntegrationInstance:
    app, tenant = _scope(ctx)
    async with app.sessions() as session:
        try:
            row = await require_row(session, integration_id, tenant)
        except NotFoundError as exc:
            raise ResourceNotFoundError(exc.message) from exc
        instance: IntegrationInstance = row.to_schema()
        return instance
