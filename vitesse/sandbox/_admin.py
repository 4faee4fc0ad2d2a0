"""The sandbox's own admin routes under `/__sandbox/` (no faults, no auth).

- `GET /__sandbox/faults` the plan; `PUT`/`POST` replace it (body: `FaultPlan` JSON, counting restarts
  at 0); `DELETE` clears it.
- `GET /__sandbox/records` counts per collection; `?collection=/contacts` the records themselves.
- `GET /__sandbox/stats` request counters (per status, per operation, per fault outcome).
- `POST /__sandbox/reset` forget created/deleted records, counters and idempotency keys.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from vitesse.errors import ConfigError
from vitesse.sandbox.faults import FaultPlan

if TYPE_CHECKING:
    from vitesse.sandbox.app import Sandbox

PREFIX = "/__sandbox"


def admin_routes(sandbox: Sandbox) -> list[Route]:
    async def faults(request: Request) -> JSONResponse:
        if request.method in ("PUT", "POST"):
            try:
                sandbox.set_faults(FaultPlan.model_validate(await request.json()))
            except (ValueError, ValidationError, ConfigError) as exc:
                return JSONResponse({"error": f"not a fault plan: {exc}"}, status_code=422)
        elif request.method == "DELETE":
            sandbox.set_faults(None)
        return JSONResponse(sandbox.faults.model_dump(mode="json"))

    async def records(request: Request) -> JSONResponse:
        key = request.query_params.get("collection")
        if key is None:
            snapshot = sandbox.store.snapshot()
            total = sum(c["count"] for c in snapshot.values())
            return JSONResponse({"collections": snapshot, "total": total})
        found = sandbox.store.records(key)
        if found is None:
            known = ", ".join(sandbox.store.snapshot()) or "none yet"
            return JSONResponse({"error": f"no collection {key}; known: {known}"}, status_code=404)
        return JSONResponse({"collection": key, "count": len(found), "records": found})

    async def stats(request: Request) -> JSONResponse:
        body: dict[str, Any] = {"counts": dict(sandbox.counts), "faults": sandbox.faults.model_dump(mode="json")}
        return JSONResponse(body)

    async def reset(request: Request) -> JSONResponse:
        sandbox.reset()
        return JSONResponse({"reset": True})

    return [
        Route(f"{PREFIX}/faults", faults, methods=["GET", "PUT", "POST", "DELETE"]),
        Route(f"{PREFIX}/records", records, methods=["GET"]),
        Route(f"{PREFIX}/stats", stats, methods=["GET"]),
        Route(f"{PREFIX}/reset", reset, methods=["POST"]),
    ]
