"""Record what a run changes in the database, when the run has one (services.sessions).

One transaction per node; an integration row is created on first sight, so a run started from
LangGraph Studio with a database behaves like one started through the facade.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from vitesse.graph.context import Context
from vitesse.schemas import HealthScore, IntegrationInstance, IntegrationStatus, MappingLogic, TestResult


async def record_status(
    runtime: Runtime[Context],
    integration_id: str,
    status: IntegrationStatus,
    *,
    healed: bool = False,
    final: bool = False,
    deployment: dict[str, Any] | None = None,
    deployment_config: Any = None,
    **fields: Any,
) -> None:
    """Update the integration's status (and the given columns), with the matching audit action."""
    services = runtime.context.resolved_services()
    if services.sessions is None:
        return
    from vitesse.persistence import AuditAction, get_integration, update_integration
    from vitesse.persistence import create_integration as create_row

    action = AuditAction.HEALED if healed else (AuditAction.DEPLOYED if deployment else None)
    if final and status == IntegrationStatus.FAILED:
        action = AuditAction.FAILED
    changes = {k: v for k, v in fields.items() if v is not None}
    if deployment:
        changes["deployment_url"] = deployment.get("url")
        changes["container_id"] = deployment.get("external_id")
    async with services.sessions() as session, session.begin():
        if await get_integration(session=session, integration_id=integration_id, tenant=None) is None:
            await create_row(session=session, instance=IntegrationInstance(id=integration_id), tenant=services.tenant)
        await update_integration(
            session=session, integration_id=integration_id, tenant=None, status=status, action=action, **changes
        )
        if deployment:
            from vitesse.persistence import upsert_deployment

            await upsert_deployment(
                session=session,
                integration_id=integration_id,
                tenant=None,
                target=str(deployment.get("target")),
                status=str(deployment.get("status")),
                url=deployment.get("url"),
                external_id=deployment.get("external_id"),
                config=fields.get("deployment_config") or deployment_config,
            )


async def record_proof(
    runtime: Runtime[Context],
    integration_id: str,
    mapping: MappingLogic,
    results: list[TestResult],
    health: HealthScore,
) -> None:
    """Store one proof's results (keyed by mapping version, so a replay adds nothing) and the health."""
    from vitesse.persistence import AuditAction, add_test_results, update_integration

    services = runtime.context.resolved_services()
    if services.sessions is None:
        return
    async with services.sessions() as session, session.begin():
        await add_test_results(
            session=session,
            integration_id=integration_id,
            tenant=None,
            run_key=f"mapping-v{mapping.version}",
            results=results,
        )
        await update_integration(
            session=session,
            integration_id=integration_id,
            tenant=None,
            status=IntegrationStatus.TESTING,
            health_score=health,
            action=AuditAction.TESTED,
        )


async def load_auth(runtime: Runtime[Context], integration_id: str) -> tuple[dict[str, str], dict[str, str]]:
    """Return the integration's stored credentials as Guardian target credentials (empty without a database)."""
    services = runtime.context.resolved_services()
    if services.sessions is None:
        return {}, {}
    from vitesse.persistence import credential_key, load_credentials

    async with services.sessions() as session:
        stored = await load_credentials(
            session=session, integration_id=integration_id, tenant=None, key=credential_key(services.settings)
        )
    return _as_credentials(stored.source_auth), _as_credentials(stored.dest_auth)


def _as_credentials(auth: dict[str, Any] | None) -> dict[str, str]:
    """Flatten the guide's shapes (`{"type": "api_key", "key": ...}`) into the names the Guardian reads."""
    values = {k: str(v) for k, v in (auth or {}).items() if k != "type" and v is not None}
    secret = values.get("key") or values.get("access_token") or values.get("bearer_token")
    if secret:
        values.setdefault("api_key", secret)
        values.setdefault("token", secret)
    return values
