"""Record what happens to an integration: test results, its deployment and its sync runs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from vitesse.persistence._base import Page, add_audit_log, dialect_insert, fetch_page, require_integration
from vitesse.persistence.models import (
    AuditAction,
    Deployment,
    Integration,
    SyncRun,
    SyncRunStatus,
    TestResultRow,
    utcnow,
)
from vitesse.schemas import DeploymentConfig, DeploymentTarget, TestResult

_CHUNK = 500  # rows per INSERT, well under SQLite's bound-parameter limit


async def add_test_results(
    *,
    session: AsyncSession,
    integration_id: str,
    tenant: str | None,
    run_key: str,
    results: Sequence[TestResult],
    actor: str | None = None,
) -> int:
    """Store one proof run's results; replaying the same `run_key` adds nothing.

    Args:
        session: An open session; the caller commits.
        integration_id: The integration.
        tenant: The caller's tenant; None for trusted internal callers.
        run_key: Names the run (e.g. the checkpoint id or `heal-2`); results are keyed by it and their position.
        results: The results, in the order the run produced them.
        actor: Who ran the proof.

    Returns:
        How many rows were new (0 for a replay).

    Raises:
        NotFoundError: no such integration for this tenant.
    """
    row = await require_integration(session, integration_id, tenant)
    values = [_result_values(integration_id, run_key, position, r) for position, r in enumerate(results)]
    inserted = 0
    for start in range(0, len(values), _CHUNK):
        stmt = dialect_insert(session, TestResultRow).values(values[start : start + _CHUNK])
        stmt = stmt.on_conflict_do_nothing(index_elements=["integration_id", "run_key", "position"])
        inserted += len((await session.execute(stmt.returning(TestResultRow.id))).all())
    if inserted:
        passed = sum(1 for r in results if r.success)
        details = {"run_key": run_key, "total": len(results), "passed": passed, "new": inserted}
        await add_audit_log(
            session=session,
            integration_id=integration_id,
            action=AuditAction.TESTED,
            tenant=row.tenant,
            actor=actor,
            details=details,
        )
    return inserted


def _result_values(integration_id: str, run_key: str, position: int, result: TestResult) -> dict[str, Any]:
    return {
        "integration_id": integration_id,
        "run_key": run_key,
        "position": position,
        "endpoint": result.endpoint,
        "method": result.method,
        "status_code": result.status_code,
        "response_time_ms": result.response_time_ms,
        "success": result.success,
        "error_message": result.error_message,
        "category": result.category,
        "fields": list(result.fields),
        "timestamp": result.timestamp,
    }


async def list_test_results(
    *,
    session: AsyncSession,
    integration_id: str,
    tenant: str | None,
    run_key: str | None = None,
    limit: int = 1000,
    offset: int = 0,
) -> Page[TestResultRow]:
    """List an integration's test results in the order they were stored (`row.to_schema()` for `TestResult`).

    Raises:
        NotFoundError: no such integration for this tenant.
    """
    await require_integration(session, integration_id, tenant)
    query = select(TestResultRow).where(TestResultRow.integration_id == integration_id)
    if run_key is not None:
        query = query.where(TestResultRow.run_key == run_key)
    return await fetch_page(session, query.order_by(TestResultRow.id), limit, offset)


async def upsert_deployment(
    *,
    session: AsyncSession,
    integration_id: str,
    tenant: str | None,
    target: DeploymentTarget | str,
    status: str,
    url: str | None = None,
    external_id: str | None = None,
    config: DeploymentConfig | None = None,
    actor: str | None = None,
) -> Deployment:
    """Create or replace the integration's deployment record, mirror it on the integration, audit it.

    Args:
        session: An open session; the caller commits.
        integration_id: The integration.
        tenant: The caller's tenant; None for trusted internal callers.
        target: process, local, eks or ecs.
        status: The deployer's status word (running, stopped, failed …).
        url: Where the runtime answers.
        external_id: Container id, task ARN or Kubernetes name.
        config: The deployment config used.
        actor: Who deployed.

    Returns:
        The deployment row.

    Raises:
        NotFoundError: no such integration for this tenant.
    """
    integration = await require_integration(session, integration_id, tenant)
    target_name = target.value if isinstance(target, DeploymentTarget) else str(target)
    row = await session.scalar(select(Deployment).where(Deployment.integration_id == integration_id))
    if row is None:
        row = Deployment(integration_id=integration_id)
        session.add(row)
    config_json = config.model_dump(mode="json") if config is not None else {}
    row.target, row.status, row.url, row.external_id, row.config = target_name, status, url, external_id, config_json
    row.updated_at = utcnow()
    integration.deployment_url, integration.container_id = url, external_id
    integration.deployment_config = config_json or None
    integration.updated_at = utcnow()
    await session.flush()
    details = {"target": target_name, "status": status, "url": url, "external_id": external_id}
    await add_audit_log(
        session=session,
        integration_id=integration_id,
        action=AuditAction.DEPLOYED,
        tenant=integration.tenant,
        actor=actor,
        details=details,
    )
    return row


async def get_deployment(*, session: AsyncSession, integration_id: str, tenant: str | None) -> Deployment | None:
    """Return the integration's deployment record, or None (also for another tenant's integration)."""
    query = select(Deployment).where(Deployment.integration_id == integration_id)
    if tenant is not None:
        query = query.join(Integration, Integration.id == Deployment.integration_id).where(Integration.tenant == tenant)
    return await session.scalar(query)


async def record_sync_run(
    *,
    session: AsyncSession,
    integration_id: str,
    tenant: str | None,
    status: SyncRunStatus,
    started_at: datetime,
    finished_at: datetime | None = None,
    records_read: int = 0,
    records_written: int = 0,
    records_failed: int = 0,
    error: str | None = None,
) -> SyncRun:
    """Store one sync run of a deployed integration.

    Raises:
        NotFoundError: no such integration for this tenant.
    """
    await require_integration(session, integration_id, tenant)
    row = SyncRun(
        integration_id=integration_id,
        status=status,
        started_at=started_at,
        finished_at=finished_at,
        records_read=records_read,
        records_written=records_written,
        records_failed=records_failed,
        error=error,
    )
    session.add(row)
    await session.flush()
    return row


async def list_sync_runs(
    *, session: AsyncSession, integration_id: str, tenant: str | None, limit: int = 50, offset: int = 0
) -> Page[SyncRun]:
    """List an integration's sync runs, newest first.

    Raises:
        NotFoundError: no such integration for this tenant.
    """
    await require_integration(session, integration_id, tenant)
    query = select(SyncRun).where(SyncRun.integration_id == integration_id)
    return await fetch_page(session, query.order_by(SyncRun.started_at.desc(), SyncRun.id.desc()), limit, offset)
