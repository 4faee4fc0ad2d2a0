"""Give the runtime its small HTTP face and its schedule loop.

`GET /healthz`, `GET /metrics` (Prometheus text), `GET /status` (JSON), `POST /sync` (run now: the run's
report, or 409 while one runs), `GET /dead-letters` and `POST /dead-letters/replay`. When the environment
variable `VITESSE_RUNTIME_TOKEN` is set, the POST routes and `/dead-letters` (records hold personal
data) want `Authorization: Bearer <token>`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import os
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from vitesse.net import NetPolicy, make_client
from vitesse.runtime.config import RuntimeConfig
from vitesse.runtime.engine import SyncEngine
from vitesse.runtime.errors import SyncInProgress
from vitesse.runtime.store import StateStore

log = logging.getLogger("vitesse.runtime")
SHUTDOWN_GRACE_S = 30.0


async def schedule(engine: SyncEngine, interval_s: float | None, run_on_start: bool, stop: asyncio.Event) -> None:
    """Run a sync every `interval_s` seconds (first one at once when `run_on_start`) until `stop` is set."""
    delay = 0.0 if run_on_start else interval_s
    while delay is not None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=delay)
            return
        try:
            report = await engine.run_once()
            log.info("sync %s: %s", report.status.value, _counts(report.to_dict()))
        except SyncInProgress:
            pass
        except Exception:  # the loop must outlive one bad run; the run's report holds the error
            log.exception("the scheduled sync failed")
        delay = interval_s


def _counts(report: dict[str, Any]) -> str:
    keys = ("read", "written", "duplicates", "failed", "skipped", "pending")
    text = ", ".join(f"{k}={report[k]}" for k in keys)
    return text + (f", error={report['error']}" if report.get("error") else "")


def create_runtime_app(
    config: RuntimeConfig,
    *,
    environ: Mapping[str, str] | None = None,
    store: StateStore | None = None,
    client: httpx.AsyncClient | None = None,
) -> Starlette:
    """Build the runtime's Starlette app; its lifespan opens the store and client and runs the schedule."""
    env = os.environ if environ is None else environ

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        own_store = store if store is not None else await asyncio.to_thread(open_store, config, env)
        own_client = client or _client(config)
        engine = SyncEngine(config, store=own_store, client=own_client, environ=env)
        stop = asyncio.Event()
        opts = config.options
        loop = asyncio.create_task(schedule(engine, opts.schedule_interval_s, opts.run_on_start, stop))
        try:
            yield {"engine": engine, "token": env.get("VITESSE_RUNTIME_TOKEN") or None}
        finally:
            stop.set()
            engine.request_stop()
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(loop, timeout=SHUTDOWN_GRACE_S)
            if client is None:
                await own_client.aclose()
            if own_store is not store:
                own_store.close()

    routes = [
        Route("/healthz", healthz),
        Route("/metrics", metrics),
        Route("/status", status),
        Route("/sync", sync_now, methods=["POST"]),
        Route("/dead-letters", dead_letters),
        Route("/dead-letters/replay", replay_now, methods=["POST"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


def open_store(config: RuntimeConfig, environ: Mapping[str, str]) -> StateStore:
    """Open the state store the config and environment name (PostgreSQL by DATABASE_URL, else SQLite)."""
    url, folder = config.database_url(environ), config.state_dir(environ)
    return StateStore.open(config.integration_id, database_url=url, state_dir=folder)


def _client(config: RuntimeConfig) -> httpx.AsyncClient:
    net = config.network
    size = config.options.concurrency + 4
    limits = httpx.Limits(max_connections=size, max_keepalive_connections=size)
    policy = NetPolicy(allow_loopback=net.allow_loopback, allow_private=net.allow_private)
    return make_client(policy, timeout=config.options.timeout_s, limits=limits)


def _engine(request: Request) -> SyncEngine:
    engine: SyncEngine = request.state.engine
    return engine


def _refused(request: Request) -> Response | None:
    token = request.state.token
    if token is None:
        return None
    given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    if given and hmac.compare_digest(given.encode(), token.encode()):
        return None
    return JSONResponse({"error": "send Authorization: Bearer <VITESSE_RUNTIME_TOKEN>"}, status_code=401)


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok", "running": _engine(request).running})


async def metrics(request: Request) -> Response:
    engine = _engine(request)
    state = await asyncio.to_thread(engine.store.get_state)
    dead = await asyncio.to_thread(engine.store.count_dead_letters)
    success = state.get("last_success") or {}
    finished = success.get("finished_at")
    lag = time.time() - success["started_at"] if success.get("started_at") else None
    text = engine.metrics.render(
        integration_id=engine.config.integration_id, dead_letters=dead, last_success=finished, lag_s=lag,
        running=engine.running,
    )  # fmt: skip
    return PlainTextResponse(text, media_type="text/plain; version=0.0.4")


async def status(request: Request) -> Response:
    engine = _engine(request)
    store = engine.store
    state = await asyncio.to_thread(store.get_state)
    run = state.get("run") or {}
    recent = await asyncio.to_thread(store.recent_runs, 1)
    last = engine.last_report.to_dict() if engine.last_report else next(iter(recent), None)
    plan = engine.plan
    ledger = await asyncio.to_thread(store.ledger_counts)
    body = {
        "integration_id": engine.config.integration_id,
        "state": "running" if engine.running else ("resumable" if run else "idle"),
        "cursor": {"position": run.get("position"), "high_water_mark": state.get("mark"), "tail": state.get("tail")},
        "incremental": {"mode": plan.mode, "updated_field": plan.updated_field, "since_param": plan.since_param},
        "counts": {"last_run": last, "since_start": dict(engine.metrics.totals), "ledger": ledger},
        "dead_letters": await asyncio.to_thread(store.count_dead_letters),
        "last_error": engine.last_error,
        "last_success": state.get("last_success"),
        "store": store.description,
    }
    return JSONResponse(body)


async def sync_now(request: Request) -> Response:
    refused = _refused(request)
    if refused is not None:
        return refused
    try:
        report = await _engine(request).run_once()
    except SyncInProgress as exc:
        return JSONResponse({"error": exc.message}, status_code=409)
    return JSONResponse(report.to_dict())


async def dead_letters(request: Request) -> Response:
    refused = _refused(request)
    if refused is not None:
        return refused
    include = request.query_params.get("include_resolved", "").lower() in ("1", "true", "yes")
    try:
        limit = max(1, min(int(request.query_params.get("limit", "100")), 1000))
    except ValueError:
        return JSONResponse({"error": "limit must be a whole number"}, status_code=422)
    store = _engine(request).store
    letters = await asyncio.to_thread(lambda: store.dead_letters(include_resolved=include, limit=limit))
    return JSONResponse({"dead_letters": [letter.public() for letter in letters]})


async def replay_now(request: Request) -> Response:
    refused = _refused(request)
    if refused is not None:
        return refused
    try:
        report = await _engine(request).replay_dead_letters()
    except SyncInProgress as exc:
        return JSONResponse({"error": exc.message}, status_code=409)
    return JSONResponse(report.to_dict())
