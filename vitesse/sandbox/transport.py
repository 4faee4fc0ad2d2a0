"""Call a sandbox in-process with real-network semantics for faults: timeouts and dropped connections.

`httpx.ASGITransport` ignores the client's timeouts; `SandboxTransport` enforces the read timeout
(raising `httpx.ReadTimeout` as a socket would) and lets a dropped connection surface as the
`httpx.RemoteProtocolError` it is, so the runtime's retry logic sees the same errors in-process
as over a real socket.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from vitesse.sandbox.app import Sandbox


class SandboxTransport(httpx.AsyncBaseTransport):
    """An httpx transport that serves requests from a `Sandbox` (or any ASGI app) in-process."""

    def __init__(self, app: Sandbox | Any) -> None:
        asgi = app.app if isinstance(app, Sandbox) else app
        self._inner = httpx.ASGITransport(app=asgi)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeout = (request.extensions.get("timeout") or {}).get("read")
        try:
            return await asyncio.wait_for(self._inner.handle_async_request(request), timeout)
        except TimeoutError as exc:
            raise httpx.ReadTimeout(f"the sandbox did not answer within {timeout} s", request=request) from exc

    async def aclose(self) -> None:
        await self._inner.aclose()


def sandbox_client(
    sandbox: Sandbox, *, base_url: str = "http://sandbox.test", timeout: float = 10.0
) -> httpx.AsyncClient:
    """Return an AsyncClient wired to a sandbox in-process (no socket, no SSRF guard needed)."""
    return httpx.AsyncClient(transport=SandboxTransport(sandbox), base_url=base_url, timeout=timeout)
