"""Bulk destinations: records travel ten to a body, and refusals are traced back to the record that caused them."""

from __future__ import annotations

import pytest

from vitesse.config import Settings
from vitesse.graph.guardian import GuardianOptions, Target, run_guardian
from vitesse.graph.ingestor import ingest_bytes
from vitesse.schemas import APISpecification, DataTransformation, IssueKind, MappingLogic, TransformType

BULK_SPEC = """
openapi: 3.0.3
info: {title: People Hub, version: "1"}
paths:
  /people/batch:
    post:
      operationId: upsertPeople
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [people]
              properties:
                people:
                  type: array
                  maxItems: 100
                  items: {$ref: '#/components/schemas/Person'}
      responses:
        '200':
          description: Upserted.
          content:
            application/json:
              schema: {type: object, properties: {upserted: {type: integer}}}
        '422':
          description: Invalid.
          content:
            application/json:
              schema:
                type: object
                properties:
                  message: {type: string}
                  errors:
                    type: array
                    items: {type: object, properties: {path: {type: string}, message: {type: string}}}
components:
  schemas:
    Person:
      type: object
      required: [email, family]
      properties:
        email: {type: string, format: email}
        family: {type: string, maxLength: 120}
        stage: {type: string, enum: [lead, customer, churned]}
"""


@pytest.fixture(scope="module")
def hub() -> APISpecification:
    return ingest_bytes(BULK_SPEC, source="people-hub.yaml")


def bulk_mapping(stage_map: dict[str, str]) -> MappingLogic:
    rows = [
        ("people[].email", "email", TransformType.DIRECT, {}),
        ("people[].family", "last_name", TransformType.DIRECT, {}),
        ("people[].stage", "status", TransformType.MAPPING, {"map": stage_map}),
    ]
    return MappingLogic(
        source_endpoint="GET /customers",
        dest_endpoint="POST /people/batch",
        dest_array_wrapper="people[]",
        transformations=[
            DataTransformation(dest_field=d, source_fields=[s], transform_type=t, transform_config=c)
            for d, s, t, c in rows
        ],
    )


async def test_bulk_writes_carry_many_records_and_blame_only_the_bad_ones(
    shop: APISpecification, hub: APISpecification, guardian_settings: Settings
) -> None:
    """`disabled` passes through unmapped: only those records are counted, in the mapping's own path spelling."""
    mapping = bulk_mapping({"active": "customer", "invited": "lead"})
    source = Target(shop, shop.find_endpoint("GET /customers"))  # type: ignore[arg-type]
    dest = Target(hub, hub.find_endpoint("POST /people/batch"))  # type: ignore[arg-type]
    report = await run_guardian(
        mapping, source, dest, options=GuardianOptions(test_count=20), settings=guardian_settings
    )
    writes = [r for r in report.test_results if r.method == "POST"]
    refused = [r for r in writes if r.status_code == 422]
    assert writes and refused and all("stage" in r.fields for r in refused)
    issue = next(i for i in report.feedback if i.dest_field == "people[].stage")
    assert issue.kind is IssueKind.ENUM and issue.observed == "'disabled'"
    assert issue.allowed_values == ["lead", "customer", "churned"] and issue.source_fields == ["status"]
    assert len(refused) <= issue.count < 10 * len(refused)  # the bad records of each body, not whole bodies
    sentence = next(s for s in report.health.critical_issues if "people[].stage" in s)
    assert f"in {issue.count} of {10 * len(writes)} records" in sentence


async def test_a_correct_bulk_mapping_covers_the_per_record_required_fields(
    shop: APISpecification, hub: APISpecification, guardian_settings: Settings
) -> None:
    """Required fields of a bulk body are read per record (email, family), and a good mapping covers them all."""
    mapping = bulk_mapping({"active": "customer", "invited": "lead", "disabled": "churned"})
    source = Target(shop, shop.find_endpoint("GET /customers"))  # type: ignore[arg-type]
    dest = Target(hub, hub.find_endpoint("POST /people/batch"))  # type: ignore[arg-type]
    report = await run_guardian(
        mapping, source, dest, options=GuardianOptions(test_count=20), settings=guardian_settings
    )
    assert report.health.endpoint_coverage == 100.0
    assert report.health.success_rate == 100.0 and report.passed
