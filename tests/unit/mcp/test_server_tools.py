"""The explore tools, schemas written for a model, errors a person can act on, masking and tenancy, in-process."""

from __future__ import annotations

import json

import pytest
from mcp import Client, MCPError

from vitesse.examples import CRM_SPEC, SHOP_SPEC
from vitesse.graph.ingestor import ingest_path
from vitesse.mcp_server import build_mcp_server
from vitesse.persistence import create_engine_from_settings, create_integration, init_db, session_factory
from vitesse.sandbox import start_sandbox
from vitesse.schemas import IntegrationInstance

INTENT = "Sync Acme Shop customers into Orbit CRM contacts"
SPECS = {"source_api": str(SHOP_SPEC), "dest_api": str(CRM_SPEC)}


async def test_lists_show_every_tool_resource_template_and_the_prompt(settings):
    async with Client(build_mcp_server(settings)) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        resources = [str(r.uri) for r in (await client.list_resources()).resources]
        templates = [t.uri_template for t in (await client.list_resource_templates()).resource_templates]
        prompts = {p.name: p for p in (await client.list_prompts()).prompts}
        rendered = await client.get_prompt("connect_two_apis", {"source_api": "stripe.json", "dest_api": "crm.yaml"})
    assert resources == ["vitesse://integrations"]
    assert templates == [
        "vitesse://integrations/{integration_id}",
        "vitesse://integrations/{integration_id}/mapping",
        "vitesse://integrations/{integration_id}/health",
        "vitesse://integrations/{integration_id}/events",
    ]
    assert [a.name for a in prompts["connect_two_apis"].arguments] == ["source_api", "dest_api", "goal"]
    text = rendered.messages[0].content.text
    assert "stripe.json" in text and "crm.yaml" in text and "review_integration" in text
    for tool in tools.values():
        assert tool.description and "Example" in tool.description or tool.name in _NO_EXAMPLE, tool.name
        assert tool.output_schema is not None, tool.name
    review = tools["review_integration"].input_schema["properties"]
    assert review["action"]["enum"] == ["approve", "edit", "abort"]
    create = tools["create_integration"].input_schema
    assert create["required"] == ["source_api", "dest_api", "user_intent"]
    assert create["properties"]["deployment_target"]["enum"] == ["none", "process", "local", "eks", "ecs"]
    assert create["properties"]["source_api"]["examples"]
    assert tools["get_integration"].annotations.read_only_hint is True
    assert tools["destroy_deployment"].annotations.destructive_hint is True


_NO_EXAMPLE = {
    "deploy_integration", "get_deployment_status", "destroy_deployment", "get_deployment_logs", "http_probe",
}  # fmt: skip


async def test_ingest_api_summarises_and_narrows_to_one_resource_with_fields(settings):
    async def summary(**arguments):
        return (await client.call_tool("ingest_api", {"source": str(SHOP_SPEC), **arguments})).structured_content

    async with Client(build_mcp_server(settings)) as client:
        whole, one = await summary(), await summary(resource="orders")
        none, short = await summary(resource="invoices"), await summary(limit=2)
    assert whole["title"] == "Acme Shop API" and whole["endpoint_count"] == len(whole["endpoints"]) == 8
    assert whole["auth"] == [{"name": "ApiKeyAuth", "type": "api_key", "where": "header X-API-Key"}]
    assert {r["resource"] for r in whole["resources"]} >= {"customers", "orders"}
    listing = next(e for e in whole["endpoints"] if e["endpoint"] == "GET /customers")
    assert listing["pagination"].startswith("cursor") and listing["fields"] is None
    assert one["endpoints"] and all("orders" in e["endpoint"] for e in one["endpoints"])
    assert all(e["fields"] for e in one["endpoints"] if e["endpoint"] == "GET /orders")
    assert none["endpoints"] == [] and "customers" in none["hint"]
    assert short["truncated"] is True and len(short["endpoints"]) == 2 and "more endpoints" in short["hint"]


async def test_propose_then_prove_tells_a_good_mapping_from_a_naive_one(settings):
    async with Client(build_mcp_server(settings)) as client:
        proposal = (await client.call_tool("propose_mapping", {**SPECS, "user_intent": INTENT})).structured_content
        good = await client.call_tool("run_guardian", {**SPECS, "mapping": proposal["mapping"], "test_count": 20})
        naive = dict(proposal["mapping"])
        naive["transformations"] = [
            {"source_fields": t["source_fields"][:1], "dest_field": t["dest_field"]}
            for t in naive["transformations"]
            if t["source_fields"]
        ]
        bad = await client.call_tool("run_guardian", {**SPECS, "mapping": naive, "test_count": 20})
    assert any(line.startswith("primary_email <- email (direct, ") for line in proposal["readable"])
    assert any(line.startswith("lifecycle_stage <- status (enum") for line in proposal["readable"])
    assert good.structured_content["passed"] is True and good.structured_content["health"]["overall_score"] >= 70
    assert bad.structured_content["passed"] is False
    assert bad.structured_content["by_category"].get("schema", 0) > 0
    assert any("lifecycle_stage" in line for line in bad.structured_content["feedback"])


async def test_http_probe_reaches_a_sandbox_and_masks_the_credential(settings):
    spec = ingest_path(SHOP_SPEC, settings=settings)
    with start_sandbox(spec, seed=3) as sandbox:
        async with Client(build_mcp_server(settings)) as client:
            result = await client.call_tool(
                "http_probe",
                {"url": f"{sandbox.base_url}/customers?limit=2", "headers": {"X-API-Key": "sk_live_probe_123456"}},
            )
            blocked = await client.call_tool("http_probe", {"url": "http://169.254.169.254/latest/meta-data"})
    probe = result.structured_content
    assert probe["status_code"] == 200 and probe["reachable"] is True and '"data"' in probe["body_excerpt"]
    assert "sk_live_probe_123456" not in json.dumps(probe)
    assert blocked.structured_content["error_kind"] == "blocked"


ERRORS = [
    ("get_integration", {"integration_id": "integ_nope"}, "list_integrations shows the ids"),
    ("review_integration", {"integration_id": "integ_nope", "action": "approve"}, "No integration 'integ_nope'"),
    ("review_integration", {"integration_id": "integ_nope", "action": "launch"}, "action"),
    ("sync_integration", {"integration_id": "integ_nope"}, "No integration"),
    ("get_integration", {"integration_id": "bad id!"}, "integration_id"),
    ("ingest_api", {"source": "/no/such/spec.yaml"}, "spec.yaml"),
    ("run_guardian", {**SPECS, "mapping": {"dest_endpoint": "POST /contacts"}}, "source_endpoint"),
    ("run_guardian", {**SPECS, "mapping": {"source_endpoint": "GET /nope", "dest_endpoint": "POST /contacts"}},
     "ingest_api lists its endpoints"),
    ("get_deployment_status", {"request": {"integration_id": "integ_nope", "target": "process"}}, "integ_nope"),
    ("deploy_integration", {"request": {"integration_id": "integ_nope", "target": "mars"}}, "known targets"),
]  # fmt: skip


async def test_bad_calls_are_tool_errors_that_say_what_to_do(settings):
    """Table-driven: each bad call is an is_error result whose text names the problem or the fix."""
    async with Client(build_mcp_server(settings)) as client:
        for tool, arguments, says in ERRORS:
            result = await client.call_tool(tool, arguments)
            assert result.is_error, (tool, arguments)
            assert says in result.content[0].text, (tool, result.content[0].text)


async def test_review_and_sync_refuse_an_integration_in_the_wrong_state(settings):
    await _store(settings, "integ_ready", tenant="default", status="ready")
    async with Client(build_mcp_server(settings)) as client:
        review = await client.call_tool("review_integration", {"integration_id": "integ_ready", "action": "approve"})
        edit = await client.call_tool("review_integration", {"integration_id": "integ_ready", "action": "edit"})
        sync = await client.call_tool("sync_integration", {"integration_id": "integ_ready"})
    assert review.is_error and "not waiting for a review (status ready)" in review.content[0].text
    assert edit.is_error and "status ready" in edit.content[0].text
    assert sync.is_error and "is not deployed (status ready)" in sync.content[0].text


async def test_a_resource_of_an_unknown_integration_is_not_found(settings):
    async with Client(build_mcp_server(settings)) as client:
        with pytest.raises(MCPError, match="No integration 'integ_nope'") as raised:
            await client.read_resource("vitesse://integrations/integ_nope/mapping")
    assert raised.value.error.code == -32602


async def test_each_tenant_sees_only_its_own_integrations(settings):
    await _store(settings, "integ_acme", tenant="acme", status="ready")
    await _store(settings, "integ_mine", tenant="default", status="ready")
    async with Client(build_mcp_server(settings)) as client:
        mine = (await client.call_tool("list_integrations", {})).structured_content
        other = await client.call_tool("get_integration", {"integration_id": "integ_acme"})
    async with Client(build_mcp_server(settings, tenant="acme")) as client:
        theirs = (await client.call_tool("list_integrations", {})).structured_content
    assert [r["integration_id"] for r in mine["integrations"]] == ["integ_mine"]
    assert other.is_error
    assert [r["integration_id"] for r in theirs["integrations"]] == ["integ_acme"]


async def test_secrets_passed_to_a_tool_never_come_back_in_its_result(settings):
    """The masking middleware covers tools that would echo a credential (here, one added for the test)."""
    server = build_mcp_server(settings)

    async def echo_back(source_auth: dict[str, str], note: str) -> str:
        """Echo what it was given."""
        return f"auth={source_auth} note={note}"

    server.add_tool(echo_back)
    async with Client(server) as client:
        result = await client.call_tool(
            "echo_back", {"source_auth": {"api_key": "sk_live_echoed_987"}, "note": "Bearer sk_live_echoed_987"}
        )
    text = result.content[0].text
    assert "sk_live_echoed_987" not in text and "****" in text and "note=Bearer" in text


async def _store(settings, iid, *, tenant, status):
    engine = create_engine_from_settings(settings)
    try:
        await init_db(engine)
        async with session_factory(engine)() as session, session.begin():
            instance = IntegrationInstance(id=iid, name=iid, status=status, user_intent=INTENT)
            await create_integration(session=session, instance=instance, tenant=tenant)
    finally:
        await engine.dispose()
