"""Helpers for the HTTP API tests: settings on a temporary SQLite file, request bodies, a live uvicorn, SSE reading."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from vitesse.api import create_app
from vitesse.config import Settings

API = "/api/v1/vitesse"
INTENT = "Sync Acme Shop customers into Orbit CRM contacts"
SECRET = "sk_live_TOPSECRET_9f8e7d6c5b4a"


def make_settings(root: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": root / "data",
        "allow_loopback": True,
        "openai_api_key": None,
        "database_url": f"sqlite:///{root / 'vitesse.db'}",
        "environment": "test",
        "spec_cache": False,
    }
    return Settings(**(values | overrides))


def body(**overrides: Any) -> dict[str, Any]:
    """A create request on the bundled example APIs, fast (20 shadow calls)."""
    base: dict[str, Any] = {
        "source_api_url": "example:shop",
        "source_api_name": "Acme Shop",
        "dest_api_url": "example:crm",
        "dest_api_name": "Orbit CRM",
        "user_intent": INTENT,
        "settings": {"test_count": 20},
    }
    return base | overrides


PAUSING = {"test_count": 20, "naive_first_mapping": True, "max_heal_attempts": 0}
"""Run settings that end at review: a naive mapping and no heal attempts."""


def sync_when_free(client: Any, headers: dict[str, str], iid: str) -> httpx.Response:
    """The runtime syncs once when it starts; a sync asked for meanwhile is a 409, so ask again (bounded)."""
    for _ in range(240):
        response = client.post(f"{API}/integrations/{iid}/sync", headers=headers)
        if response.status_code != 409:
            return response
        time.sleep(0.25)
    raise AssertionError("the runtime stayed busy")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class LiveServer:
    """The API served by a real uvicorn on 127.0.0.1 in a thread (SSE needs a real socket)."""

    def __init__(self, settings: Settings, **app_options: Any) -> None:
        self.settings = settings
        self.app_options = app_options
        self.port = 0
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LiveServer:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            create_app(self.settings, **self.app_options),
            log_level="warning",
            access_log=False,
            log_config=None,
            timeout_graceful_shutdown=1,
        )
        server = uvicorn.Server(config)
        self._server = server
        self._thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 60
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the API server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=30)
            assert not self._thread.is_alive(), "the API server did not stop"
        self._server = self._thread = None


@dataclass
class Sse:
    """What a client read from one SSE response."""

    status: int
    events: list[dict[str, Any]] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    retry: int | None = None

    @property
    def names(self) -> list[str]:
        return [e["event"] for e in self.events]

    @property
    def ids(self) -> list[int]:
        return [int(e["id"]) for e in self.events]


async def read_sse(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    headers: dict[str, str],
    json: Any = None,
    until: str | None = None,
    limit: int | None = None,
    timeout: float = 90,
) -> Sse:
    """Read an SSE response until the server closes it, or until an event named `until` / `limit` events."""
    import json as jsonlib

    result = Sse(status=0)
    async with asyncio.timeout(timeout), client.stream(method, url, headers=headers, json=json) as response:
        result.status = response.status_code
        if response.status_code >= 300:
            await response.aread()
            return result
        current: dict[str, Any] = {}
        async for line in response.aiter_lines():
            if line.startswith(":"):
                result.comments.append(line[1:].strip())
            elif line.startswith("retry:"):
                result.retry = int(line.split(":", 1)[1])
            elif line.startswith(("event:", "id:", "data:")):
                key, _, value = line.partition(":")
                current[key] = value.strip()
            elif not line and current:
                event = {"event": current.get("event", "message"), "id": current.get("id")}
                event["data"] = jsonlib.loads(current["data"]) if "data" in current else None
                result.events.append(event)
                current = {}
                if event["event"] == until or (limit is not None and len(result.events) >= limit):
                    break
    return result
