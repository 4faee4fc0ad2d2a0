"""Create, read, change and remove integrations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from vitesse.errors import PersistenceError
from vitesse.persistence._base import (
    UNSET,
    Page,
    _Unset,
    add_audit_log,
    fetch_page,
    find_integration,
    require_integration,
    scoped,
)
from vitesse.persistence._transformations import replace_transformations
from vitesse.persistence.models import DEFAULT_TENANT, AuditAction, Integration, utcnow
from vitesse.schemas import (
    APISpecification,
    DeploymentConfig,
    HealthScore,
    IntegrationInstance,
    IntegrationStatus,
    MappingLogic,
)


def _dump(model: Any) -> dict[str, Any] | None:
    return None if model is None else model.model_dump(mode="json", by_alias=True)


def _digest(spec: APISpecification | None) -> str | None:
    return None if spec is None else (spec.digest or spec.compute_digest())


def _apply_instance(row: Integration, instance: IntegrationInstance) -> None:
    row.name = instance.name
    row.user_intent = instance.user_intent
    row.source_api_name = instance.source_api_name
    row.dest_api_name = instance.dest_api_name
    row.source_api_url = instance.source_api_url
    row.dest_api_url = instance.dest_api_url
    row.status = instance.status
    row.deployment_url = instance.deployment_url
    row.container_id = instance.container_id
    row.error = instance.error
    for name in ("source_spec", "dest_spec", "mapping_logic", "health_score", "deployment_config"):
        _set_model_field(row, name, getattr(instance, name))


def _set_model_field(row: Integration, name: str, value: Any) -> None:
    setattr(row, name, _dump(value))
    if name == "source_spec":
        row.source_spec_digest = _digest(value)
    elif name == "dest_spec":
        row.dest_spec_digest = _digest(value)
    elif name == "mapping_logic":
        row.mapping_version = None if value is None else value.version
    elif name == "health_score":
        row.overall_score = None if value is None else value.overall_score


async def create_integration(
    *,
    session: AsyncSession,
    instance: IntegrationInstance,
    tenant: str = DEFAULT_TENANT,
    actor: str | None = None,
) -> Integration:
    """Store a new integration (and its mapping's transformations) and audit its creation.

    Args:
        session: An open session; the caller commits.
        instance: The integration; its `id` is the graph's thread id.
        tenant: The owning tenant.
        actor: Who creates it; also stored as `created_by` when the instance has none.

    Returns:
        The new row.

    Raises:
        PersistenceError: an integration with this id already exists.
    """
    if await session.get(Integration, instance.id) is not None:
        raise PersistenceError(f"Integration {instance.id!r} already exists: choose another id")
    row = Integration(
        id=instance.id,
        tenant=tenant,
        created_by=instance.created_by or actor,
        created_at=instance.created_at,
        updated_at=instance.updated_at,
    )
    _apply_instance(row, instance)
    session.add(row)
    await session.flush()
    if instance.mapping_logic is not None:
        await replace_transformations(session, row.id, instance.mapping_logic)
    await add_audit_log(
        session=session,
        integration_id=row.id,
        action=AuditAction.CREATED,
        tenant=tenant,
        actor=actor or row.created_by,
        details={"status": row.status.value, "name": row.name},
    )
    return row


async def get_integration(*, session: AsyncSession, integration_id: str, tenant: str | None) -> Integration | None:
    """Return one integration, or None when it does not exist or belongs to another tenant.

    Args:
        session: An open session.
        integration_id: The integration's id.
        tenant: The caller's tenant; None only for trusted internal callers (graph nodes, runtime).

    Returns:
        The row (`row.to_schema()` gives the `IntegrationInstance`) or None.
    """
    return await find_integration(session, integration_id, tenant)


async def list_integrations(
    *,
    session: AsyncSession,
    tenant: str | None,
    status: IntegrationStatus | Sequence[IntegrationStatus] | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[Integration]:
    """List integrations, newest first, with the total count for pagination.

    Args:
        session: An open session.
        tenant: Only this tenant's; None for all (trusted internal callers).
        status: One status or several to keep; None for any.
        limit: Page size, 1 to 1000.
        offset: Rows to skip.

    Returns:
        A page of rows.
    """
    query = scoped(select(Integration), tenant)
    if isinstance(status, IntegrationStatus):
        query = query.where(Integration.status == status)
    elif status is not None:
        query = query.where(Integration.status.in_(list(status)))
    return await fetch_page(session, query.order_by(Integration.created_at.desc(), Integration.id), limit, offset)


async def update_integration(
    *,
    session: AsyncSession,
    integration_id: str,
    tenant: str | None,
    actor: str | None = None,
    action: AuditAction | None = None,
    status: IntegrationStatus | _Unset = UNSET,
    name: str | _Unset = UNSET,
    user_intent: str | _Unset = UNSET,
    source_spec: APISpecification | None | _Unset = UNSET,
    dest_spec: APISpecification | None | _Unset = UNSET,
    mapping_logic: MappingLogic | None | _Unset = UNSET,
    health_score: HealthScore | None | _Unset = UNSET,
    deployment_config: DeploymentConfig | None | _Unset = UNSET,
    deployment_url: str | None | _Unset = UNSET,
    container_id: str | None | _Unset = UNSET,
    error: str | None | _Unset = UNSET,
) -> Integration:
    """Change the given fields of an integration and audit the change.

    A new mapping also replaces the integration's `transformations` rows. The audit action is `action`
    when given, `failed` when the status becomes failed, else `updated`.

    Args:
        session: An open session; the caller commits.
        integration_id: The integration to change.
        tenant: The caller's tenant; None for trusted internal callers.
        actor: Who changes it.
        action: The audit action to record (`tested`, `healed`, `reviewed`, `deployed` …).
        status: New status.
        name: New name.
        user_intent: New intent.
        source_spec: New source spec (its digest column follows).
        dest_spec: New destination spec (its digest column follows).
        mapping_logic: New mapping (its version column and transformations follow).
        health_score: New health score (its overall score column follows).
        deployment_config: New deployment config.
        deployment_url: New deployment URL.
        container_id: New container / task id.
        error: New error text (None clears it).

    Returns:
        The changed row.

    Raises:
        NotFoundError: no such integration for this tenant.
    """
    row = await require_integration(session, integration_id, tenant)
    previous = row.status
    plain: dict[str, Any] = {
        "status": status,
        "name": name,
        "user_intent": user_intent,
        "deployment_url": deployment_url,
    }
    plain |= {"container_id": container_id, "error": error}
    models: dict[str, Any] = {"source_spec": source_spec, "dest_spec": dest_spec, "mapping_logic": mapping_logic}
    models |= {"health_score": health_score, "deployment_config": deployment_config}
    changed = [k for k, v in {**plain, **models}.items() if v is not UNSET]
    for key, value in plain.items():
        if value is not UNSET:
            setattr(row, key, value)
    for key, value in models.items():
        if value is not UNSET:
            _set_model_field(row, key, value)
    row.updated_at = utcnow()
    await session.flush()
    if isinstance(mapping_logic, MappingLogic):
        await replace_transformations(session, row.id, mapping_logic)
    details: dict[str, Any] = {"changed": changed}
    if row.status != previous:
        details["status"] = {"from": previous.value, "to": row.status.value}
    if row.status == IntegrationStatus.FAILED and "error" in changed:
        details["error"] = row.error
    if action is None:
        action = AuditAction.FAILED if "status" in details and row.status == IntegrationStatus.FAILED else None
    await add_audit_log(
        session=session,
        integration_id=row.id,
        action=action or AuditAction.UPDATED,
        tenant=row.tenant,
        actor=actor,
        details=details,
    )
    return row


async def delete_integration(
    *, session: AsyncSession, integration_id: str, tenant: str | None, actor: str | None = None
) -> bool:
    """Remove an integration with its transformations, test results, deployment and sync runs.

    The audit trail stays, ending with a `destroyed` row.

    Args:
        session: An open session; the caller commits.
        integration_id: The integration to remove.
        tenant: The caller's tenant; None for trusted internal callers.
        actor: Who removes it.

    Returns:
        True when it existed and is gone, False when there was nothing to remove.
    """
    row = await find_integration(session, integration_id, tenant)
    if row is None:
        return False
    owner, name = row.tenant, row.name
    await session.execute(delete(Integration).where(Integration.id == integration_id))
    session.expunge(row)
    await add_audit_log(
        session=session,
        integration_id=integration_id,
        action=AuditAction.DESTROYED,
        tenant=owner,
        actor=actor,
        details={"name": name},
    )
    return True
