"""The server over real transports with the SDK's client: `python -m vitesse.mcp_server` on stdio, and
its streamable-HTTP app served by uvicorn on 127.0.0.1. Same conversation on both: list, create with
progress notifications, resume the paused run through review_integration, read a resource, an error."""

from __future__ import annotations

import asyncio
import json
import socket
import sys

import uvicorn
from mcp import Client, StdioServerParameters

import vitesse.tools as tools
from vitesse.examples import CRM_SPEC, SHOP_SPEC
from vitesse.mcp_server import build_mcp_server

SECRET = "sk_live_TRANSPORT_SECRET"


async def converse(client: Client) -> None:
    """Drive one integration through the lifecycle and check what a client sees on the wire."""
    listed = [tool.name for tool in (await client.list_tools()).tools]
    assert listed == tools.tool_names()
    assert [str(r.uri) for r in (await client.list_resources()).resources] == ["vitesse://integrations"]
    assert [p.name for p in (await client.list_prompts()).prompts] == ["connect_two_apis"]

    summary = await client.call_tool("ingest_api", {"source": str(CRM_SPEC)})
    assert summary.structured_content["title"] == "Orbit CRM API"

    progress: list[tuple[float, float | None, str | None]] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append((value, total, message))

    created = await client.call_tool(
        "create_integration",
        {
            "source_api": str(SHOP_SPEC),
            "dest_api": str(CRM_SPEC),
            "user_intent": "Sync customers into contacts",
            "test_count": 10,
            "naive_first_mapping": True,
            "max_heal_attempts": 0,
            "source_auth": {"api_key": SECRET},
        },  # fmt: skip
        progress_callback=on_progress,
    )
    assert not created.is_error, created.content
    view = created.structured_content
    iid = view["integration_id"]
    assert view["status"] == "review"
    assert len(progress) >= 8 and [p[0] for p in progress] == sorted(p[0] for p in progress)
    assert "paused for review" in (progress[-1][2] or "")
    assert SECRET not in json.dumps(view) + created.content[0].text

    resumed = await client.call_tool(
        "review_integration", {"integration_id": iid, "action": "approve", "test_count": 10}
    )
    assert resumed.structured_content["status"] == "ready"
    shown = await client.read_resource(f"vitesse://integrations/{iid}")
    assert json.loads(shown.contents[0].text)["status"] == "ready"

    missing = await client.call_tool("get_integration", {"integration_id": "integ_missing"})
    assert missing.is_error and "list_integrations" in missing.content[0].text


async def test_the_server_speaks_stdio_as_a_subprocess(tmp_path):
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "vitesse.mcp_server"],
        env={
            "VITESSE_DATA_DIR": str(tmp_path / "data"),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'vitesse.db'}",
            "VITESSE_ALLOW_LOOPBACK": "true",
            "VITESSE_ENV": "test",
        },
        cwd=tmp_path,
    )
    async with Client(params, read_timeout_seconds=120) as client:
        await converse(client)


async def test_the_server_speaks_streamable_http_on_loopback(settings):
    port = _free_port()
    app = build_mcp_server(settings).streamable_http_app()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    serving = asyncio.create_task(server.serve())
    try:
        for _ in range(200):  # bounded: about ten seconds for the lifespan to open the database
            if server.started:
                break
            await asyncio.sleep(0.05)
        assert server.started, "uvicorn did not start"
        async with Client(f"http://127.0.0.1:{port}/mcp", read_timeout_seconds=120) as client:
            await converse(client)
    finally:
        server.should_exit = True
        await asyncio.wait_for(serving, timeout=30)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
