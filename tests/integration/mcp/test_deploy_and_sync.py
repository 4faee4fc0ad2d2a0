"""Deploy, sync, watch and remove a runtime through the MCP tools, on the process target between two sandboxes."""

from __future__ import annotations

import asyncio
import sys

import httpx
from mcp import Client, StdioServerParameters

from vitesse.examples import CRM_SPEC, SHOP_SPEC
from vitesse.graph.ingestor import ingest_path
from vitesse.mcp_server import build_mcp_server
from vitesse.persistence import create_engine_from_settings, list_sync_runs, session_factory
from vitesse.runtime.build import build_runtime_config
from vitesse.sandbox import start_sandbox
from vitesse.schemas import MappingLogic

INTENT = "Sync Acme Shop customers into Orbit CRM contacts"
KEYS = {"source_auth": {"api_key": "shop-key-123456"}, "dest_auth": {"token": "crm-token-123456"}}


async def sync_until_done(client, iid):
    """Sync now; the runtime's own first run may still hold the lock (busy), so retry a bounded number of times."""
    for _ in range(120):  # bounded: about a minute
        result = await client.call_tool("sync_integration", {"integration_id": iid})
        assert not result.is_error, result.content
        if result.structured_content["status"] != "busy":
            return result.structured_content
        await asyncio.sleep(0.5)
    raise AssertionError("the runtime stayed busy")


async def stored_records(sandbox_url):
    """How many records clients have created in a sandbox (all collections)."""
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.get(f"{sandbox_url}/__sandbox/records")
    return int(response.json()["total"])


async def test_create_with_a_target_deploys_then_sync_status_logs_and_destroy_work(settings):
    """Over stdio, as Claude Desktop runs it (the graph's deploy step starts the runtime in the server process)."""
    shop_spec, crm_spec = ingest_path(SHOP_SPEC, settings=settings), ingest_path(CRM_SPEC, settings=settings)
    with start_sandbox(shop_spec, seed=7) as shop, start_sandbox(crm_spec, seed=8) as crm:
        before = await stored_records(crm.base_url)
        async with Client(stdio_server(settings), read_timeout_seconds=120) as client:
            created = await client.call_tool(
                "create_integration",
                {
                    "source_api": str(SHOP_SPEC),
                    "dest_api": str(CRM_SPEC),
                    "user_intent": INTENT,
                    "test_count": 10,
                    "deployment_target": "process",
                    "source_base_url": shop.base_url,
                    "dest_base_url": crm.base_url,
                    "schedule_interval_s": None,
                    **KEYS,
                },  # fmt: skip
            )
            view = created.structured_content
            assert view["status"] == "active", view
            iid = view["integration_id"]
            assert view["deployment_url"].startswith("http://127.0.0.1:")
            ref = {"request": {"integration_id": iid, "target": "process"}}
            try:
                synced = await sync_until_done(client, iid)
                assert synced["status"] == "completed" and synced["read"] > 0 and synced["failed"] == 0
                assert await stored_records(crm.base_url) > before
                status = await client.call_tool("get_deployment_status", ref)
                assert status.structured_content["state"] == "running"
                logs = await client.call_tool("get_deployment_logs", {"request": {**ref["request"], "lines": 50}})
                assert logs.structured_content["text"].strip()
                assert "shop-key-123456" not in logs.content[0].text
            finally:
                removed = await client.call_tool("destroy_deployment", ref)
            assert removed.structured_content["state"] == "destroyed"
            gone = await client.call_tool("sync_integration", {"integration_id": iid})
            assert gone.is_error and "does not answer" in gone.content[0].text
    assert await _sync_runs(settings, iid) >= 1


async def test_deploy_integration_then_sync_finds_the_runtime_through_the_deployer(settings):
    """An integration deployed with the deploy tool itself (no URL on its record) still syncs."""
    shop_spec, crm_spec = ingest_path(SHOP_SPEC, settings=settings), ingest_path(CRM_SPEC, settings=settings)
    with start_sandbox(shop_spec, seed=5) as shop, start_sandbox(crm_spec, seed=6) as crm:
        async with Client(build_mcp_server(settings)) as client:
            created = await client.call_tool(
                "create_integration",
                {"source_api": str(SHOP_SPEC), "dest_api": str(CRM_SPEC), "user_intent": INTENT, "test_count": 10},
            )
            iid = created.structured_content["integration_id"]
            assert created.structured_content["status"] == "ready"
            mapping = await client.read_resource(f"vitesse://integrations/{iid}/mapping")
            runtime_config = build_runtime_config(
                MappingLogic.model_validate_json(mapping.contents[0].text), shop_spec, crm_spec,
                integration_id=iid, source_base_url=shop.base_url, dest_base_url=crm.base_url,
                network={"allow_loopback": True},
            )  # fmt: skip
            request = {
                "integration_id": iid, "target": "process",
                "runtime_config": runtime_config.model_dump(mode="json", by_alias=True),
                "secrets": {"SOURCE_API_KEY": "shop-key-123456", "DEST_API_KEY": "crm-token-123456"},
            }  # fmt: skip
            deployed = await client.call_tool("deploy_integration", {"request": request})
            try:
                assert not deployed.is_error, deployed.content
                assert deployed.structured_content["state"] == "running"
                assert "crm-token-123456" not in deployed.content[0].text
                synced = await sync_until_done(client, iid)
                assert synced["status"] == "completed" and synced["read"] > 0
                assert synced["runtime_url"] == deployed.structured_content["url"]
            finally:
                await client.call_tool("destroy_deployment", {"request": {"integration_id": iid, "target": "process"}})


def stdio_server(settings):
    return StdioServerParameters(
        command=sys.executable,
        args=["-m", "vitesse.mcp_server"],
        env={
            "VITESSE_DATA_DIR": str(settings.data_dir),
            "DATABASE_URL": settings.database_url,
            "VITESSE_ALLOW_LOOPBACK": "true",
            "VITESSE_ENV": "test",
        },
        cwd=settings.data_dir.parent,
    )


async def _sync_runs(settings, iid):
    engine = create_engine_from_settings(settings)
    try:
        async with session_factory(engine)() as session:
            return (await list_sync_runs(session=session, integration_id=iid, tenant="default")).total
    finally:
        await engine.dispose()
