"""Handle the integration resource: create (and stream), list, read, delete, and attach to its events."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from starlette.responses import JSONResponse, Response

from vitesse.api.endpoint import Call, json_response
from vitesse.api.locations import check_location, check_remote
from vitesse.api.models import CreateIntegrationRequest, DeploymentRequest, RunSettings
from vitesse.api.problems import conflict, invalid
from vitesse.api.responses import CreateIntegrationResponse, DeleteResponse, IntegrationList, IntegrationResponse
from vitesse.api.rows import list_rows, require_access, require_row
from vitesse.api.runs import graph_input, scrub
from vitesse.api.streaming import stream_response
from vitesse.api.views import API_PREFIX, deployment_target, detail, list_item, stored_secrets, summary
from vitesse.schemas import DeploymentConfig, DeploymentTarget, IntegrationInstance


def deployment_config(target: DeploymentTarget | None, request: DeploymentRequest | None) -> DeploymentConfig | None:
    """The DeploymentConfig a request asks for, or None when it names no deployment."""
    if target is None and request is None:
        return None
    fields: dict[str, Any] = request.model_dump(exclude={"target"}) if request else {}
    chosen = target or (request.target if request else None) or DeploymentTarget.PROCESS
    return DeploymentConfig(target=chosen, **fields)


async def _graph_inputs(call: Call, req: CreateIntegrationRequest, iid: str) -> dict[str, Any]:
    settings, resolver = call.hub.settings, call.hub.resolver

    async def spec(field: str, value: str | None) -> str | None:
        return None if value is None else await check_location(f"body.{field}", value, settings, resolver)

    async def live(field: str, value: str | None) -> str | None:
        return None if value is None else await check_remote(f"body.{field}", value, settings, resolver)

    deployment = deployment_config(req.deployment_target, req.deployment)
    return {
        "integration_id": iid,
        "source_api_url": await spec("source_api_url", req.source_api_url),
        "source_api_name": req.source_api_name,
        "dest_api_url": await spec("dest_api_url", req.dest_api_url),
        "dest_api_name": req.dest_api_name,
        "user_intent": req.user_intent,
        "source_endpoint": req.source_endpoint,
        "dest_endpoint": req.dest_endpoint,
        "source_spec_url": await spec("source_spec_url", req.source_spec_url),
        "dest_spec_url": await spec("dest_spec_url", req.dest_spec_url),
        "source_base_url": await live("source_base_url", req.source_base_url),
        "dest_base_url": await live("dest_base_url", req.dest_base_url),
        "allow_live_writes": req.allow_live_writes,
        "deployment_config": deployment.model_dump(mode="json") if deployment else None,
        "created_by": call.actor,
    }


async def create_integration(call: Call) -> Response:
    """POST /integrations: store the integration (credentials encrypted) and start its run in the background."""
    from vitesse.persistence import create_integration as create_row
    from vitesse.persistence import credential_key, get_integration, store_credentials

    req: CreateIntegrationRequest = call.body
    hub = call.hub
    if req.allow_live_writes and not req.dest_base_url:
        raise invalid("body.allow_live_writes", "live writes need dest_base_url (the live destination API)")
    iid = req.integration_id or f"integ_{uuid4().hex[:12]}"
    inputs = await _graph_inputs(call, req, iid)
    instance = IntegrationInstance(
        id=iid,
        name=f"{req.source_api_name} → {req.dest_api_name}",
        source_api_name=req.source_api_name,
        dest_api_name=req.dest_api_name,
        source_api_url=req.source_api_url,
        dest_api_url=req.dest_api_url,
        user_intent=req.user_intent,
        deployment_config=deployment_config(req.deployment_target, req.deployment),
        created_by=call.actor,
    )
    async with hub.sessions() as session, session.begin():
        if await get_integration(session=session, integration_id=iid, tenant=None) is not None:
            raise conflict(f"An integration with id {iid!r} exists already: choose another id")
        await create_row(session=session, instance=instance, tenant=call.tenant, actor=call.actor)
        if req.source_auth or req.dest_auth:
            await store_credentials(
                session=session,
                integration_id=iid,
                tenant=call.tenant,
                key=credential_key(hub.settings),
                source_auth=req.source_auth,
                dest_auth=req.dest_auth,
                actor=call.actor,
            )
    knobs = (req.settings or RunSettings()).model_dump(exclude_none=True)
    await hub.runs.start(
        iid,
        graph_input(inputs),
        tenant=call.tenant,
        knobs=knobs,
        actor=call.actor,
        inputs=inputs,
        message="run started",
    )
    location = {"Location": f"{API_PREFIX}/integrations/{iid}"}
    if call.wants_stream():
        return stream_response(hub, iid, after=0, status=201)
    if call.query.wait:
        await hub.runs.wait(iid, call.query.timeout_s)
    row = await require_row(hub, iid, call.tenant)
    return json_response(CreateIntegrationResponse(integration_id=iid, integration=summary(row)), 201, location)


async def list_integrations(call: Call) -> Response:
    """GET /integrations: the caller's integrations, newest first, optionally of one status."""
    q = call.query
    page = await list_rows(call.hub, call.tenant, q.status, q.limit, q.offset)
    items = [list_item(row) for row in page.items]
    return json_response(IntegrationList(items=items, total=page.total, limit=page.limit, offset=page.offset))


async def get_integration(call: Call) -> Response:
    """GET /integrations/{id}: the integration, its run and masked credential names."""
    row = await require_row(call.hub, call.param("integration_id"), call.tenant)
    body = IntegrationResponse(integration=await detail(call.hub, row)).model_dump(mode="json", by_alias=True)
    return JSONResponse(scrub(body, await stored_secrets(call.hub, row.id)))


async def delete_integration(call: Call) -> Response:
    """DELETE /integrations/{id}: stop its run, destroy its deployment, forget its checkpoints and rows."""
    from vitesse.persistence import delete_integration as delete_row

    hub = call.hub
    iid = call.param("integration_id")
    row = await require_row(hub, iid, call.tenant)
    await hub.runs.cancel(iid)
    destroyed = await _destroy_deployment(call, row)
    await hub.saver.adelete_thread(iid)
    async with hub.sessions() as session, session.begin():
        deleted = await delete_row(session=session, integration_id=iid, tenant=call.tenant, actor=call.actor)
    hub.owners.pop(iid, None)
    return json_response(DeleteResponse(integration_id=iid, deleted=deleted, deployment_destroyed=destroyed))


async def _destroy_deployment(call: Call, row: Any) -> bool:
    from vitesse.deployers import DeployerFactory

    target = await deployment_target(call.hub, row)
    if target is None:
        return False
    deployer = DeployerFactory.create_deployer(target, {}, settings=call.hub.settings)
    await deployer.destroy(row.id)
    return True


async def stream_integration_events(call: Call) -> Response:
    """GET /integrations/{id}/events: replay after Last-Event-ID (or ?after=), then live, as SSE."""
    iid = call.param("integration_id")
    await require_access(call.hub, iid, call.tenant)
    header = call.request.headers.get("last-event-id")
    after = call.query.after
    if header is not None and header.strip():
        if not header.strip().isdigit():
            raise invalid("header.Last-Event-ID", "must be the id of an event this stream sent (a number)")
        after = int(header.strip())
    return stream_response(call.hub, iid, after)
