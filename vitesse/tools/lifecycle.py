"""Drive an integration's lifecycle: create (run the graph), review a paused run, read one, list them.

Plain typed async functions, registered as they are by the MCP server and bound by the graph
(`vitesse.tools.TOOLS`); keyword-only parameters are dependencies a face fills (see `vitesse.tools._faces`).
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Annotated, Any, Literal
from urllib.parse import urlparse

from pydantic import Field, ValidationError

from vitesse.config import Settings
from vitesse.errors import MappingError, NotFoundError
from vitesse.schemas import DeploymentConfig, DeploymentTarget, IntegrationStatus, MappingLogic
from vitesse.tools._db import open_session, require_row
from vitesse.tools._types import ID_PATTERN, ApiRef, Credentials, HealAttempts, IntegrationId, TestCount
from vitesse.tools._views import (
    IntegrationList,
    IntegrationRow,
    IntegrationView,
    integration_view,
    validation_problems,
)

SOURCE_URL_ENV = "VITESSE_SOURCE_BASE_URL"
DEST_URL_ENV = "VITESSE_DEST_BASE_URL"


def api_name(ref: str) -> str:
    """A short label for an API from where its spec lives: the file stem or the URL's host."""
    parsed = urlparse(ref)
    if parsed.scheme in ("http", "https") and parsed.hostname:
        return parsed.hostname
    return PurePosixPath(ref.replace("\\", "/")).stem or ref


async def create_integration(
    source_api: ApiRef,
    dest_api: ApiRef,
    user_intent: Annotated[
        str,
        Field(
            description="What to sync, in plain words; picks the endpoints.",
            examples=["Sync Stripe customers into Pipedrive persons"],
            min_length=3,
        ),  # fmt: skip
    ],
    source_api_name: Annotated[str | None, Field(description="A label for the source API.")] = None,
    dest_api_name: Annotated[str | None, Field(description="A label for the destination API.")] = None,
    source_endpoint: Annotated[
        str | None, Field(description="Force the source list endpoint.", examples=["GET /v1/customers"])
    ] = None,  # fmt: skip
    dest_endpoint: Annotated[
        str | None, Field(description="Force the destination write endpoint.", examples=["POST /contacts"])
    ] = None,  # fmt: skip
    source_spec_url: Annotated[
        str | None, Field(description="Explicit spec URL when source_api is a base URL that does not serve one.")
    ] = None,  # fmt: skip
    dest_spec_url: Annotated[str | None, Field(description="Explicit spec URL for the destination.")] = None,
    source_auth: Credentials = None,
    dest_auth: Credentials = None,
    deployment_target: Annotated[
        Literal["none", "process", "local", "eks", "ecs"],
        Field(
            description="Deploy the sync runtime once proven: process (this machine), local (Docker + "
            "Traefik), eks, ecs; none stops at ready."
        ),  # fmt: skip
    ] = "none",
    source_base_url: Annotated[
        str | None,
        Field(description="Where the deployed runtime reads the source API (default: the spec's server URL)."),
    ] = None,  # fmt: skip
    dest_base_url: Annotated[str | None, Field(description="Where the deployed runtime writes.")] = None,
    schedule_interval_s: Annotated[
        int | None,
        Field(ge=10, description="Seconds between scheduled syncs of the deployment; null for on demand only."),
    ] = 300,  # fmt: skip
    test_count: TestCount = 100,
    max_heal_attempts: HealAttempts = 3,
    pass_score: Annotated[float, Field(ge=0, le=100, description="Health score needed to deploy.")] = 70.0,
    require_review: Annotated[bool, Field(description="Pause for a person even when the proof passes.")] = False,
    use_llm: Annotated[bool, Field(description="Let the configured LLM rerank the mapping.")] = False,
    naive_first_mapping: Annotated[
        bool, Field(description="Demo: start from plain copies so the heal loop shows its work.")
    ] = False,  # fmt: skip
    integration_id: Annotated[
        str | None, Field(description="Choose the id (default: generated).", pattern=ID_PATTERN)
    ] = None,  # fmt: skip
    *,
    settings: Settings | None = None,
    tenant: str = "default",
    actor: str | None = None,
    orchestrator: Any = None,
    on_event: Any = None,
) -> IntegrationView:
    """Build an integration end to end: read both APIs, map, prove with shadow calls, heal, optionally deploy.

    The proof runs against sandboxes generated from both specs. Takes seconds to a minute; progress is
    reported per stage. A run whose proof stays below the pass score pauses with status 'review'; the
    result's next_steps say how to resume it with review_integration.

    Example: create_integration(source_api="https://shop.example.com/openapi.json",
    dest_api="./crm.yaml", user_intent="Sync shop customers into CRM contacts", test_count=20)
    """
    from vitesse.graph.context import Context

    orchestrator = orchestrator or _orchestrator(settings, tenant)
    deployment = _deployment(deployment_target, source_base_url, dest_base_url, schedule_interval_s)
    instance = await orchestrator.create_integration(
        source_api_url=source_api,
        source_api_name=source_api_name or api_name(source_api),
        dest_api_url=dest_api,
        dest_api_name=dest_api_name or api_name(dest_api),
        user_intent=user_intent,
        deployment_config=deployment,
        created_by=actor,
        source_endpoint=source_endpoint,
        dest_endpoint=dest_endpoint,
        source_spec_url=source_spec_url,
        dest_spec_url=dest_spec_url,
        source_auth=source_auth,
        dest_auth=dest_auth,
        integration_id=integration_id,
        run_context=Context(
            test_count=test_count,
            max_heal_attempts=max_heal_attempts,
            pass_score=pass_score,
            require_review=require_review,
            use_llm=use_llm,
            naive_first_mapping=naive_first_mapping,
        ),  # fmt: skip
        on_event=on_event,
    )
    return integration_view(instance)


async def review_integration(
    integration_id: IntegrationId,
    action: Annotated[
        Literal["approve", "edit", "abort"],
        Field(
            description="approve: deploy the mapping as it is; edit: prove your corrected mapping (give "
            "`mapping`); abort: stop the integration (give `reason`)."
        ),  # fmt: skip
    ],
    mapping: Annotated[
        dict[str, Any] | None,
        Field(
            description="For edit: the corrected mapping, as vitesse://integrations/{id}/mapping shows it; "
            "fields you leave out (endpoints …) keep their current values.",
            examples=[
                {
                    "transformations": [
                        {
                            "source_fields": ["phone"],
                            "dest_field": "phone_numbers[].number",
                            "transform_type": "parse",
                            "transform_config": {"as": "phone_e164"},
                        }
                    ]
                }
            ],
        ),
    ] = None,  # fmt: skip
    reason: Annotated[str | None, Field(description="Why, for abort (kept in the audit trail).")] = None,
    test_count: TestCount = 100,
    max_heal_attempts: HealAttempts = 0,
    *,
    settings: Settings | None = None,
    sessions: Any = None,
    tenant: str = "default",
    actor: str | None = None,
    orchestrator: Any = None,
    on_event: Any = None,
) -> IntegrationView:
    """Resume a run paused for review (status 'review'): approve, edit the mapping, or abort.

    Example: review_integration(integration_id="integ_3f9a1c2b7d10", action="approve")
    """
    from vitesse.graph.context import Context

    async with open_session(settings, sessions) as session:
        row = await require_row(session, integration_id, tenant)
        current = row.to_schema()
    if current.status != IntegrationStatus.REVIEW:
        raise NotFoundError(
            f"Integration {integration_id!r} is not waiting for a review (status {current.status.value}); only a "
            "run paused with status 'review' can be approved, edited or aborted."
        )
    edited = _edited_mapping(current.mapping_logic, mapping) if action == "edit" else None
    orchestrator = orchestrator or _orchestrator(settings, tenant)
    instance = await orchestrator.review_integration(
        integration_id,
        action=action,
        mapping=edited,
        reason=reason,
        by=actor,
        run_context=Context(test_count=test_count, max_heal_attempts=max_heal_attempts),
        on_event=on_event,
    )
    return integration_view(instance)


async def get_integration(
    integration_id: IntegrationId,
    *,
    settings: Settings | None = None,
    sessions: Any = None,
    tenant: str = "default",
) -> IntegrationView:
    """Show one integration: status, mapping, latest health, deployment, and what to do next.

    Example: get_integration(integration_id="integ_3f9a1c2b7d10")
    """
    async with open_session(settings, sessions) as session:
        row = await require_row(session, integration_id, tenant)
        instance = row.to_schema()
    return integration_view(instance)


async def list_integrations(
    status: Annotated[IntegrationStatus | None, Field(description="Only integrations in this status.")] = None,
    limit: Annotated[int, Field(ge=1, le=100, description="Page size.")] = 20,
    offset: Annotated[int, Field(ge=0, description="Integrations to skip (for the next page).")] = 0,
    *,
    settings: Settings | None = None,
    sessions: Any = None,
    tenant: str = "default",
) -> IntegrationList:
    """List integrations, newest first, with status and health score.

    Example: list_integrations(status="review") finds the runs waiting for a person.
    """
    from vitesse.persistence import list_integrations as list_rows

    async with open_session(settings, sessions) as session:
        page = await list_rows(session=session, tenant=tenant, status=status, limit=limit, offset=offset)
    rows = [
        IntegrationRow(
            integration_id=row.id,
            name=row.name,
            status=row.status,
            overall_score=row.overall_score,
            deployment_url=row.deployment_url,
            updated_at=row.updated_at,
        )  # fmt: skip
        for row in page.items
    ]
    return IntegrationList(total=page.total, limit=page.limit, offset=page.offset, integrations=rows)


def _orchestrator(settings: Settings | None, tenant: str) -> Any:
    from vitesse.orchestrator import VitesseOrchestrator

    return VitesseOrchestrator(settings=settings or Settings(), tenant=tenant)


def _deployment(
    target: str, source_base_url: str | None, dest_base_url: str | None, interval: int | None
) -> DeploymentConfig | None:
    if target == "none":
        return None
    env = {name: url for name, url in ((SOURCE_URL_ENV, source_base_url), (DEST_URL_ENV, dest_base_url)) if url}
    return DeploymentConfig(target=DeploymentTarget(target), env=env, schedule_interval_s=interval)


def _edited_mapping(current: MappingLogic | None, edit: dict[str, Any] | None) -> dict[str, Any]:
    """Merge an edit over the current mapping and check it is a valid MappingLogic."""
    if not edit:
        raise MappingError("action 'edit' needs `mapping`: the corrected mapping (at least its transformations).")
    merged = {**(current.model_dump(mode="json") if current else {}), **edit}
    try:
        return MappingLogic.model_validate(merged).model_dump(mode="json")
    except ValidationError as exc:
        raise MappingError(
            f"The edited mapping is not valid ({validation_problems(exc)}); send it in the shape vitesse://integrations/"
            "{id}/mapping shows."
        ) from None
