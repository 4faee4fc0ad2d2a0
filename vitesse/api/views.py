"""Build the API's response models from stored rows, never with a credential in them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vitesse.api.responses import (
    HealthSummary,
    IntegrationDetail,
    IntegrationListItem,
    IntegrationSummary,
    ReviewInfo,
    RunInfo,
)
from vitesse.api.rows import instance_of
from vitesse.net import SENSITIVE_HEADER, mask_url, mask_value
from vitesse.persistence import Integration, RunState, thread_config
from vitesse.schemas import DeploymentConfig, HealthScore, IntegrationStatus

if TYPE_CHECKING:
    from vitesse.api.hub import Hub

API_PREFIX = "/api/v1/vitesse"


def health_summary(health: HealthScore | None) -> HealthSummary | None:
    if health is None:
        return None
    return HealthSummary(
        overall_score=health.overall_score,
        success_rate=health.success_rate,
        endpoint_coverage=health.endpoint_coverage,
        critical_issues=list(health.critical_issues),
    )


def summary(row: Integration) -> IntegrationSummary:
    instance = instance_of(row)
    return IntegrationSummary(
        id=instance.id, name=instance.name, status=instance.status, health_score=health_summary(instance.health_score)
    )


def list_item(row: Integration) -> IntegrationListItem:
    base = summary(row)
    return IntegrationListItem(
        **base.model_dump(),
        source_api_name=row.source_api_name,
        dest_api_name=row.dest_api_name,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def masked_deployment(config: DeploymentConfig | None) -> DeploymentConfig | None:
    """Hide env values whose names look like credentials (older integrations may carry some)."""
    if config is None:
        return None
    env = {k: (mask_value(v) if SENSITIVE_HEADER.search(k) else v) for k, v in config.env.items()}
    return config.model_copy(update={"env": env})


async def deployment_target(hub: Hub, row: Integration) -> str | None:
    """The target the integration's runtime runs on (its deployment record, else its config), None if undeployed."""
    from vitesse.persistence import get_deployment

    async with hub.sessions() as session:
        record = await get_deployment(session=session, integration_id=row.id, tenant=None)
    if record is not None:
        return record.target
    config = instance_of(row).deployment_config
    if config is None or not (row.deployment_url or row.container_id):
        return None
    return config.target.value


async def run_info(hub: Hub, integration_id: str) -> RunInfo:
    state = await hub.runs.state(integration_id)
    if hub.runs.active(integration_id):
        state = RunState.RUNNING
    return RunInfo(
        state=None if state is None else state.value,
        last_event_id=await hub.events.last(integration_id),
        events_url=f"{API_PREFIX}/integrations/{integration_id}/events",
    )


async def stored_secrets(hub: Hub, integration_id: str) -> list[str]:
    """The integration's credential values, to mask wherever they might show."""
    from vitesse.api.runs import secret_values
    from vitesse.persistence import credential_key, load_credentials

    async with hub.sessions() as session:
        stored = await load_credentials(
            session=session, integration_id=integration_id, tenant=None, key=credential_key(hub.settings)
        )
    return secret_values(stored.source_auth, stored.dest_auth)


async def masked_credentials(hub: Hub, integration_id: str) -> dict[str, dict[str, str]]:
    from vitesse.persistence import credential_key, load_credentials, mask_credentials

    async with hub.sessions() as session:
        stored = await load_credentials(
            session=session, integration_id=integration_id, tenant=None, key=credential_key(hub.settings)
        )
    result = {}
    for side in ("source_auth", "dest_auth"):
        values = getattr(stored, side)
        if values:
            result[side] = {k: str(v) for k, v in mask_credentials(values).items()}
    return result


async def review_info(hub: Hub, integration_id: str) -> ReviewInfo | None:
    snapshot = await hub.graph.aget_state(thread_config(integration_id))
    for task in snapshot.tasks:
        for interrupt in getattr(task, "interrupts", ()):
            value: Any = interrupt.value
            if isinstance(value, dict):
                return ReviewInfo(
                    reason=str(value.get("reason", "")), critical_issues=list(value.get("critical_issues") or [])
                )
    return None


async def detail(hub: Hub, row: Integration) -> IntegrationDetail:
    instance = instance_of(row)
    run = await run_info(hub, row.id)
    review = await review_info(hub, row.id) if instance.status == IntegrationStatus.REVIEW else None
    return IntegrationDetail(
        id=instance.id,
        name=instance.name,
        status=instance.status,
        health_score=instance.health_score,
        source_api_name=instance.source_api_name,
        dest_api_name=instance.dest_api_name,
        source_api_url=mask_url(instance.source_api_url) if instance.source_api_url else None,
        dest_api_url=mask_url(instance.dest_api_url) if instance.dest_api_url else None,
        user_intent=instance.user_intent,
        mapping_logic=instance.mapping_logic,
        deployment_config=masked_deployment(instance.deployment_config),
        deployment_url=instance.deployment_url,
        error=instance.error,
        created_by=instance.created_by,
        created_at=instance.created_at,
        updated_at=instance.updated_at,
        credentials=await masked_credentials(hub, row.id),
        run=run,
        review=review,
    )
