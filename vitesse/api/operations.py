"""Handle what a proven integration does next: sync now, its test results, its logs."""

from __future__ import annotations

from typing import Any

import httpx
from starlette.responses import JSONResponse, Response

from vitesse.api.endpoint import Call, json_response
from vitesse.api.problems import ApiError, conflict
from vitesse.api.responses import AuditEntry, LogsResponse, SyncResponse, TestResultsResponse
from vitesse.api.rows import require_row
from vitesse.api.runs import scrub
from vitesse.api.views import deployment_target, stored_secrets
from vitesse.errors import VitesseError
from vitesse.net import NetPolicy, make_client, mask_secrets

SYNC_TIMEOUT_S = 300.0
# The runtime's URL comes from our own deployer (the process target listens on loopback), not from a caller.
RUNTIME_POLICY = NetPolicy(allow_loopback=True, allow_private=True)


async def _secrets(call: Call, iid: str) -> list[str]:
    return await stored_secrets(call.hub, iid)


async def sync_integration(call: Call) -> Response:
    """POST /integrations/{id}/sync: ask the deployed runtime to sync now and return its report."""
    iid = call.param("integration_id")
    row = await require_row(call.hub, iid, call.tenant)
    if not row.deployment_url:
        raise conflict(f"Integration {iid!r} is not deployed (status {row.status.value}): deploy it first")
    secrets = await _secrets(call, iid)
    async with make_client(RUNTIME_POLICY, timeout=SYNC_TIMEOUT_S) as client:
        try:
            answer = await client.post(row.deployment_url.rstrip("/") + "/sync")
        except (httpx.HTTPError, VitesseError) as exc:
            raise ApiError(
                502, "upstream_failed", f"The runtime at {row.deployment_url} did not answer: {exc}"
            ) from None
    if answer.status_code == 409:
        raise conflict("The runtime is already syncing: try again when it is done")
    if answer.status_code >= 400:
        text = mask_secrets(answer.text[:500], secrets)
        raise ApiError(502, "upstream_failed", f"The runtime answered {answer.status_code}: {text}")
    try:
        report: Any = answer.json()
    except ValueError:
        raise ApiError(502, "upstream_failed", "The runtime's answer is not JSON") from None
    report = report if isinstance(report, dict) else {"report": report}
    return json_response(SyncResponse(integration_id=iid, sync=scrub(report, secrets)))


async def list_test_results(call: Call) -> Response:
    """GET /integrations/{id}/test-results: the Guardian's shadow calls, in the order they ran."""
    from vitesse.persistence import list_test_results as list_rows

    iid = call.param("integration_id")
    await require_row(call.hub, iid, call.tenant)
    q = call.query
    async with call.hub.sessions() as session:
        page = await list_rows(session=session, integration_id=iid, tenant=call.tenant, limit=q.limit, offset=q.offset)
    items = [row.to_schema() for row in page.items]
    body = TestResultsResponse(integration_id=iid, items=items, total=page.total, limit=page.limit, offset=page.offset)
    return json_response(body)


async def integration_logs(call: Call) -> Response:
    """GET /integrations/{id}/logs: the runtime's last lines (when deployed) and the audit trail."""
    from vitesse.persistence import list_audit_logs

    iid = call.param("integration_id")
    row = await require_row(call.hub, iid, call.tenant)
    async with call.hub.sessions() as session:
        page = await list_audit_logs(session=session, integration_id=iid, tenant=call.tenant, limit=1000)
    audit = [
        AuditEntry(action=a.action.value, actor=a.actor, details=a.details, created_at=a.created_at) for a in page.items
    ]
    runtime = await _runtime_logs(call, row, call.query.lines)
    body = LogsResponse(integration_id=iid, runtime=runtime, audit=audit).model_dump(mode="json")
    return JSONResponse(scrub(body, await _secrets(call, iid)))


async def _runtime_logs(call: Call, row: Any, lines: int) -> str | None:
    from vitesse.deployers import DeployerFactory

    target = await deployment_target(call.hub, row)
    if target is None:
        return None
    deployer = DeployerFactory.create_deployer(target, {}, settings=call.hub.settings)
    try:
        text = await deployer.get_logs(row.id, lines)
    except VitesseError as exc:
        return f"(logs unavailable: {exc})"
    return mask_secrets(text, await _secrets(call, row.id))
