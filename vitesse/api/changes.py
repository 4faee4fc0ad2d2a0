"""Handle what changes an integration after its first run: a review decision, or a PUT of new settings.

A PUT re-runs only what the change needs, from the integration's checkpoint (thread id = integration id):

| change                         | the run starts again at                              |
|--------------------------------|------------------------------------------------------|
| intent or endpoints            | `map` (specs are kept; mapping, proof, deployment)   |
| mapping                        | `guardian` (the mapping is proved, then deployed)    |
| deployment (target, resources) | `deploy` (only for a mapping that passed)            |
| credentials                    | stored; `deploy` again when a runtime is running     |
| anything, after a failed run   | the beginning (with the stored inputs plus changes)  |
"""

from __future__ import annotations

from typing import Any, Literal

from starlette.responses import Response

from vitesse.api.endpoint import Call, json_response
from vitesse.api.models import ReviewRequest, UpdateIntegrationRequest
from vitesse.api.problems import conflict
from vitesse.api.responses import ReviewResponse, UpdateResponse
from vitesse.api.routes import deployment_config
from vitesse.api.rows import instance_of, require_row
from vitesse.api.runs import goto_command, graph_input, review_command
from vitesse.api.streaming import stream_response
from vitesse.api.views import run_info, summary
from vitesse.persistence import AuditAction, thread_config
from vitesse.schemas import DeploymentConfig, IntegrationStatus, MappingLogic

FRESH = {"feedback": [], "heal_attempts": -1, "review": None, "error": "", "integration": None}
"""Resets a re-run needs (a negative count and "" reset their channels, see vitesse.graph.state)."""
PASSED = (IntegrationStatus.READY, IntegrationStatus.ACTIVE)
Rerun = Literal["full", "map", "guardian", "deploy"]
SETTLE_WAIT_S = 5.0


async def _snapshot(call: Call, iid: str) -> Any:
    return await call.hub.graph.aget_state(thread_config(iid))


def _paused(snapshot: Any) -> bool:
    return bool(snapshot.next) and any(getattr(t, "interrupts", ()) for t in snapshot.tasks)


async def review_integration(call: Call) -> Response:
    """POST /integrations/{id}/review: resume a run paused for review with approve, edit or abort."""
    hub, req = call.hub, call.body
    assert isinstance(req, ReviewRequest)
    iid = call.param("integration_id")
    row = await require_row(hub, iid, call.tenant)
    # review_needed reaches watchers just before the paused run's task ends: give it a moment to settle.
    await hub.runs.wait(iid, SETTLE_WAIT_S)
    snapshot = await _snapshot(call, iid)
    if hub.runs.active(iid) or not _paused(snapshot):
        raise conflict(f"Integration {iid!r} is not waiting for a review (status {row.status.value})")
    mapping = _human(req.mapping, snapshot.values.get("mapping")) if req.mapping is not None else None
    decision = {
        "action": req.action,
        "mapping": mapping.model_dump(mode="json") if mapping else None,
        "reason": req.reason,
        "by": call.actor,
    }
    await _record_review(call, row, req, mapping)
    knobs, seen = await hub.runs.knobs(iid), await hub.events.last(iid)
    await hub.runs.start(
        iid,
        review_command(decision),
        tenant=row.tenant,
        knobs=knobs,
        actor=call.actor,
        phase="reviewed",
        message=f"review: {req.action}",
    )
    if call.wants_stream():
        return stream_response(hub, iid, after=seen)
    body = ReviewResponse(integration_id=iid, action=req.action, run=await run_info(hub, iid))
    return json_response(body, 202)


async def _record_review(call: Call, row: Any, req: ReviewRequest, mapping: MappingLogic | None) -> None:
    """Audit the decision; an edited mapping is stored at once (the graph re-tests it next)."""
    from vitesse.persistence import add_audit_log, update_integration

    async with call.hub.sessions() as session, session.begin():
        if mapping is not None:
            await update_integration(
                session=session, integration_id=row.id, tenant=row.tenant, actor=call.actor, mapping_logic=mapping
            )
        await add_audit_log(
            session=session,
            integration_id=row.id,
            action=AuditAction.REVIEWED,
            tenant=row.tenant,
            actor=call.actor,
            details={"action": req.action, "reason": req.reason},
        )


async def update_integration(call: Call) -> Response:
    """PUT /integrations/{id}: change intent, endpoints, mapping, credentials or deployment; re-run what needs it."""
    hub, req = call.hub, call.body
    assert isinstance(req, UpdateIntegrationRequest)
    iid = call.param("integration_id")
    row = await require_row(hub, iid, call.tenant)
    if hub.runs.active(iid):
        raise conflict(f"Integration {iid!r} has a run in progress: change it when the run is over")
    snapshot = await _snapshot(call, iid)
    graph_change = req.model_fields_set & {"user_intent", "source_endpoint", "dest_endpoint", "mapping", "deployment"}
    if req.deployment_target is not None:
        graph_change.add("deployment")
    if graph_change and _paused(snapshot):
        raise conflict(f"Integration {iid!r} waits for a review: approve, edit or abort it first")
    if graph_change and not snapshot.values:
        raise conflict(f"Integration {iid!r} has no run to change (it was not created through this API)")
    values = snapshot.values or {}
    changed, deployment = _changed(req), _deployment(req, row)
    mapping = _human(req.mapping, values.get("mapping")) if req.mapping is not None else None
    payload, rerun = _plan(req, values, row.status, graph_change, changed, deployment, mapping)
    await _store(call, row, req, deployment, mapping, clear_error=rerun is not None)
    knobs = await hub.runs.knobs(iid)
    if req.settings is not None:
        knobs |= req.settings.model_dump(exclude_none=True, exclude_unset=True)
    if payload is not None:
        message = "from the beginning" if rerun == "full" else f"from {rerun}"
        await hub.runs.start(
            iid, payload, tenant=row.tenant, knobs=knobs, actor=call.actor, phase="restarted", message=message
        )
    elif req.settings is not None:
        await hub.runs.save_knobs(iid, knobs)
    row = await require_row(hub, iid, call.tenant)
    body = UpdateResponse(integration_id=iid, changed=sorted(changed), rerun=rerun, integration=summary(row))
    return json_response(body, 202 if rerun else 200)


def _changed(req: UpdateIntegrationRequest) -> set[str]:
    fields = req.model_fields_set - {"deployment_target"}
    return fields | ({"deployment"} if req.deployment_target is not None else set())


async def _store(
    call: Call,
    row: Any,
    req: UpdateIntegrationRequest,
    deployment: DeploymentConfig | None,
    mapping: MappingLogic | None,
    *,
    clear_error: bool,
) -> None:
    """Write the changes to the integration's row (credentials encrypted); the run then re-does what they need."""
    from vitesse.persistence import credential_key, store_credentials, update_integration

    changes: dict[str, Any] = {}
    if req.user_intent is not None:
        changes["user_intent"] = req.user_intent
    if deployment is not None:
        changes["deployment_config"] = deployment
    if mapping is not None:
        changes["mapping_logic"] = mapping
    if clear_error and row.error:
        changes["error"] = None  # the new run reports its own
    async with call.hub.sessions() as session, session.begin():
        if changes:
            await update_integration(
                session=session, integration_id=row.id, tenant=row.tenant, actor=call.actor, **changes
            )
        if req.source_auth is not None or req.dest_auth is not None:
            await store_credentials(
                session=session,
                integration_id=row.id,
                tenant=row.tenant,
                key=credential_key(call.hub.settings),
                source_auth=req.source_auth,
                dest_auth=req.dest_auth,
                actor=call.actor,
            )


def _deployment(req: UpdateIntegrationRequest, row: Any) -> DeploymentConfig | None:
    if req.deployment_target is None and req.deployment is None:
        return None
    current = instance_of(row).deployment_config
    target = req.deployment_target or (req.deployment.target if req.deployment else None)
    if target is None and current is not None:
        target = current.target
    return deployment_config(target, req.deployment)


def _plan(
    req: UpdateIntegrationRequest,
    values: dict[str, Any],
    status: IntegrationStatus,
    graph: set[str],
    changed: set[str],
    deployment: DeploymentConfig | None,
    mapping: MappingLogic | None,
) -> tuple[Any, Rerun | None]:
    """Return the graph payload and the name of where the run starts again (None: nothing to run)."""
    update: dict[str, Any] = dict(FRESH)
    if deployment is not None:
        update["deployment_config"] = deployment
    for name in ("user_intent", "source_endpoint", "dest_endpoint"):
        if name in req.model_fields_set:
            update[name] = getattr(req, name)
    if graph and (values.get("error") or values.get("mapping") is None):
        inputs = {k: v for k, v in values.items() if k in _INPUT_KEYS}
        return {**graph_input(inputs), **{k: v for k, v in update.items() if k in _INPUT_KEYS}}, "full"
    if graph & {"user_intent", "source_endpoint", "dest_endpoint"}:
        return goto_command("map", {**update, "mapping": None, "status": IntegrationStatus.MAPPING}), "map"
    if mapping is not None:
        return goto_command("guardian", {**update, "mapping": mapping}), "guardian"
    if "deployment" in graph:
        if status not in PASSED:
            raise conflict("Only a mapping that passed its proof (status ready or active) is deployed; change it first")
        return goto_command("deploy", update), "deploy"
    if changed & {"source_auth", "dest_auth"} and values.get("deployment"):
        return goto_command("deploy", update), "deploy"
    return None, None


def _human(mapping: MappingLogic, previous: Any) -> MappingLogic:
    base = previous.version if isinstance(previous, MappingLogic) else 0
    return mapping.model_copy(update={"version": max(mapping.version, base + 1), "produced_by": "human"})


_INPUT_KEYS = frozenset(
    (
        "integration_id", "source_api_url", "source_api_name", "dest_api_url", "dest_api_name", "user_intent",
        "source_endpoint", "dest_endpoint", "source_spec_url", "dest_spec_url", "source_base_url", "dest_base_url",
        "allow_live_writes", "deployment_config", "created_by",
    )
)  # fmt: skip

__all__ = ["review_integration", "update_integration"]
