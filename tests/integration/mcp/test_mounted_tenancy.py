"""Mounted at /mcp in a host app (the recipe the HTTP API uses), the host's authentication decides the tenant."""

from __future__ import annotations

import asyncio
import socket
from contextlib import asynccontextmanager

import httpx2
import uvicorn
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from starlette.applications import Starlette
from starlette.routing import Mount

from vitesse.mcp_server import build_mcp_server
from vitesse.persistence import create_engine_from_settings, create_integration, init_db, session_factory
from vitesse.schemas import IntegrationInstance


class FakeAuth:
    """Stands in for the API's authentication: puts the caller's tenant and subject in the scope state."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            headers = dict(scope["headers"])
            tenant = headers.get(b"x-test-tenant", b"").decode() or None
            scope["state"] = {**scope.get("state", {}), "tenant": tenant, "subject": "tester"}
        await self.app(scope, receive, send)


async def test_the_host_apps_tenant_scopes_every_tool_and_resource(settings):
    await _store(settings, "integ_acme", "acme")
    await _store(settings, "integ_globex", "globex")
    mcp = build_mcp_server(settings)

    @asynccontextmanager
    async def lifespan(_app):
        async with mcp.session_manager.run():
            yield

    host = Starlette(
        routes=[Mount("/mcp", app=FakeAuth(mcp.streamable_http_app(streamable_http_path="/")))], lifespan=lifespan
    )
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(host, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    serving = asyncio.create_task(server.serve())
    try:
        for _ in range(200):  # bounded: about ten seconds
            if server.started:
                break
            await asyncio.sleep(0.05)
        assert server.started
        seen = {}
        for tenant in ("acme", "globex"):
            http = httpx2.AsyncClient(headers={"X-Test-Tenant": tenant})
            async with http, Client(streamable_http_client(f"http://127.0.0.1:{port}/mcp/", http_client=http)) as c:
                listed = (await c.call_tool("list_integrations", {})).structured_content
                other = "integ_globex" if tenant == "acme" else "integ_acme"
                refused = await c.call_tool("get_integration", {"integration_id": other})
                seen[tenant] = ([r["integration_id"] for r in listed["integrations"]], refused.is_error)
        assert seen == {"acme": (["integ_acme"], True), "globex": (["integ_globex"], True)}
    finally:
        server.should_exit = True
        await asyncio.wait_for(serving, timeout=30)


async def _store(settings, iid, tenant):
    engine = create_engine_from_settings(settings)
    try:
        await init_db(engine)
        async with session_factory(engine)() as session, session.begin():
            await create_integration(session=session, instance=IntegrationInstance(id=iid, name=iid), tenant=tenant)
    finally:
        await engine.dispose()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
