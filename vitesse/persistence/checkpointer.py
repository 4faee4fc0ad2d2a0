"""Open the LangGraph checkpointer the settings point at: PostgreSQL in production, a SQLite file embedded.

The thread id of a run is the integration id (`thread_config(integration_id)`). Checkpoint reads are
narrowed to an allowlist (LangGraph's safe types plus `vitesse.schemas`), so a tampered checkpoint
row cannot make the loader import and call arbitrary code.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from enum import Enum
from pathlib import Path
from typing import Any

import aiosqlite
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool, PoolTimeout
from pydantic import BaseModel
from sqlalchemy.engine import URL, make_url

from vitesse import schemas
from vitesse.config import Settings
from vitesse.errors import PersistenceError
from vitesse.net import mask_url
from vitesse.persistence._prune import prune_checkpoints

logger = logging.getLogger(__name__)

__all__ = [
    "checkpoint_path",
    "checkpoint_serializer",
    "open_checkpointer",
    "prune_checkpoints",
    "psycopg_uri",
    "schema_types",
    "thread_config",
]


def thread_config(integration_id: str, **configurable: Any) -> RunnableConfig:
    """Return the run config of an integration's graph thread (thread id = integration id)."""
    return {"configurable": {"thread_id": integration_id, **configurable}}


def schema_types() -> list[type]:
    """Return every pydantic model and enum declared in `vitesse.schemas` (the checkpoint allowlist)."""
    return [
        obj
        for obj in vars(schemas).values()
        if inspect.isclass(obj)
        and obj.__module__ == schemas.__name__
        and issubclass(obj, BaseModel | Enum)
        and not obj.__name__.startswith("_")
    ]


def checkpoint_serializer(extra_allowed: Iterable[type | tuple[str, str]] = ()) -> JsonPlusSerializer:
    """Return a serializer that rebuilds only LangGraph's safe types, our schema types and `extra_allowed`.

    Args:
        extra_allowed: More classes (or `(module, name)` pairs) the graph keeps in its state,
            e.g. the dataclasses of `vitesse.graph.state`.

    Returns:
        A serializer for the savers' `serde` argument; any other type comes back as its plain data.
    """
    return JsonPlusSerializer(allowed_msgpack_modules=[*schema_types(), *extra_allowed])


def psycopg_uri(url: str | URL) -> str:
    """Turn a SQLAlchemy URL (`postgresql+psycopg://…`) into the libpq URI psycopg takes (`postgresql://…`)."""
    parsed = make_url(url) if isinstance(url, str) else url
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def checkpoint_path(settings: Settings) -> str:
    """Return the SQLite file for checkpoints: next to the SQLite database, or `:memory:` for an in-memory one."""
    url = make_url(settings.sqlalchemy_url)
    database = url.database if url.get_backend_name() == "sqlite" else None
    if url.get_backend_name() == "sqlite" and (not database or database == ":memory:"):
        return ":memory:"
    base = Path(database).expanduser() if database else Path(settings.data_dir) / "vitesse.db"
    return str(base.with_name(f"{base.stem}-checkpoints{base.suffix or '.db'}"))


@asynccontextmanager
async def open_checkpointer(
    settings: Settings,
    *,
    extra_allowed: Iterable[type | tuple[str, str]] = (),
    pool_max_size: int = 10,
    connect_timeout: float = 15.0,
) -> AsyncIterator[BaseCheckpointSaver[Any]]:
    """Yield a ready checkpointer (tables created) for the database the settings name.

    PostgreSQL settings give an `AsyncPostgresSaver` on a psycopg pool (autocommit, no server-side
    prepared statements, so it also works behind PgBouncer in transaction mode); anything else gives an
    `AsyncSqliteSaver` on the file `checkpoint_path(settings)`.

    Args:
        settings: The process settings.
        extra_allowed: More types the graph state holds, added to the deserialisation allowlist.
        pool_max_size: Most PostgreSQL connections the pool opens.
        connect_timeout: Seconds to wait for the first PostgreSQL connection.

    Yields:
        The saver, for `builder.compile(checkpointer=saver)`.

    Raises:
        PersistenceError: the database cannot be reached.
    """
    serde = checkpoint_serializer(extra_allowed)
    if settings.is_postgres:
        async with _postgres_saver(
            psycopg_uri(settings.sqlalchemy_url), serde, pool_max_size, connect_timeout
        ) as saver:
            yield saver
    else:
        async with _sqlite_saver(checkpoint_path(settings), serde) as sqlite_saver:
            yield sqlite_saver


@asynccontextmanager
async def _postgres_saver(
    uri: str, serde: JsonPlusSerializer, max_size: int, timeout: float
) -> AsyncIterator[AsyncPostgresSaver]:
    pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
        uri,
        open=False,
        min_size=1,
        max_size=max(1, max_size),
        kwargs={"autocommit": True, "prepare_threshold": None, "row_factory": dict_row},
        check=AsyncConnectionPool.check_connection,
        name="vitesse-checkpoints",
    )
    try:
        await pool.open(wait=True, timeout=timeout)
    except PoolTimeout as exc:
        await pool.close()
        raise PersistenceError(
            f"Could not connect to PostgreSQL at {mask_url(uri)} for checkpoints: check DATABASE_URL / POSTGRES_*"
        ) from exc
    try:
        saver = AsyncPostgresSaver(pool, serde=serde)
        await saver.setup()
        yield saver
    finally:
        await pool.close()


@asynccontextmanager
async def _sqlite_saver(path: str, serde: JsonPlusSerializer) -> AsyncIterator[AsyncSqliteSaver]:
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = await aiosqlite.connect(path)
    except (OSError, aiosqlite.Error) as exc:
        raise PersistenceError(f"Could not open the checkpoint file {path}: {exc}") from exc
    try:
        await conn.execute("PRAGMA busy_timeout=30000")
        saver = AsyncSqliteSaver(conn, serde=serde)
        await saver.setup()
        yield saver
    finally:
        await conn.close()
