"""Keep an integration's `transformations` rows equal to its current mapping."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from vitesse.persistence._base import add_audit_log, require_integration
from vitesse.persistence.models import AuditAction, Transformation
from vitesse.schemas import DataTransformation, MappingLogic


async def replace_transformations(
    session: AsyncSession, integration_id: str, mapping: MappingLogic | Sequence[DataTransformation], version: int = 1
) -> list[Transformation]:
    items = mapping.transformations if isinstance(mapping, MappingLogic) else list(mapping)
    if isinstance(mapping, MappingLogic):
        version = mapping.version
    await session.execute(delete(Transformation).where(Transformation.integration_id == integration_id))
    rows = [
        Transformation(
            integration_id=integration_id,
            position=position,
            mapping_version=version,
            dest_field=item.dest_field,
            source_fields=list(item.source_fields),
            transform_type=item.transform_type.value,
            transform_config=item.model_dump(mode="json")["transform_config"],
            confidence=item.confidence,
            rationale=item.rationale,
            required=item.required,
        )
        for position, item in enumerate(items)
    ]
    session.add_all(rows)
    await session.flush()
    return rows


async def save_transformations(
    *,
    session: AsyncSession,
    integration_id: str,
    tenant: str | None,
    transformations: MappingLogic | Sequence[DataTransformation],
    mapping_version: int = 1,
    actor: str | None = None,
    action: AuditAction = AuditAction.UPDATED,
) -> list[Transformation]:
    """Replace the whole set of an integration's transformations and audit it.

    `update_integration(mapping_logic=...)` already does this; call this one to store transformations
    without a full mapping.

    Args:
        session: An open session; the caller commits.
        integration_id: The integration.
        tenant: The caller's tenant; None for trusted internal callers.
        transformations: A mapping (its version wins over `mapping_version`) or a list of transformations.
        mapping_version: The mapping version these belong to.
        actor: Who saves them.
        action: The audit action (`healed` for a heal revision).

    Returns:
        The new rows, in order.

    Raises:
        NotFoundError: no such integration for this tenant.
    """
    row = await require_integration(session, integration_id, tenant)
    rows = await replace_transformations(session, integration_id, transformations, mapping_version)
    await add_audit_log(
        session=session,
        integration_id=integration_id,
        action=action,
        tenant=row.tenant,
        actor=actor,
        details={"transformations": len(rows), "mapping_version": rows[0].mapping_version if rows else None},
    )
    return rows


async def list_transformations(
    *, session: AsyncSession, integration_id: str, tenant: str | None
) -> list[Transformation]:
    """Return an integration's transformations in mapping order (`row.to_schema()` for the shared type).

    Raises:
        NotFoundError: no such integration for this tenant.
    """
    await require_integration(session, integration_id, tenant)
    rows = await session.scalars(
        select(Transformation).where(Transformation.integration_id == integration_id).order_by(Transformation.position)
    )
    return list(rows)
