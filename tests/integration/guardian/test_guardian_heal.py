"""The Guardian's feedback is what the Mapper heals from: the naive example mapping passes after one heal."""

from __future__ import annotations

from tests.integration.guardian.mappings import edited, golden_mapping
from vitesse.config import Settings
from vitesse.graph.guardian import GuardianOptions, GuardianReport, Target, run_guardian
from vitesse.graph.mapper import heal_mapping
from vitesse.schemas import APISpecification, IssueKind, MappingLogic, TransformType


async def prove(
    shop: APISpecification, crm: APISpecification, mapping: MappingLogic, settings: Settings
) -> GuardianReport:
    source = Target(shop, shop.find_endpoint("GET /customers"))  # type: ignore[arg-type]
    dest = Target(crm, crm.find_endpoint("POST /contacts"))  # type: ignore[arg-type]
    return await run_guardian(mapping, source, dest, options=GuardianOptions(test_count=50), settings=settings)


async def test_the_two_demo_faults_are_healed_from_the_feedback(
    shop: APISpecification, crm: APISpecification, guardian_settings: Settings
) -> None:
    """Phone copied as typed and status copied into lifecycle_stage: fail, heal once, pass with ≥ 90."""
    naive = edited(
        edited(golden_mapping(), "lifecycle_stage", transform_type=TransformType.DIRECT, transform_config={}),
        "phone_numbers[].number",
        transform_type=TransformType.DIRECT,
        transform_config={},
    )
    first = await prove(shop, crm, naive, guardian_settings)
    kinds = {(i.dest_field, i.kind) for i in first.feedback}
    assert {("lifecycle_stage", IssueKind.ENUM), ("phone_numbers[].number", IssueKind.PATTERN)} <= kinds
    assert not first.passed
    healed = heal_mapping(naive, first.feedback, shop, crm)
    second = await prove(shop, crm, healed, guardian_settings)
    assert second.health.overall_score >= 90 and second.passed
    assert not {i.dest_field for i in second.feedback} & {"lifecycle_stage", "phone_numbers[].number"}
