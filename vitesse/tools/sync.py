"""Run one sync of a deployed integration now, through its runtime's `POST /sync`, and record the run."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import httpx
from pydantic import BaseModel, Field

from vitesse.config import Settings
from vitesse.errors import DeployError, NotFoundError, VitesseError
from vitesse.net import NetPolicy, make_client, mask_url
from vitesse.tools._db import open_session, require_row
from vitesse.tools._types import IntegrationId

TOKEN_ENV = "VITESSE_RUNTIME_TOKEN"
BUSY = 409


class SyncResult(BaseModel):
    """What one sync run did."""

    integration_id: str
    status: Literal["completed", "partial", "failed", "stopped", "skipped", "busy"] = Field(
        description="completed: every record handled; partial/stopped: the next run resumes; failed: a person "
        "must fix something (see error); skipped: another replica holds the lease; busy: a sync was running."
    )
    read: int = 0
    written: int = 0
    duplicates: int = Field(default=0, description="Records the destination already had (never written twice).")
    skipped: int = Field(default=0, description="Unchanged since delivered, or older than the high-water mark.")
    failed: int = Field(default=0, description="Records sent to the dead-letter store.")
    pending: int = Field(default=0, description="Records left for the next run.")
    duration_s: float | None = None
    error: str | None = None
    runtime_url: str


async def sync_integration(
    integration_id: IntegrationId,
    timeout_s: Annotated[float, Field(gt=0, le=600, description="Seconds to wait for the run to finish.")] = 120.0,
    *,
    settings: Settings | None = None,
    sessions: Any = None,
    tenant: str = "default",
    deployers: Any = None,
    client: httpx.AsyncClient | None = None,
) -> SyncResult:
    """Sync a deployed integration now and report records read, written, skipped and failed.

    Example: sync_integration(integration_id="integ_3f9a1c2b7d10")
    """
    async with open_session(settings, sessions) as session:
        row = await require_row(session, integration_id, tenant)
        url, token = row.deployment_url, _token(row.deployment_config)
        status = row.status.value
    url = url or await _deployed_url(integration_id, row.deployment_config, deployers, settings)
    if not url:
        raise NotFoundError(
            f"Integration {integration_id!r} is not deployed (status {status}); deploy it first "
            f"with deploy_integration (target 'process' runs it on this machine)."
        )
    started = datetime.now(UTC)
    body, code = await _post_sync(url, token, timeout_s, client)
    result = _result(integration_id, url, body, code)
    if result.status not in ("busy", "skipped"):
        await _record(settings, sessions, tenant, integration_id, result, started)
    return result


async def _deployed_url(
    integration_id: str, config: dict[str, Any] | None, deployers: Any, settings: Any
) -> str | None:
    """Ask the deployer of the integration's target (process by default) where its runtime answers."""
    from vitesse.tools.deploy import DeploymentRef, get_deployment_status

    target = str((config or {}).get("target") or "process")
    try:
        info = await get_deployment_status(
            DeploymentRef(integration_id=integration_id, target=target), deployers=deployers, settings=settings
        )
    except VitesseError:
        return None
    return info.url if info.state.value in ("running", "degraded") else None


async def _post_sync(
    url: str, token: str | None, timeout_s: float, client: httpx.AsyncClient | None
) -> tuple[dict[str, Any], int]:
    # The runtime is one we deployed (often on loopback); link-local and metadata stay refused.
    own = client is None
    client = client or make_client(NetPolicy(allow_loopback=True, allow_private=True), timeout=timeout_s)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        response = await client.post(url.rstrip("/") + "/sync", headers=headers, timeout=timeout_s)
    except httpx.HTTPError as exc:
        raise DeployError(
            f"The sync runtime at {mask_url(url)} does not answer ({type(exc).__name__}); "
            "get_deployment_status shows whether it runs, get_deployment_logs why not."
        ) from None
    finally:
        if own:
            await client.aclose()
    if response.status_code == 401:
        raise DeployError(f"The runtime refused the sync: it expects {TOKEN_ENV} as a bearer token.")
    if response.status_code not in (200, BUSY):
        raise DeployError(f"The runtime answered {response.status_code} to POST /sync: {response.text[:200]}")
    try:
        return response.json(), response.status_code
    except ValueError:
        raise DeployError(
            f"The runtime answered POST /sync with something other than JSON: {response.text[:200]}"
        ) from None


def _token(config: dict[str, Any] | None) -> str | None:
    env = (config or {}).get("env") or {}
    value = env.get(TOKEN_ENV)
    return str(value) if value else None


def _result(integration_id: str, url: str, body: dict[str, Any], code: int) -> SyncResult:
    if code == BUSY:
        return SyncResult(
            integration_id=integration_id, status="busy", runtime_url=mask_url(url),
            error=str(body.get("error") or "a sync is already running; try again when it finishes"),
        )  # fmt: skip
    status = str(body.get("status") or "failed")
    return SyncResult.model_validate(
        {
            **{k: int(body.get(k) or 0) for k in ("read", "written", "duplicates", "skipped", "failed", "pending")},
            "integration_id": integration_id,
            "status": status if status in _STATUSES else "failed",
            "runtime_url": mask_url(url),
            "duration_s": body.get("duration_s"),
            "error": body.get("error"),
        }  # fmt: skip
    )


_STATUSES = ("completed", "partial", "failed", "stopped", "skipped")


async def _record(
    settings: Settings | None, sessions: Any, tenant: str, integration_id: str, result: SyncResult, started: datetime
) -> None:
    from vitesse.persistence import SyncRunStatus, record_sync_run

    status = {"completed": SyncRunStatus.SUCCEEDED, "partial": SyncRunStatus.PARTIAL, "stopped": SyncRunStatus.PARTIAL}
    async with open_session(settings, sessions) as session, session.begin():
        await record_sync_run(
            session=session, integration_id=integration_id, tenant=tenant,
            status=status.get(result.status, SyncRunStatus.FAILED), started_at=started,
            finished_at=datetime.now(UTC), records_read=result.read, records_written=result.written,
            records_failed=result.failed, error=result.error,
        )  # fmt: skip
