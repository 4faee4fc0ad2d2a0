"""The MCP server mounted at /mcp on the API: behind the same tokens, scoped to the token's tenant."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.integration.api._support import API, body

pytest.importorskip("vitesse.mcp_server")


async def test_mcp_without_a_token_is_refused(live):
    async with httpx.AsyncClient(base_url=live.url, timeout=30) as http:
        response = await http.post("/mcp/", json={"jsonrpc": "2.0", "id": 1, "method": "ping"})
    assert response.status_code == 401 and response.json()["error"] == "unauthorized"


async def list_through_mcp(url: str, headers: dict[str, str]) -> list[str]:
    import httpx2
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    async with (
        httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30, read=60)) as client,
        streamable_http_client(f"{url}/mcp/", http_client=client) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        tools = await session.list_tools()
        assert "list_integrations" in {tool.name for tool in tools.tools}
        result = await session.call_tool("list_integrations", {})
    assert not result.is_error, result
    payload = result.structured_content or json.loads(result.content[0].text)
    payload = payload.get("result", payload)
    return [item["integration_id"] for item in payload["integrations"]]


async def test_mcp_tools_see_only_the_tokens_tenant(live, acme, globex):
    async with httpx.AsyncClient(base_url=live.url, timeout=60) as http:
        created = await http.post(f"{API}/integrations", params={"wait": "true"}, headers=acme, json=body())
    iid = created.json()["integration_id"]
    assert iid in await list_through_mcp(live.url, acme)
    assert iid not in await list_through_mcp(live.url, globex)
