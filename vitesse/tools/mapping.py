"""Map two APIs and prove a mapping, as tools: `propose_mapping` (the Mapper) and `run_guardian` (the proof).

Both read the APIs the way `ingest_api` does (cached by digest), so a model can iterate: propose, prove,
correct the transformations, prove again, then hand the mapping to an integration.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from pydantic import BaseModel, Field, ValidationError

from vitesse.config import Settings
from vitesse.errors import MappingError
from vitesse.schemas import APISpecification, Endpoint, MappingLogic
from vitesse.tools._types import ApiRef, TestCount
from vitesse.tools._views import HealthView, health_view, validation_problems

MAX_FEEDBACK = 10
SpecUrl = Annotated[str | None, Field(description="Explicit spec URL when the API reference is a base URL.")]


class MappingProposal(BaseModel):
    """A proposed field mapping, to prove with run_guardian or to correct."""

    mapping: MappingLogic = Field(description="The whole mapping; pass it to run_guardian or review_integration.")
    readable: list[str] = Field(description="One line per destination field: `dest <- source (transform, confidence)`.")
    unmapped_required: list[str] = Field(description="Required destination fields nothing fills yet.")


class GuardianResult(BaseModel):
    """The proof of a mapping: shadow calls against sandboxes generated from both specs."""

    passed: bool = Field(description="True when overall_score reaches the pass score (70).")
    health: HealthView
    by_category: dict[str, int] = Field(description="Calls per outcome: ok, schema, auth, rate_limit, server …")
    feedback: list[str] = Field(description="What to change in the mapping, field by field.")


async def propose_mapping(
    source_api: ApiRef,
    dest_api: ApiRef,
    user_intent: Annotated[
        str, Field(description="What to sync; picks the endpoints.", examples=["Sync customers into CRM contacts"])
    ] = "",  # fmt: skip
    source_endpoint: Annotated[
        str | None, Field(description="Force the source list endpoint.", examples=["GET /customers"])
    ] = None,  # fmt: skip
    dest_endpoint: Annotated[
        str | None, Field(description="Force the destination write endpoint.", examples=["POST /contacts"])
    ] = None,  # fmt: skip
    source_spec_url: SpecUrl = None,
    dest_spec_url: SpecUrl = None,
    use_llm: Annotated[bool, Field(description="Let the configured LLM rerank the candidates.")] = False,
    *,
    settings: Settings | None = None,
) -> MappingProposal:
    """Propose how each destination field is filled from the source (names, synonyms, types, formats).

    Example: propose_mapping(source_api="./shop.yaml", dest_api="./crm.yaml",
    user_intent="Sync shop customers into CRM contacts")
    """
    from vitesse.graph.mapper import propose_mapping as offline
    from vitesse.graph.mapper import propose_mapping_llm

    settings = settings or Settings()
    source, dest = await _specs(source_api, source_spec_url, dest_api, dest_spec_url, settings)
    if use_llm and settings.llm_enabled:
        mapping = await propose_mapping_llm(
            source, dest, user_intent, source_endpoint=source_endpoint, dest_endpoint=dest_endpoint, settings=settings
        )
    else:
        mapping = offline(source, dest, user_intent, source_endpoint=source_endpoint, dest_endpoint=dest_endpoint)
    readable = [
        f"{t.dest_field} <- {', '.join(t.source_fields) or '(constant)'} ({t.transform_type.value}, {t.confidence:.2f})"
        for t in mapping.transformations
    ]
    return MappingProposal(mapping=mapping, readable=readable, unmapped_required=mapping.unmapped_required)


async def run_guardian(
    source_api: ApiRef,
    dest_api: ApiRef,
    mapping: Annotated[
        dict[str, Any],
        Field(description="The mapping to prove, as propose_mapping or vitesse://integrations/{id}/mapping give it."),
    ],
    test_count: TestCount = 50,
    seed: Annotated[int, Field(description="Seed of the synthetic records and sandboxes (same seed, same run).")] = 1,
    source_spec_url: SpecUrl = None,
    dest_spec_url: SpecUrl = None,
    *,
    settings: Settings | None = None,
) -> GuardianResult:
    """Prove a mapping with shadow calls: read the source sandbox, write transformed records to the destination's.

    Reports the health score (deploy at 70 or more) and field-level feedback to fix the mapping.
    Example: run_guardian(source_api="./shop.yaml", dest_api="./crm.yaml", mapping=<propose_mapping's mapping>)
    """
    from vitesse.graph.guardian import GuardianOptions, Target
    from vitesse.graph.guardian import run_guardian as prove

    settings = settings or Settings()
    logic = _mapping(mapping)
    source, dest = await _specs(source_api, source_spec_url, dest_api, dest_spec_url, settings)
    report = await prove(
        logic,
        Target(spec=source, endpoint=_endpoint(source, logic.source_endpoint, "source")),
        Target(spec=dest, endpoint=_endpoint(dest, logic.dest_endpoint, "destination")),
        options=GuardianOptions(test_count=test_count, seed=seed),
        settings=settings,
    )
    categories: dict[str, int] = {}
    for result in report.test_results:
        categories[result.category.value] = categories.get(result.category.value, 0) + 1
    health = health_view(report.health)
    assert health is not None
    return GuardianResult(
        passed=report.health.overall_score >= report.pass_score,
        health=health,
        by_category=categories,
        feedback=[issue.message for issue in report.feedback[:MAX_FEEDBACK]],
    )


async def _specs(
    source: str, source_spec_url: str | None, dest: str, dest_spec_url: str | None, settings: Settings
) -> tuple[APISpecification, APISpecification]:
    from vitesse.graph.ingestor import ingest

    first, second = await asyncio.gather(
        ingest(source, spec_url=source_spec_url, settings=settings),
        ingest(dest, spec_url=dest_spec_url, settings=settings),
    )
    return first, second


def _mapping(data: dict[str, Any]) -> MappingLogic:
    try:
        return MappingLogic.model_validate(data)
    except ValidationError as exc:
        raise MappingError(
            f"The mapping is not valid ({validation_problems(exc)}); pass the `mapping` propose_mapping returned."
        ) from None


def _endpoint(spec: APISpecification, ref: str, side: str) -> Endpoint:
    endpoint = spec.find_endpoint(ref)
    if endpoint is None:
        raise MappingError(
            f"The {side} API ({spec.title or spec.name}) has no endpoint {ref!r}; ingest_api lists its endpoints."
        )
    return endpoint
