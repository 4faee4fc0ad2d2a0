"""The guide's `VitesseOrchestrator(context).create_integration(...)` runs the checkpointed graph end to end.

Placeholders: the guide's spec URLs are the example specs served on loopback, whose `servers` are their
sandboxes; `DeploymentTarget.LOCAL` (Docker + Traefik) becomes `DeploymentTarget.PROCESS`, the same runtime
as a local process, so the test needs no container engine.
"""

from __future__ import annotations

import httpx
import pytest

from vitesse import AgentContext, DeploymentConfig, DeploymentTarget, IntegrationInstance, VitesseOrchestrator
from vitesse.graph.context import Context
from vitesse.schemas import IntegrationStatus


@pytest.fixture
def context(guide_env) -> AgentContext:
    return AgentContext()


async def test_the_orchestrator_snippet_creates_tests_and_deploys_an_integration(context, guide_hosts):
    orchestrator = VitesseOrchestrator(context)

    result = await orchestrator.create_integration(
        source_api_url=guide_hosts.shopify_spec_url,
        source_api_name="Shopify",
        dest_api_url=guide_hosts.credo_spec_url,
        dest_api_name="Credo CRM",
        user_intent="Sync customers and orders",
        deployment_config=DeploymentConfig(
            target=DeploymentTarget.PROCESS,
            memory_mb=512,
            cpu_cores=0.5,
        ),
        created_by="user@example.com",
    )

    try:
        assert isinstance(result, IntegrationInstance)
        assert result.id.startswith("integ_") and result.name == "Shopify → Credo CRM"
        assert not result.error
        assert result.health_score is not None and result.health_score.overall_score >= 70
        assert result.status is IntegrationStatus.ACTIVE and result.deployment_url
        assert result.created_by == "user@example.com"
        # The intent names customers and orders and no CRM records: the Mapper picks a pair and says why.
        assert result.mapping_logic.source_endpoint in ("GET /customers", "GET /orders")
        assert result.mapping_logic.dest_endpoint.startswith("POST ") and result.mapping_logic.transformations
        assert "intent" in result.mapping_logic.rationale
        async with httpx.AsyncClient(timeout=30, trust_env=False) as client:
            health = await client.get(f"{result.deployment_url}/healthz")
        assert health.status_code == 200
        assert orchestrator.settings is context.settings
        assert (await orchestrator.get_integration(result.id)).status is IntegrationStatus.ACTIVE
    finally:
        gone = await orchestrator.deployment_action(result.id, "destroy")
    assert gone["state"] == "destroyed"


async def test_without_a_deployment_the_integration_ends_ready_for_deployment(context):
    """The guide's step 5: a proven integration with nothing to deploy is `ready`."""
    from vitesse.examples import CRM_SPEC, SHOP_SPEC

    result = await VitesseOrchestrator(context).create_integration(
        source_api_url=str(SHOP_SPEC),
        source_api_name="Shopify",
        dest_api_url=str(CRM_SPEC),
        dest_api_name="Credo CRM",
        user_intent="Sync customers to contacts",
        created_by="user@example.com",
        run_context=Context(test_count=20),
    )
    assert result.status is IntegrationStatus.READY and result.health_score.overall_score >= 70
    assert result.deployment_url is None


async def test_the_contexts_event_sink_gets_the_runs_events_unless_the_call_names_its_own(guide_env):
    """`AgentContext(on_event=...)` is the default sink; an `on_event` given to the call takes its place."""
    from vitesse.examples import CRM_SPEC, SHOP_SPEC

    to_context: list[dict] = []
    to_call: list[dict] = []
    orchestrator = VitesseOrchestrator(AgentContext(on_event=to_context.append))
    names = {
        "source_api_url": str(SHOP_SPEC),
        "source_api_name": "Shopify",
        "dest_api_url": str(CRM_SPEC),
        "dest_api_name": "Credo CRM",
        "user_intent": "Sync customers to contacts",
        "run_context": Context(test_count=10),
    }

    first = await orchestrator.create_integration(**names, integration_id="integ_sink_context")
    second = await orchestrator.create_integration(**names, integration_id="integ_sink_call", on_event=to_call.append)

    assert first.status is second.status is IntegrationStatus.READY
    for events, iid in ((to_context, "integ_sink_context"), (to_call, "integ_sink_call")):
        kinds = [e["event"] for e in events]
        assert "health" in kinds and kinds[-1] == "done", kinds
        assert {e.get("integration_id") for e in events} == {iid}, "each sink got exactly its own run"


async def test_a_score_below_70_is_healed_by_re_mapping(context):
    from vitesse.examples import CRM_SPEC, SHOP_SPEC

    events: list[dict] = []
    result = await VitesseOrchestrator(context).create_integration(
        source_api_url=str(SHOP_SPEC),
        source_api_name="Shopify",
        dest_api_url=str(CRM_SPEC),
        dest_api_name="Credo CRM",
        user_intent="Sync customers to contacts",
        run_context=Context(test_count=20, naive_first_mapping=True),
        on_event=events.append,
    )
    scores = [e["overall_score"] for e in events if e["event"] == "health"]
    assert scores[0] < 70 <= scores[-1]
    heals = [e for e in events if e["event"] == "heal"]
    assert len(heals) == 1 and any("add an enum transform" in issue for issue in heals[0]["issues"])
    assert result.status is IntegrationStatus.READY


async def test_a_score_below_70_with_no_heal_left_waits_for_review_with_its_critical_issues(context):
    from vitesse.examples import CRM_SPEC, SHOP_SPEC

    orchestrator = VitesseOrchestrator(context)
    events: list[dict] = []
    paused = await orchestrator.create_integration(
        source_api_url=str(SHOP_SPEC),
        source_api_name="Shopify",
        dest_api_url=str(CRM_SPEC),
        dest_api_name="Credo CRM",
        user_intent="Sync customers to contacts",
        integration_id="integ_review",
        run_context=Context(test_count=20, naive_first_mapping=True, max_heal_attempts=0),
        on_event=events.append,
    )
    assert paused.status is IntegrationStatus.REVIEW
    assert paused.health_score.overall_score < 70
    assert any("add a parse transform (as phone_e164)" in line for line in paused.health_score.critical_issues)
    (review,) = [e for e in events if e["event"] == "review_needed"]
    assert "below the pass score after 0 heal attempts" in review["reason"]
    assert paused.review_reason == review["reason"], "the paused instance says why it paused"
    assert (await orchestrator.get_integration("integ_review")).review_reason == review["reason"]

    done = await orchestrator.review_integration("integ_review", action="abort", reason="fix the specs first")
    assert (done.status, done.error) == (IntegrationStatus.FAILED, "fix the specs first")
    assert done.review_reason is None
