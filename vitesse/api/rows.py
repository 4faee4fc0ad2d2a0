"""Read integration rows for the API without their specs (large JSON no response shows), tenant-scoped."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import defer

from vitesse.api.problems import not_found
from vitesse.persistence import Integration, Page
from vitesse.schemas import IntegrationInstance, IntegrationStatus

if TYPE_CHECKING:
    from vitesse.api.hub import Hub

WITHOUT_SPECS = (defer(Integration.source_spec, raiseload=True), defer(Integration.dest_spec, raiseload=True))


async def require_row(hub: Hub, integration_id: str, tenant: str) -> Integration:
    """The caller's integration (specs not loaded), or 404, also for another tenant's."""
    query = select(Integration).options(*WITHOUT_SPECS)
    query = query.where(Integration.id == integration_id, Integration.tenant == tenant)
    async with hub.sessions() as session:
        row: Integration | None = await session.scalar(query)
    if row is None:
        raise not_found(integration_id)
    hub.owners[integration_id] = row.tenant
    return row


async def require_access(hub: Hub, integration_id: str, tenant: str) -> None:
    """404 unless the integration exists and is the tenant's (one small query, then remembered)."""
    owner = hub.owners.get(integration_id)
    if owner is None:
        async with hub.sessions() as session:
            owner = await session.scalar(select(Integration.tenant).where(Integration.id == integration_id))
        if owner is None:
            raise not_found(integration_id)
        hub.owners[integration_id] = owner
    if owner != tenant:
        raise not_found(integration_id)


async def list_rows(
    hub: Hub, tenant: str, status: IntegrationStatus | None, limit: int, offset: int
) -> Page[Integration]:
    """One page of the tenant's integrations, newest first, with the total."""
    query = select(Integration).where(Integration.tenant == tenant)
    if status is not None:
        query = query.where(Integration.status == status)
    async with hub.sessions() as session:
        total = await session.scalar(select(func.count()).select_from(query.subquery()))
        ordered = query.options(*WITHOUT_SPECS).order_by(Integration.created_at.desc(), Integration.id)
        rows = list(await session.scalars(ordered.limit(limit).offset(offset)))
    return Page(items=rows, total=int(total or 0), limit=limit, offset=offset)


def instance_of(row: Integration) -> IntegrationInstance:
    """The row as the shared IntegrationInstance, without specs or credentials."""
    return row.to_schema(with_specs=False)
