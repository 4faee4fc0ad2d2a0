"""Serve a sandbox on a free 127.0.0.1 port for the tests that need a real socket (the 'live' side)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn

from vitesse.sandbox.app import Sandbox


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def served(sandbox: Sandbox) -> AsyncIterator[str]:
    """Run the sandbox's app with uvicorn on 127.0.0.1 in this event loop; yield its base URL."""
    port = free_port()
    config = uvicorn.Config(sandbox.app, host="127.0.0.1", port=port, log_level="warning", lifespan="off", ws="none")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    for _ in range(200):  # bounded wait for the socket
        if server.started:
            break
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
