"""Build the Starlette app (`create_app`) and serve it with uvicorn (`serve`, for `vitesse serve`).

The lifespan opens the hub (database, checkpointer, graph, run manager; resumes unfinished runs) and
the MCP server's session manager when the MCP package is present; it is mounted at `/mcp` behind the
same authentication as the REST routes.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import math
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vitesse.api.endpoint import routes as build_routes
from vitesse.api.hub import Hub, open_hub
from vitesse.api.problems import EXCEPTION_HANDLERS, ApiError, error_response
from vitesse.api.table import API_PREFIX, INTEGRATION_OPERATIONS, ROOT_OPERATIONS
from vitesse.config import Settings
from vitesse.net import Resolver, mask_url, system_resolver

log = logging.getLogger("vitesse.api")


class RequestGuard:
    """Refuse bodies above the limit by their Content-Length (413) and count responses for /metrics."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length", "")
        if length.isdigit() and int(length) > self.max_bytes:
            problem = ApiError(413, "too_large", f"The body is larger than the limit of {self.max_bytes} bytes")
            await error_response(problem)(scope, receive, send)
            return
        hub = scope.get("state", {}).get("vitesse")

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start" and isinstance(hub, Hub):
                hub.metrics.count_request(scope["method"], int(message["status"]))
            await send(message)

        await self.app(scope, receive, counting_send)


class RateLimit:
    """Let each caller make `per_minute` requests a minute to the API (a token bucket), else 429 + Retry-After.

    A caller is its credential (a hash of the Authorization or X-API-Key header), else its address, so one
    client's burst does not spend another's allowance. Health and metrics are not counted. At most
    `MAX_CALLERS` buckets are kept (the least recently seen go first), so the table stays bounded.
    """

    MAX_CALLERS = 10_000

    def __init__(self, app: ASGIApp, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.app = app
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.clock = clock
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path.startswith(API_PREFIX) or path.startswith("/mcp")):
            await self.app(scope, receive, send)
            return
        wait = self._take(self._caller(scope))
        if wait > 0:
            retry = str(max(1, math.ceil(wait)))
            problem = ApiError(
                429,
                "rate_limited",
                f"Too many requests: the limit is {self.capacity:g} a minute; retry in {retry} s",
                headers={"Retry-After": retry},
            )
            await error_response(problem)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _caller(self, scope: Scope) -> str:
        headers = Headers(scope=scope)
        credential = headers.get("authorization") or headers.get("x-api-key")
        if credential:
            return "k:" + hashlib.sha256(credential.encode()).hexdigest()
        client = scope.get("client")
        return f"a:{client[0] if client else 'unknown'}"

    def _take(self, caller: str) -> float:
        """Spend one token of the caller's bucket; return 0, or the seconds until a token is there."""
        now = self.clock()
        tokens, stamp = self.buckets.pop(caller, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - stamp) * self.rate)
        wait = 0.0 if tokens >= 1 else (1 - tokens) / self.rate
        self.buckets[caller] = (tokens - 1 if wait == 0 else tokens, now)
        while len(self.buckets) > self.MAX_CALLERS:
            self.buckets.popitem(last=False)
        return wait


class Authenticated:
    """Let a request through to the wrapped app (the MCP server) only with a valid token."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        hub: Hub = scope["state"]["vitesse"]
        try:
            principal = await hub.auth.authenticate(Headers(scope=scope).get("authorization"))
        except ApiError as exc:
            await error_response(exc)(scope, receive, send)
            return
        scope["state"] = {**scope["state"], "tenant": principal.tenant, "subject": principal.subject}
        await self.app(scope, receive, send)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    text = {404: f"No route {request.url.path}", 405: f"{request.method} is not allowed on {request.url.path}"}
    problem = ApiError(exc.status_code, code, text.get(exc.status_code, str(exc.detail)), headers=exc.headers)
    return error_response(problem)


def _mcp_server(settings: Settings) -> Any:
    try:
        from vitesse.mcp_server import build_mcp_server
    except ImportError:  # the MCP package is optional for the REST API
        return None
    return build_mcp_server(settings)


def create_app(
    settings: Settings | None = None, *, resolver: Resolver = system_resolver, sse_ping_s: float = 15.0
) -> Starlette:
    """Build the API app; nothing is opened until its lifespan runs.

    Args:
        settings: Process settings; read from the environment when None.
        resolver: Host resolver of the request-time SSRF checks (tests pass a fake one).
        sse_ping_s: Seconds between SSE heartbeat comments.

    Returns:
        A Starlette app for uvicorn (or `TestClient`).
    """
    settings = settings or Settings()
    mcp = _mcp_server(settings)
    routes: list[BaseRoute] = [*build_routes(INTEGRATION_OPERATIONS, API_PREFIX), *build_routes(ROOT_OPERATIONS, "")]
    if mcp is not None:
        routes.append(Mount("/mcp", app=Authenticated(mcp.streamable_http_app(streamable_http_path="/"))))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        async with open_hub(settings, resolver=resolver, sse_ping_s=sse_ping_s, mcp=mcp is not None) as hub:
            async with contextlib.AsyncExitStack() as stack:
                if mcp is not None:
                    await stack.enter_async_context(mcp.session_manager.run())
                yield {"vitesse": hub}

    handlers = dict(EXCEPTION_HANDLERS)
    handlers[HTTPException] = _http_error
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers=handlers)
    app.add_middleware(RequestGuard, max_bytes=settings.max_request_bytes)
    if settings.rate_limit_per_minute:
        app.add_middleware(RateLimit, per_minute=settings.rate_limit_per_minute)
    origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    if origins:  # outermost: a refused or limited answer still carries the CORS headers a browser needs
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-API-Key", "Last-Event-ID"],
            expose_headers=["Retry-After", "Location"],
            max_age=600,
        )
    return app


class MaskTokens(logging.Filter):
    """Mask `?access_token=` (and other secret-looking query values) in uvicorn's access log lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(mask_url(a) if isinstance(a, str) and "?" in a else a for a in record.args)
        return True


def serve(settings: Settings | None = None, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the API with uvicorn until interrupted (`vitesse serve [--host] [--port]`).

    Args:
        settings: Process settings; read from the environment when None.
        host: Interface to listen on (loopback by default; put a TLS proxy in front for anything else).
        port: TCP port.
    """
    import uvicorn

    logging.getLogger("uvicorn.access").addFilter(MaskTokens())
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        log_level="info",
        proxy_headers=False,
        timeout_graceful_shutdown=10,
    )
