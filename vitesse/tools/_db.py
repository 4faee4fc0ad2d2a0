"""Open a database session for a tool: the face's session factory, or a short-lived engine of our own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from vitesse.config import Settings
from vitesse.errors import NotFoundError


@asynccontextmanager
async def open_session(settings: Settings | None, sessions: Any) -> AsyncIterator[Any]:
    """Yield an `AsyncSession` from `sessions` (an `async_sessionmaker`), or from a fresh engine on `settings`."""
    if sessions is not None:
        async with sessions() as session:
            yield session
        return
    from vitesse.persistence import create_engine_from_settings, init_db, session_factory

    settings = settings or Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine_from_settings(settings)
    try:
        await init_db(engine)
        async with session_factory(engine)() as session:
            yield session
    finally:
        await engine.dispose()


async def require_row(session: Any, integration_id: str, tenant: str) -> Any:
    """Return the tenant's integration row, or raise NotFoundError with what to do instead."""
    from vitesse.persistence import get_integration

    row = await get_integration(session=session, integration_id=integration_id, tenant=tenant)
    if row is None:
        raise NotFoundError(
            f"No integration {integration_id!r} here: list_integrations shows the ids you can use, "
            "create_integration makes a new one."
        )
    return row
