"""Shape what the lifecycle tools return: compact, model-readable views of an integration, secrets masked."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from vitesse.net import mask_headers, mask_url
from vitesse.schemas import HealthScore, IntegrationInstance, IntegrationStatus, MappingLogic

MAX_ISSUES = 8


class HealthView(BaseModel):
    """The latest proof of the mapping (shadow calls against the sandboxes or the live APIs)."""

    overall_score: float = Field(description="0-100: success rate x 0.7 + endpoint coverage x 0.3.")
    success_rate: float
    endpoint_coverage: float
    total_tests: int
    passed_tests: int
    p95_ms: float
    against: str = Field(description="sandbox or live.")
    critical_issues: list[str] = Field(default_factory=list, description="What failed, as sentences to act on.")


class TransformationView(BaseModel):
    """How one destination field is filled."""

    dest_field: str
    source_fields: list[str]
    transform_type: str
    transform_config: dict[str, Any] | None = None
    confidence: float


class MappingView(BaseModel):
    """The field mapping from the source list endpoint to the destination write endpoint."""

    source_endpoint: str
    dest_endpoint: str
    version: int
    produced_by: str = Field(description="offline, llm or human.")
    transformations: list[TransformationView]
    unmapped_required: list[str] = Field(default_factory=list, description="Required destination fields left empty.")
    complexity_score: int


class IntegrationView(BaseModel):
    """One integration: where it stands and what to do next."""

    integration_id: str
    name: str
    status: IntegrationStatus = Field(description="initializing … testing, review, ready, active or failed.")
    source_api_name: str
    dest_api_name: str
    user_intent: str
    mapping: MappingView | None = None
    health: HealthView | None = None
    deployment_target: str | None = None
    deployment_url: str | None = None
    error: str | None = None
    next_steps: list[str] = Field(default_factory=list, description="What to call next, with the arguments to use.")
    updated_at: datetime | None = None


class IntegrationRow(BaseModel):
    """One line of a listing."""

    integration_id: str
    name: str
    status: IntegrationStatus
    overall_score: float | None = None
    deployment_url: str | None = None
    updated_at: datetime | None = None


class IntegrationList(BaseModel):
    """A page of integrations, newest first."""

    total: int = Field(description="How many integrations match, across all pages.")
    limit: int
    offset: int
    integrations: list[IntegrationRow]


def health_view(health: HealthScore | None) -> HealthView | None:
    """Return the compact health of a proof."""
    if health is None:
        return None
    return HealthView(
        overall_score=health.overall_score,
        success_rate=health.success_rate,
        endpoint_coverage=health.endpoint_coverage,
        total_tests=health.total_tests,
        passed_tests=health.passed_tests,
        p95_ms=health.p95_ms,
        against=health.against,
        critical_issues=health.critical_issues[:MAX_ISSUES],
    )


def mapping_view(mapping: MappingLogic | None) -> MappingView | None:
    """Return the mapping as rows a model (or a person) can read and correct."""
    if mapping is None:
        return None
    rows = [
        TransformationView(
            dest_field=t.dest_field,
            source_fields=list(t.source_fields),
            transform_type=t.transform_type.value,
            transform_config=t.transform_config or None,
            confidence=round(t.confidence, 3),
        )
        for t in mapping.transformations
    ]
    return MappingView(
        source_endpoint=mapping.source_endpoint,
        dest_endpoint=mapping.dest_endpoint,
        version=mapping.version,
        produced_by=mapping.produced_by,
        transformations=rows,
        unmapped_required=mapping.unmapped_required,
        complexity_score=mapping.complexity_score,
    )


def integration_view(instance: IntegrationInstance) -> IntegrationView:
    """Return the integration as a tool result, with the next steps its status calls for."""
    config = instance.deployment_config
    return IntegrationView(
        integration_id=instance.id,
        name=instance.name,
        status=instance.status,
        source_api_name=instance.source_api_name,
        dest_api_name=instance.dest_api_name,
        user_intent=instance.user_intent,
        mapping=mapping_view(instance.mapping_logic),
        health=health_view(instance.health_score),
        deployment_target=config.target.value if config is not None else None,
        deployment_url=mask_url(instance.deployment_url) if instance.deployment_url else None,
        error=instance.error,
        next_steps=next_steps(instance),
        updated_at=instance.updated_at,
    )


def next_steps(instance: IntegrationInstance) -> list[str]:
    """Say what to do next for an integration in this status, naming the tools and arguments."""
    iid = instance.id
    score = instance.health_score.overall_score if instance.health_score else 0.0
    status = instance.status
    if status == IntegrationStatus.REVIEW:
        return [
            f"The proof scored {score:.1f}, below the pass score, so the run is paused for a person.",
            f"Approve as is: review_integration(integration_id='{iid}', action='approve').",
            f"Or correct it: read vitesse://integrations/{iid}/mapping, change the transformations, then "
            f"review_integration(integration_id='{iid}', action='edit', mapping=<the corrected mapping>) "
            "(the edited mapping is proved again).",
            f"Or give up: review_integration(integration_id='{iid}', action='abort', reason='...').",
        ]
    if status == IntegrationStatus.READY:
        # deploy_integration needs a runtime_config today; a run with a target builds it from the proven mapping.
        return [
            f"Proven (score {score:.1f}) and ready to run. To deploy it, call create_integration again with the "
            "same APIs and intent plus deployment_target='process' (this machine; 'local', 'eks' or 'ecs' "
            "elsewhere) and source_base_url/dest_base_url for the live APIs: the proof repeats, then the sync "
            "runtime starts.",
        ]
    if status == IntegrationStatus.ACTIVE:
        return [
            f"Running{' at ' + mask_url(instance.deployment_url) if instance.deployment_url else ''}: "
            f"sync_integration(integration_id='{iid}') syncs now; vitesse://integrations/{iid}/health shows the proof.",
        ]
    if status == IntegrationStatus.FAILED:
        return [f"Failed: {instance.error or 'see vitesse://integrations/' + iid + '/events'}. "
                "Fix the cause and call create_integration again."]  # fmt: skip
    return [f"Still running ({status.value}); get_integration(integration_id='{iid}') shows its progress."]


def masked_env(env: dict[str, str]) -> dict[str, str]:
    """Return deployment environment values with credential-looking names masked."""
    return mask_headers(env)


def validation_problems(exc: ValidationError, limit: int = 5) -> str:
    """Say which inputs a pydantic validation refused and why, without echoing the values."""
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'input'}: {e['msg']}" for e in exc.errors()[:limit])
