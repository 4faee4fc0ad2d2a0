"""The health score's parts, local validation of payloads, and how feedback is grouped and worded."""

from __future__ import annotations

import pytest

from tests.integration.guardian.mappings import golden_mapping
from vitesse.graph.guardian import coverage, percentile, required_dest_fields, score_health, success_rate
from vitesse.graph.guardian.feedback import FeedbackCollector, WriteVerdict
from vitesse.graph.guardian.rejections import Rejection
from vitesse.graph.guardian.validation import LocalValidator
from vitesse.schemas import APISpecification, HealthScore, IssueKind, TestCategory, TestResult


def result(success: bool, category: TestCategory = TestCategory.OK, ms: float = 10.0) -> TestResult:
    return TestResult(
        endpoint="/x", method="POST", status_code=200, response_time_ms=ms, success=success, category=category
    )


def test_percentiles_interpolate_between_ranks() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == pytest.approx(50.5)
    assert percentile(values, 95) == pytest.approx(95.05)
    assert percentile([], 95) == 0.0 and percentile([7.0], 95) == 7.0


def test_the_overall_score_is_the_guides_formula() -> None:
    """success × 0.7 + coverage × 0.3, with success over the judged calls only."""
    calls = [result(True)] * 6 + [result(False, TestCategory.SCHEMA)] * 2
    retried = [result(False, TestCategory.RATE_LIMIT)] * 5
    health = score_health(calls + retried, 50.0, judged=calls)
    assert health.success_rate == 75.0 and health.endpoint_coverage == 50.0
    assert health.overall_score == pytest.approx(75 * 0.7 + 50 * 0.3) == HealthScore.combine(75, 50)
    assert (health.total_tests, health.passed_tests) == (13, 6)
    assert success_rate([]) == 0.0


def test_coverage_counts_endpoints_and_required_fields_reached_by_a_success(crm: APISpecification) -> None:
    """Two endpoints and three required CRM fields: five items, each covered by one successful call."""
    endpoint = crm.find_endpoint("POST /contacts")
    assert endpoint is not None
    required = required_dest_fields(endpoint)
    assert required == ["given_name", "family_name", "primary_email"]
    endpoints = ["GET /customers", "POST /contacts"]
    both = {"GET /customers", "POST /contacts"}
    full = {"given_name": "A", "family_name": "B", "primary_email": "a@b.example"}
    assert coverage(endpoints, both, required, [full]) == 100.0
    assert coverage(endpoints, {"GET /customers"}, required, []) == 20.0
    assert coverage(endpoints, both, required, [{"given_name": "A"}, {"family_name": "B"}]) == 80.0


def test_local_validation_says_exactly_what_the_schema_wants(crm: APISpecification) -> None:
    endpoint = crm.find_endpoint("POST /contacts")
    assert endpoint is not None
    payload = {
        "given_name": "A" * 81,
        "primary_email": "nope",
        "phone_numbers": [{"number": "+1 (415) 555-0100"}],
        "lifecycle_stage": "active",
        "company_id": "Acme",
        "mailing_address": {"locality": "Boston"},
    }
    found = {(r.field, r.kind): r for r in LocalValidator(crm, endpoint).check(payload)}
    assert set(found) == {
        ("given_name", IssueKind.LENGTH),
        ("family_name", IssueKind.MISSING_REQUIRED),
        ("primary_email", IssueKind.FORMAT),
        ("phone_numbers[].number", IssueKind.PATTERN),
        ("lifecycle_stage", IssueKind.ENUM),
        ("company_id", IssueKind.TYPE_MISMATCH),
        ("mailing_address.street", IssueKind.MISSING_REQUIRED),
    }
    assert found[("phone_numbers[].number", IssueKind.PATTERN)].expected == r"must match ^\+[1-9]\d{1,14}$ (E.164)"
    assert found[("lifecycle_stage", IssueKind.ENUM)].allowed == ["LEAD", "CUSTOMER", "CHURNED"]
    assert found[("company_id", IssueKind.TYPE_MISMATCH)].expected == "integer"  # not "null": nullable is seen through
    assert found[("given_name", IssueKind.LENGTH)].expected == "at most 80 characters"
    assert (
        LocalValidator(crm, endpoint).check({"given_name": "A", "family_name": "B", "primary_email": "a@b.example"})
        == []
    )


def test_feedback_merges_the_destinations_verdict_with_the_schemas_expectation() -> None:
    """Same field in one record: one issue with the API's message and the schema's precise expectation."""
    collector = FeedbackCollector(golden_mapping(), "Orbit CRM API")
    local = Rejection("phone_numbers[].number", IssueKind.PATTERN, "local", r"must match ^\+1$ (E.164)", "'415'")
    remote = Rejection("phone_numbers[].number", IssueKind.FORMAT, "must be an E.164 number (invalid_format)")
    for record in range(3):
        collector.add(WriteVerdict(record, {"phone_numbers": [{"number": "415"}]}, [local], [remote], refused=True))
    collector.add(WriteVerdict(3, {"given_name": "x"}, refused=False))
    (issue,) = collector.issues()
    assert (issue.dest_field, issue.kind, issue.count) == ("phone_numbers[].number", IssueKind.PATTERN, 3)
    assert issue.expected == r"must match ^\+1$ (E.164)" and issue.observed == "'415'"
    assert issue.source_fields == ["phone"]
    assert issue.message.startswith("Orbit CRM API rejected phone_numbers[].number in 3 of 4 writes")
    assert issue.message.endswith("add a parse transform (as phone_e164) from phone.")


def test_breaches_the_destination_let_through_are_kept_apart() -> None:
    """A local finding in an accepted write is not a refusal: it is listed with `refused=False`."""
    collector = FeedbackCollector(golden_mapping(), "Orbit CRM API")
    lax = Rejection("organization", IssueKind.LENGTH, "too long", "at most 160 characters", "'xx…'")
    collector.add(WriteVerdict(0, {"organization": "x" * 200}, [lax], refused=False))
    assert collector.issues() == []
    (issue,) = collector.issues(refused=False)
    assert "though it accepted them" in issue.message and issue.source_fields == ["company"]


def test_fields_without_a_transformation_get_their_mapped_relatives_as_sources() -> None:
    collector = FeedbackCollector(golden_mapping(), "CRM")
    assert collector.source_fields("mailing_address") == sorted(
        ["billing_address.line1", "billing_address.line2", "billing_address.city", "billing_address.province_code",
         "billing_address.zip", "billing_address.country_code"]
    )  # fmt: skip
    assert collector.source_fields("job_title") == []
