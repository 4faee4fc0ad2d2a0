"""Open what the API serves from: the database, the checkpointer, the compiled graph and the run manager.

`open_hub` is the heart of the app's lifespan; requests reach the `Hub` as `request.state.vitesse`.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from vitesse.api.auth import Authenticator
from vitesse.api.events import Broker, EventLog
from vitesse.api.metrics import Metrics
from vitesse.api.runs import RunManager
from vitesse.api.worker import RunWorker
from vitesse.config import Settings
from vitesse.net import Resolver, system_resolver

log = logging.getLogger("vitesse.api")


@dataclass
class Hub:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    saver: Any
    graph: Any
    runs: RunManager
    broker: Broker
    events: EventLog
    auth: Authenticator
    metrics: Metrics
    revision: str
    resolver: Resolver = system_resolver
    sse_ping_s: float = 15.0
    mcp: bool = False
    owners: dict[str, str] = field(default_factory=dict)
    """Integration id → tenant, as read (an integration never changes tenant); spares a query per stream."""


WARM_MODULES = (
    "vitesse.graph.ingestor",
    "vitesse.graph.mapper",
    "vitesse.graph.guardian.proof",
    "vitesse.sandbox.app",
    "vitesse.graph.deploy_step",
)


def pool_options(settings: Settings) -> dict[str, Any]:
    """A server holds many streams at once: more pooled connections than the library default of 5 + 10."""
    url = settings.sqlalchemy_url
    if url.startswith("sqlite") and ":memory:" not in url and url.rstrip("/") != "sqlite+aiosqlite:":
        return {"pool_size": 20, "max_overflow": 40}
    if settings.is_postgres:
        return {"pool_size": 10, "max_overflow": 20}
    return {}


def warm_up() -> None:
    """Import what a run needs before serving, so the first run's events are not held up by imports."""
    for name in WARM_MODULES:
        importlib.import_module(name)


@asynccontextmanager
async def _serving(hub: Hub) -> AsyncIterator[None]:
    resumed = await hub.runs.recover()
    if resumed:
        log.info("resumed %d unfinished run(s): %s", len(resumed), ", ".join(resumed))
    try:
        yield
    finally:
        await hub.runs.shutdown()


@asynccontextmanager
async def open_hub(
    settings: Settings, *, resolver: Resolver = system_resolver, sse_ping_s: float = 15.0, mcp: bool = False
) -> AsyncIterator[Hub]:
    """Migrate and open the database and checkpointer, resume unfinished runs, and close it all at the end."""
    from vitesse.graph.graph import build_graph
    from vitesse.persistence import create_engine_from_settings, init_db, open_checkpointer, session_factory

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine_from_settings(settings, **pool_options(settings))
    try:
        revision = await init_db(engine)
        sessions = session_factory(engine)
        async with open_checkpointer(settings) as saver:
            broker, events, metrics = Broker(), EventLog(sessions), Metrics()
            graph = build_graph(checkpointer=saver)
            await asyncio.to_thread(warm_up)
            worker = RunWorker(settings, pool_options(settings))
            await worker.start()
            try:
                runs = RunManager(
                    graph=graph,
                    sessions=sessions,
                    settings=settings,
                    broker=broker,
                    events=events,
                    metrics=metrics,
                    worker=worker,
                )
                hub = Hub(
                    settings=settings,
                    engine=engine,
                    sessions=sessions,
                    saver=saver,
                    graph=graph,
                    runs=runs,
                    broker=broker,
                    events=events,
                    auth=Authenticator(settings, sessions),
                    metrics=metrics,
                    revision=revision,
                    resolver=resolver,
                    sse_ping_s=sse_ping_s,
                    mcp=mcp,
                )
                async with _serving(hub):
                    yield hub
            finally:
                await worker.stop()
    finally:
        await engine.dispose()
