"""The Guardian proves the example mapping against in-process sandboxes: correct scores high, broken low."""

from __future__ import annotations

import inspect
import math

import pytest

from tests.integration.guardian.mappings import edited, golden_mapping
from vitesse.config import Settings
from vitesse.graph.guardian import GuardianOptions, GuardianReport, Target, run_guardian
from vitesse.sandbox.app import Sandbox
from vitesse.schemas import APISpecification, IssueKind, MappingLogic, TestCategory, TransformType

GOLDEN = golden_mapping()
PAGE_SIZE = 10


async def prove(
    shop: APISpecification, crm: APISpecification, mapping: MappingLogic, settings: Settings, **options: object
) -> GuardianReport:
    source = Target(shop, shop.find_endpoint("GET /customers"))  # type: ignore[arg-type]
    dest = Target(crm, crm.find_endpoint("POST /contacts"))  # type: ignore[arg-type]
    opts = GuardianOptions(page_size=PAGE_SIZE, **options)  # type: ignore[arg-type]
    return await run_guardian(mapping, source, dest, options=opts, settings=settings)


@pytest.fixture(scope="module")
def seeded_records() -> int:
    """How many customers a sandbox holds before anything is written (its own default)."""
    return int(inspect.signature(Sandbox).parameters["records_per_collection"].default)


async def test_the_correct_example_mapping_scores_at_least_90(
    shop: APISpecification, crm: APISpecification, guardian_settings: Settings, seeded_records: int
) -> None:
    """The README's golden mapping passes: ≥ 100 calls, the source paged through, high score, sandbox said."""
    report = await prove(shop, crm, GOLDEN, guardian_settings)
    health = report.health
    assert health.overall_score >= 90 and report.passed
    assert health.total_tests >= 100 and health.endpoint_coverage == 100.0
    reads = [r for r in report.test_results if r.method == "GET"]
    assert len(reads) == math.ceil(seeded_records / PAGE_SIZE)  # walked every page, then stopped
    assert all(r.success and r.endpoint == "/customers" for r in reads)
    assert health.against == "sandbox" and any("sandbox" in w for w in health.warnings)
    faulted = {issue.dest_field for issue in report.feedback}
    assert not faulted & {"phone_numbers[].number", "lifecycle_stage", "primary_email"}
    assert health.p50_ms <= health.p95_ms and health.passed_tests == sum(r.success for r in report.test_results)


BROKEN: list[tuple[str, MappingLogic, str, IssueKind, list[str]]] = [
    (
        "bad enum: status copied into lifecycle_stage",
        edited(GOLDEN, "lifecycle_stage", transform_type=TransformType.DIRECT, transform_config={}),
        "lifecycle_stage",
        IssueKind.ENUM,
        ["add an enum transform from status", "LEAD, CUSTOMER, CHURNED"],
    ),
    (
        "wrong type: a string into a boolean",
        edited(GOLDEN, "marketing_opt_in", transform_type=TransformType.STRINGIFY),
        "marketing_opt_in",
        IssueKind.TYPE_MISMATCH,
        ["must be a boolean", "cast accepts_marketing"],
    ),
    (
        "wrong type: the company name into company_id",
        edited(GOLDEN, "organization", dest_field="company_id"),
        "company_id",
        IssueKind.TYPE_MISMATCH,
        ["must be an integer", "look them up"],
    ),
    (
        "missing required field: given_name left out",
        edited(GOLDEN, "given_name", remove=True),
        "given_name",
        IssueKind.MISSING_REQUIRED,
        ["is required", "map a source field to it"],
    ),
    (
        "naive phone: no E.164 transform",
        edited(GOLDEN, "phone_numbers[].number", transform_type=TransformType.DIRECT, transform_config={}),
        "phone_numbers[].number",
        IssueKind.PATTERN,
        [r"^\+[1-9]\d{1,14}$ (E.164)", "add a parse transform (as phone_e164) from phone"],
    ),
]


@pytest.mark.parametrize(("label", "mapping", "field", "kind", "words"), BROKEN, ids=[b[0] for b in BROKEN])
async def test_a_broken_mapping_scores_below_70_with_the_right_critical_issue(
    shop: APISpecification,
    crm: APISpecification,
    guardian_settings: Settings,
    label: str,
    mapping: MappingLogic,
    field: str,
    kind: IssueKind,
    words: list[str],
) -> None:
    """Each deliberate fault fails the proof, and the first matching issue names the field, kind and repair."""
    report = await prove(shop, crm, mapping, guardian_settings, test_count=50)
    assert report.health.overall_score < 70 and not report.passed
    issue = next(i for i in report.feedback if i.dest_field == field)
    assert issue.kind == kind and issue.count > 0
    writes = [r for r in report.test_results if r.method == "POST"]
    refused = [r for r in writes if field in r.fields]
    assert issue.count == len(refused)  # one record per write: every refusal naming the field is counted
    sentence = next(s for s in report.health.critical_issues if s.startswith(f"Orbit CRM API rejected {field} "))
    assert f"in {issue.count} of {len(writes)} writes" in sentence
    for word in words:
        assert word in sentence
    assert report.health.feedback == report.feedback


async def test_enum_feedback_carries_what_the_mapper_needs(
    shop: APISpecification, crm: APISpecification, guardian_settings: Settings
) -> None:
    """The heal input names allowed values, an observed excerpt, the source field and an example payload."""
    mapping = edited(GOLDEN, "lifecycle_stage", transform_type=TransformType.DIRECT, transform_config={})
    report = await prove(shop, crm, mapping, guardian_settings, test_count=30)
    issue = next(i for i in report.feedback if i.dest_field == "lifecycle_stage")
    assert issue.allowed_values == ["LEAD", "CUSTOMER", "CHURNED"]
    assert issue.source_fields == ["status"]
    assert issue.observed in {"'active'", "'invited'", "'disabled'"}
    assert issue.example_payload is not None and issue.example_payload["lifecycle_stage"] in {
        "active",
        "invited",
        "disabled",
    }
    assert issue.expected == "one of LEAD, CUSTOMER, CHURNED"


async def test_a_transform_that_cannot_compile_is_reported_not_raised(
    shop: APISpecification, crm: APISpecification, guardian_settings: Settings
) -> None:
    """An unknown custom function fails its field in every record; the rest of the mapping is still proved."""
    mapping = edited(GOLDEN, "external_ref", transform_type=TransformType.CUSTOM, transform_config={"function": "nope"})
    report = await prove(shop, crm, mapping, guardian_settings, test_count=30)
    issue = next(i for i in report.feedback if i.dest_field == "external_ref")
    writes = [r for r in report.test_results if r.method == "POST"]
    assert issue.kind == IssueKind.TRANSFORM_FAILED and issue.count == len(writes)
    assert not report.passed
    assert any(r.category == TestCategory.TRANSFORM for r in writes)
    assert "nope" in issue.message


async def test_the_same_seed_gives_the_same_proof(
    shop: APISpecification, crm: APISpecification, guardian_settings: Settings
) -> None:
    """Synthetic records, sandboxes and outcomes are deterministic for a seed (timings aside)."""
    first = await prove(shop, crm, GOLDEN, guardian_settings, test_count=40)
    second = await prove(shop, crm, GOLDEN, guardian_settings, test_count=40)
    outline = [(r.method, r.status_code, tuple(r.fields)) for r in first.test_results]
    assert sorted(outline) == sorted((r.method, r.status_code, tuple(r.fields)) for r in second.test_results)
    assert first.health.overall_score == second.health.overall_score
    assert len(first.test_results) >= 40
