"""Hold the MCP server's state: opened by its lifespan (database, orchestrator, deployers), never global.

`AppContext` is what the lifespan yields; every tool, resource and prompt reaches it through the request
context. The tenant and actor of a request come from the HTTP app's authentication when the server is
mounted there (`request.state.tenant` / `request.state.subject`), else from the server's defaults (stdio).
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from vitesse.config import Settings
from vitesse.net import MASK, SENSITIVE_HEADER

DEFAULT_TENANT = "default"
DEFAULT_ACTOR = "mcp"
EVENTS_KEPT = 200
"""Run events kept per integration in memory (the audit trail in the database keeps the rest)."""

current_request: ContextVar[Any] = ContextVar("vitesse_mcp_request", default=None)
"""The `ServerRequestContext` of the request being served (set by `remember_request`)."""


class EventLog:
    """The latest run events per integration, as this server saw them stream by (secrets masked)."""

    def __init__(self, keep: int = EVENTS_KEPT) -> None:
        self._keep = keep
        self._events: dict[str, deque[dict[str, Any]]] = {}

    def add(self, event: dict[str, Any]) -> None:
        """Remember one event under its `integration_id`."""
        iid = str(event.get("integration_id") or "")
        if iid:
            self._events.setdefault(iid, deque(maxlen=self._keep)).append(_masked(event))

    def of(self, integration_id: str) -> list[dict[str, Any]]:
        """Return the events remembered for one integration, oldest first."""
        return list(self._events.get(integration_id, ()))


def _masked(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _masked(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v, key) for v in value]
    if isinstance(value, str) and key and SENSITIVE_HEADER.search(key):
        return MASK
    return value


@dataclass
class AppContext:
    """What the lifespan opens once and every request shares."""

    settings: Settings
    sessions: Any
    """The `async_sessionmaker` of the server's database."""
    orchestrator: Any
    """A `VitesseOrchestrator` for the default tenant."""
    deployers: Any
    """A `DeployerPool` (one deployer per target, built on first use)."""
    events: EventLog = field(default_factory=EventLog)
    tenant: str = DEFAULT_TENANT

    def orchestrator_for(self, tenant: str) -> Any:
        """Return an orchestrator that creates integrations for `tenant`."""
        if tenant == self.orchestrator.tenant:
            return self.orchestrator
        from vitesse.orchestrator import VitesseOrchestrator

        return VitesseOrchestrator(settings=self.settings, tenant=tenant)


def request_identity(request_context: Any, app: AppContext) -> tuple[str, str]:
    """Return (tenant, actor) of a request: from the HTTP app's authentication, else the server's defaults."""
    request = getattr(request_context, "request", None)
    state = getattr(request, "state", None)
    tenant = getattr(state, "tenant", None) if state is not None else None
    subject = getattr(state, "subject", None) if state is not None else None
    return str(tenant or app.tenant), str(subject or DEFAULT_ACTOR)


async def remember_request(ctx: Any, call_next: Any) -> Any:
    """Server middleware: make the request context reachable from handlers that take no `Context`."""
    token = current_request.set(ctx)
    try:
        return await call_next(ctx)
    finally:
        current_request.reset(token)


def make_lifespan(
    settings: Settings, tenant: str = DEFAULT_TENANT
) -> Callable[[Any], AbstractAsyncContextManager[AppContext]]:
    """Return the server lifespan: open the database and build the orchestrator and deployers once."""

    @asynccontextmanager
    async def lifespan(_server: Any) -> AsyncIterator[AppContext]:
        from vitesse.orchestrator import VitesseOrchestrator
        from vitesse.persistence import create_engine_from_settings, init_db, session_factory
        from vitesse.tools.deploy import DeployerPool

        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine_from_settings(settings)
        try:
            await init_db(engine)
            yield AppContext(
                settings=settings,
                sessions=session_factory(engine),
                orchestrator=VitesseOrchestrator(settings=settings, tenant=tenant),
                deployers=DeployerPool(settings),
                tenant=tenant,
            )
        finally:
            await engine.dispose()

    return lifespan
