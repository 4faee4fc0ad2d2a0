"""The guide's four troubleshooting situations, each met through the guide's API, with the advice it gives.

1. the Ingestor finds no spec at the common paths; 2. a mapping with too few transformations; 3. the
Guardian's calls are refused as unauthorised (or cannot reach the API at all); 4. a health score below 70
(and the response times the guide says to check: a slow API gets a p95 warning).
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest

from vitesse import (
    AgentContext,
    DataTransformation,
    IntegrationInstance,
    VitesseGuardian,
    VitesseIngestor,
    VitesseMapper,
)
from vitesse.errors import IngestError, IngestReason
from vitesse.sandbox import FaultPlan, start_sandbox
from vitesse.schemas import IssueKind, TestCategory

CUSTOMERS_TO_CONTACTS = {"source_endpoint": "/customers", "dest_endpoint": "/contacts"}


@pytest.fixture
def context(guide_env) -> AgentContext:
    return AgentContext()


async def proposed(context: AgentContext, example_specs, intent: str, **endpoints: str) -> dict:
    source_spec, dest_spec = example_specs
    data = {"source_api_spec": source_spec, "dest_api_spec": dest_spec, "user_intent": intent, **endpoints}
    return await VitesseMapper(context).execute(context={}, input_data=data)


async def test_1_no_spec_at_the_common_paths_names_every_location_tried_and_asks_for_spec_url(context, guide_hosts):
    site = guide_hosts.coingecko
    before = len(site.requested)
    api_url = f"{site.url}/api/v3"

    with pytest.raises(IngestError) as caught:
        await VitesseIngestor(context).execute(context={}, input_data={"api_url": api_url, "api_name": "CoinGecko"})

    error = caught.value
    assert error.reason is IngestReason.NOT_FOUND
    assert "spec_url" in str(error)
    assert f"at {len(error.tried) - 1} common locations" in str(error)
    assert [urlsplit(url).path for url in error.tried] == site.requested[before:], "every request is in the list"
    for guide_path in ("/swagger.json", "/openapi.json", "/v1/openapi.json"):
        assert f"{api_url}{guide_path}" in error.tried, "the guide's `{url}/...` locations are tried"
        assert f"{site.url}{guide_path}" in error.tried, "and the same at the host's root"


async def test_2_too_few_transformations_show_how_the_endpoints_were_picked_and_what_else_there_is(
    context, example_specs
):
    """The guide's intent names no destination records: the CRM's companies are picked, and less maps."""
    vague = await proposed(context, example_specs, "Sync Shopify customers to Credo CRM")
    precise = await proposed(context, example_specs, "Sync Shopify customers to Credo CRM", **CUSTOMERS_TO_CONTACTS)

    mapping = vague["mapping_logic"]
    assert (mapping.source_endpoint, mapping.dest_endpoint) == ("GET /customers", "POST /companies")
    assert vague["transformation_count"] < precise["transformation_count"]
    assert "destination POST /companies (create of companies; intent best available)" in mapping.rationale
    assert "POST /contacts" in mapping.alternatives["dest"], "the better endpoint is offered as an alternative"
    assert "(given)" in precise["mapping_logic"].rationale
    (advice,) = vague["warnings"]
    assert advice == mapping.warnings[0] and "POST /companies is a best-available guess" in advice
    assert "dest_endpoint (best alternatives: POST /contacts)" in advice and '"customers to contacts"' in advice
    assert "name dest_endpoint (e.g. POST /contacts)" in mapping.rationale
    assert precise["warnings"] == [], "named endpoints need no advice"


async def test_2_too_few_transformations_name_the_required_fields_nothing_fills(context, example_specs):
    result = await proposed(context, example_specs, "Sync shop orders into CRM companies")

    mapping = result["mapping_logic"]
    assert (mapping.source_endpoint, mapping.dest_endpoint) == ("GET /orders", "POST /companies")
    assert result["unmapped_required"] == mapping.unmapped_required == ["name"]
    (entry,) = [u for u in mapping.unmapped_dest if u.dest_field == "name"]
    assert entry.required and entry.reason == "below_threshold" and entry.candidates, "candidates to pick from"
    (advice,) = result["warnings"]
    closest = entry.candidates[0][0]
    assert advice.startswith("Required destination fields left unmapped in POST /companies: name (")
    assert f"closest source fields: {closest}" in advice and "give it a constant or default" in advice
    assert "required fields unmapped: name" in mapping.rationale


async def test_3_auth_errors_in_the_guardian_are_a_critical_issue_that_says_what_to_check(context, example_specs):
    """The CRM (a sandbox that accepts one token only) refuses our credentials: 401/403 and 'check the credentials'."""
    source_spec, dest_spec = example_specs
    mapping = (await proposed(context, example_specs, "customers to contacts", **CUSTOMERS_TO_CONTACTS))[
        "mapping_logic"
    ]
    integration_obj = IntegrationInstance(source_spec=source_spec, dest_spec=dest_spec, mapping_logic=mapping)
    with start_sandbox(dest_spec, seed=3, tokens={"crm-token-right"}) as crm:

        async def prove(token: str) -> dict:
            return await VitesseGuardian(context).execute(
                context={},
                input_data={
                    "integration_instance": integration_obj,
                    "test_count": 20,
                    **CUSTOMERS_TO_CONTACTS,
                    "dest_base_url": crm.base_url,
                    "dest_auth": {"type": "bearer", "token": token},
                    "allow_live_writes": True,
                },
            )

        refused = await prove("crm-token-wrong")
        accepted = await prove("crm-token-right")

    auth_issues = [line for line in refused["critical_issues"] if "unauthorised (401/403)" in line]
    assert len(auth_issues) == 1
    assert "POST /contacts" in auth_issues[0] and "check the credentials for this API" in auth_issues[0]
    assert "crm-token-wrong" not in " ".join(refused["critical_issues"] + refused["health_score"].warnings)
    assert refused["passed"] is False and refused["health_score"].overall_score < 70
    writes = [r for r in refused["test_results"] if r.method == "POST"]
    assert writes and all(r.category is TestCategory.AUTH for r in writes if r.status_code in (401, 403))
    assert not [line for line in accepted["critical_issues"] if "401/403" in line]
    assert accepted["passed"] is True


async def test_4_a_health_score_below_70_lists_the_critical_issues_with_what_to_change(context, example_specs):
    """A naive mapping (every field copied as is) fails the proof; each issue says which transform heals it."""
    source_spec, dest_spec = example_specs
    mapping = (await proposed(context, example_specs, "customers to contacts", **CUSTOMERS_TO_CONTACTS))[
        "mapping_logic"
    ]
    naive = mapping.model_copy(
        update={
            "transformations": [
                DataTransformation(source_field=t.source_fields[0], dest_field=t.dest_field)
                for t in mapping.transformations
            ]
        }
    )
    integration_obj = IntegrationInstance(source_spec=source_spec, dest_spec=dest_spec, mapping_logic=naive)

    result = await VitesseGuardian(context).execute(
        context={}, input_data={"integration_instance": integration_obj, "test_count": 100, **CUSTOMERS_TO_CONTACTS}
    )

    health = result["health_score"]
    assert health.overall_score < 70 and result["passed"] is False
    assert health.p95_ms >= health.p50_ms > 0, "the response times the guide says to check are reported"
    issues = {issue.dest_field: issue for issue in result["feedback"]}
    assert issues["lifecycle_stage"].kind is IssueKind.ENUM
    assert issues["phone_numbers[].number"].kind is IssueKind.PATTERN
    stage = next(line for line in result["critical_issues"] if "rejected lifecycle_stage" in line)
    assert "add an enum transform from status" in stage and "LEAD, CUSTOMER, CHURNED" in stage
    phone = next(line for line in result["critical_issues"] if "phone_numbers[].number" in line)
    assert "E.164" in phone and "add a parse transform (as phone_e164) from phone" in phone
    verdict = result["critical_issues"][-1]
    assert verdict.startswith(f"Health score {health.overall_score:.1f} is below the pass mark of 70: ")
    assert "heals the mapping from these issues (up to 3 attempts), then pauses for a person to review" in verdict


async def test_4_a_passing_proof_has_no_below_the_pass_mark_line(context, example_specs):
    source_spec, dest_spec = example_specs
    mapping = (await proposed(context, example_specs, "customers to contacts", **CUSTOMERS_TO_CONTACTS))[
        "mapping_logic"
    ]
    integration_obj = IntegrationInstance(source_spec=source_spec, dest_spec=dest_spec, mapping_logic=mapping)
    result = await VitesseGuardian(context).execute(
        context={}, input_data={"integration_instance": integration_obj, "test_count": 20, **CUSTOMERS_TO_CONTACTS}
    )
    assert result["passed"] is True
    assert not [line for line in result["critical_issues"] if "below the pass mark" in line]
    assert not [line for line in result["health_score"].warnings if "answered slowly" in line]


async def prove_live_dest(context: AgentContext, example_specs, base_url: str, test_count: int) -> dict:
    """Prove the mapper's customers → contacts mapping with the CRM reached at `base_url` (writes allowed)."""
    source_spec, dest_spec = example_specs
    mapping = (await proposed(context, example_specs, "customers to contacts", **CUSTOMERS_TO_CONTACTS))[
        "mapping_logic"
    ]
    integration_obj = IntegrationInstance(source_spec=source_spec, dest_spec=dest_spec, mapping_logic=mapping)
    return await VitesseGuardian(context).execute(
        context={},
        input_data={
            "integration_instance": integration_obj,
            "test_count": test_count,
            **CUSTOMERS_TO_CONTACTS,
            "dest_base_url": base_url,
            "dest_auth": {"type": "bearer", "token": "crm-token"},
            "allow_live_writes": True,
        },
    )


async def test_4_a_slow_api_gets_a_p95_warning_naming_the_endpoint_and_what_to_check(context, example_specs):
    """A real CRM sandbox on 127.0.0.1 answers each write after 1.1 s: a handful of writes, all over 1 s."""
    slow = FaultPlan(latency_ms=1100, latency_distribution="fixed", methods=["POST"])
    with start_sandbox(example_specs[1], seed=5, faults=slow) as crm:
        result = await prove_live_dest(context, example_specs, crm.base_url, test_count=4)

    writes = [r for r in result["test_results"] if r.method == "POST" and r.status_code is not None]
    assert writes and all(r.response_time_ms >= 1100 for r in writes)
    (warning,) = [line for line in result["health_score"].warnings if "answered slowly" in line]
    assert warning.startswith("POST /contacts of Orbit CRM API answered slowly: p95 latency 1.1")
    assert f"over {len(writes)} calls" in warning and "check the API's response times and rate limits" in warning
    assert result["health_score"].p95_ms > 1000


async def test_3_an_api_that_cannot_be_reached_is_told_what_to_check(context, example_specs):
    """A closed port on 127.0.0.1 refuses every connection: one critical issue says what to check, and how to allow."""
    with socket.socket() as sock:  # bound but never listening: connections are refused
        sock.bind(("127.0.0.1", 0))
        base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        result = await prove_live_dest(context, example_specs, base_url, test_count=6)

    writes = [r for r in result["test_results"] if r.method == "POST" and "not sent" not in (r.error_message or "")]
    assert writes and all(r.category is TestCategory.CONNECTIVITY for r in writes)
    (line,) = [line for line in result["critical_issues"] if line.startswith("Could not reach Orbit CRM API")]
    assert "POST /contacts" in line and "check the base URL" in line and "reachable from where Vitesse runs" in line
    assert "firewall or security group" in line
    assert "VITESSE_ALLOW_LOOPBACK=true" in line and "VITESSE_ALLOW_PRIVATE_NETWORKS=true" in line
    assert result["passed"] is False
