"""Handle the service's own routes: liveness, system status, metrics, and the OpenAPI document."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from sqlalchemy import text
from starlette.responses import JSONResponse, PlainTextResponse, Response

import vitesse
from vitesse.api.endpoint import Call, json_response
from vitesse.api.responses import Check, DeployerInfo, Healthz, StatusResponse
from vitesse.persistence import thread_config

if TYPE_CHECKING:
    from vitesse.api.hub import Hub


async def healthz(call: Call) -> Response:
    """GET /healthz: the process answers (no database call; for liveness probes)."""
    return json_response(Healthz())


async def _database(hub: Hub) -> Check:
    backend = hub.engine.dialect.name
    try:
        async with hub.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:
        return Check(ok=False, backend=backend, detail=type(exc).__name__)
    return Check(ok=True, backend=backend, detail=f"revision {hub.revision}")


async def _checkpointer(hub: Hub) -> Check:
    backend = "postgres" if hub.settings.is_postgres else "sqlite"
    try:
        await hub.saver.aget_tuple(thread_config("__status_probe__"))
    except Exception as exc:
        return Check(ok=False, backend=backend, detail=type(exc).__name__)
    return Check(ok=True, backend=backend)


def deployers(hub: Hub) -> list[DeployerInfo]:
    """The registered deployment targets and whether the settings configure each (no SDK is called)."""
    from vitesse.deployers import DEPLOYER_MAP

    settings = hub.settings
    configured = {
        "process": True,
        "local": bool(settings.docker_host) or os.path.exists("/var/run/docker.sock"),
        "eks": bool(settings.eks_cluster_name),
        "ecs": bool(settings.aws_access_key_id or settings.aws_endpoint_url),
    }
    return [DeployerInfo(name=name, configured=configured.get(name, True)) for name in sorted(DEPLOYER_MAP)]


async def status(call: Call) -> Response:
    """GET /status: database, checkpointer, deployers, runs in flight and version."""
    hub = call.hub
    database, checkpointer = await _database(hub), await _checkpointer(hub)
    body = StatusResponse(
        status="ok" if database.ok and checkpointer.ok else "degraded",
        version=vitesse.__version__,
        database=database,
        checkpointer=checkpointer,
        deployers=deployers(hub),
        runs_in_flight=hub.runs.in_flight,
        watchers=hub.broker.count,
        mcp=hub.mcp,
    )
    return json_response(body, 200 if body.status == "ok" else 503)


async def metrics(call: Call) -> Response:
    """GET /metrics: Prometheus text."""
    hub = call.hub
    content = hub.metrics.render(runs_in_flight=hub.runs.in_flight, watchers=hub.broker.count)
    return PlainTextResponse(content, media_type="text/plain; version=0.0.4")


async def openapi(call: Call) -> Response:
    """GET /api/v1/openapi.json: this API's OpenAPI 3.1 document."""
    from vitesse.api.openapi import openapi_document

    return JSONResponse(openapi_document(call.hub.settings.public_status))
