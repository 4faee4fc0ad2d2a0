"""The integration lifecycle through the SDK's own in-process client: create with progress, pause, review, read."""

from __future__ import annotations

import json

from mcp import Client

from vitesse.examples import CRM_SPEC, SHOP_SPEC
from vitesse.mcp_server import build_mcp_server
from vitesse.schemas import MappingLogic

SECRET = "sk_live_SHOPSECRET42"
INTENT = "Sync Acme Shop customers into Orbit CRM contacts"


def create_args(**extra):
    return {
        "source_api": str(SHOP_SPEC),
        "dest_api": str(CRM_SPEC),
        "user_intent": INTENT,
        "source_api_name": "Acme Shop",
        "dest_api_name": "Orbit CRM",
        "test_count": 10,
        **extra,
    }


def paused_args(**extra):
    """A run that pauses: a naive first mapping fails its proof and no heal round is allowed."""
    return create_args(naive_first_mapping=True, max_heal_attempts=0, **extra)


async def read_json(client, uri):
    result = await client.read_resource(uri)
    return json.loads(result.contents[0].text)


async def test_create_reports_progress_pauses_for_review_and_approval_makes_it_ready(settings):
    """Progress arrives per stage with growing values; a paused run says how to resume; approve resumes it."""
    progress = []

    async def on_progress(value, total, message):
        progress.append((value, total, message))

    async with Client(build_mcp_server(settings)) as client:
        result = await client.call_tool(
            "create_integration", paused_args(source_auth={"api_key": SECRET}), progress_callback=on_progress
        )
        assert not result.is_error, result.content
        created = result.structured_content
        iid = created["integration_id"]
        assert created["status"] == "review"
        assert created["health"]["overall_score"] < 70
        assert any(f"review_integration(integration_id='{iid}', action='approve')" in s for s in created["next_steps"])

        values = [p[0] for p in progress]
        assert values == sorted(values) and len(set(values)) == len(values) and len(values) >= 8
        messages = " | ".join(p[2] for p in progress)
        for stage in ("ingest_source", "ingest_dest", "map started", "guardian started", "paused for review"):
            assert stage in messages
        assert SECRET not in messages + json.dumps(created)

        mapping = MappingLogic.model_validate(await read_json(client, f"vitesse://integrations/{iid}/mapping"))
        assert mapping.version == 1 and {t.transform_type.value for t in mapping.transformations} == {"direct"}
        health = await read_json(client, f"vitesse://integrations/{iid}/health")
        assert health["health"]["overall_score"] == created["health"]["overall_score"]
        assert sum(health["latest_results_by_category"].values()) == health["stored_results"] >= 10
        events = await read_json(client, f"vitesse://integrations/{iid}/events")
        assert "review_needed" in [e["event"] for e in events["run_events"]]
        assert [a["action"] for a in events["audit_log"]][0] == "created"
        assert SECRET not in json.dumps(events)

        waiting = (await client.call_tool("list_integrations", {"status": "review"})).structured_content
        assert [row["integration_id"] for row in waiting["integrations"]] == [iid]
        listed = await read_json(client, "vitesse://integrations")
        assert listed["total"] == 1 and listed["integrations"][0]["status"] == "review"

        progress.clear()
        approved = await client.call_tool(
            "review_integration",
            {"integration_id": iid, "action": "approve", "test_count": 10},
            progress_callback=on_progress,
        )
        assert not approved.is_error, approved.content
        assert approved.structured_content["status"] == "ready"
        assert progress[-1][1] == progress[-1][0], "the run's done event completes the progress"
        shown = (await client.call_tool("get_integration", {"integration_id": iid})).structured_content
        assert shown["status"] == "ready" and any("deployment_target='process'" in s for s in shown["next_steps"])
        ready = (await client.call_tool("list_integrations", {"status": "ready"})).structured_content
        assert ready["total"] == 1 and ready["integrations"][0]["integration_id"] == iid


async def test_an_edited_mapping_is_proved_again_and_a_good_one_passes(settings):
    """Edit with the Mapper's own proposal: only the transformations are sent; the endpoints are kept."""
    async with Client(build_mcp_server(settings)) as client:
        paused = (await client.call_tool("create_integration", paused_args(test_count=5))).structured_content
        proposal = await client.call_tool(
            "propose_mapping", {"source_api": str(SHOP_SPEC), "dest_api": str(CRM_SPEC), "user_intent": INTENT}
        )
        transformations = proposal.structured_content["mapping"]["transformations"]
        edited = await client.call_tool(
            "review_integration",
            {
                "integration_id": paused["integration_id"],
                "action": "edit",
                "mapping": {"transformations": transformations},
                "test_count": 10,
            },
        )
        assert not edited.is_error, edited.content
        view = edited.structured_content
        assert view["status"] == "ready" and view["health"]["overall_score"] >= 70
        assert view["mapping"]["version"] == 2 and view["mapping"]["produced_by"] == "human"
        assert view["mapping"]["source_endpoint"] == paused["mapping"]["source_endpoint"]


async def test_abort_fails_the_integration_with_the_reason_given(settings):
    async with Client(build_mcp_server(settings)) as client:
        paused = (await client.call_tool("create_integration", paused_args(test_count=5))).structured_content
        aborted = await client.call_tool(
            "review_integration",
            {"integration_id": paused["integration_id"], "action": "abort", "reason": "the CRM is being replaced"},
        )
        view = aborted.structured_content
        assert view["status"] == "failed" and view["error"] == "the CRM is being replaced"
        again = await client.call_tool(
            "review_integration", {"integration_id": paused["integration_id"], "action": "approve"}
        )
        assert again.is_error and "not waiting for a review (status failed)" in again.content[0].text


async def test_a_run_whose_api_cannot_be_read_fails_and_says_why(settings, tmp_path):
    async with Client(build_mcp_server(settings)) as client:
        result = await client.call_tool("create_integration", create_args(source_api=str(tmp_path / "missing.yaml")))
        view = result.structured_content
        assert view["status"] == "failed" and "source API" in view["error"]
        assert any("Fix the cause" in step for step in view["next_steps"])
