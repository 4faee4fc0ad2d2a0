"""`vitesse token create`: print a JWT or a new API key for the HTTP API (the token alone on the last line)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

from vitesse.api.auth import check_tenant, create_token
from vitesse.config import Settings


async def create_api_key_token(settings: Settings, *, subject: str, tenant: str = "default") -> str:
    """Issue an API key in the settings' database (migrated first) and return its plaintext, shown once.

    Args:
        settings: Names the database.
        subject: Who the key is for.
        tenant: The tenant it acts for.

    Returns:
        The key (`vk_…`); only its SHA-256 digest is stored.
    """
    from vitesse.persistence import create_api_key, create_engine_from_settings, init_db, session_factory

    check_tenant(tenant)
    engine = create_engine_from_settings(settings)
    try:
        await init_db(engine)
        async with session_factory(engine)() as session, session.begin():
            _row, plaintext = await create_api_key(session=session, subject=subject, tenant=tenant)
    finally:
        await engine.dispose()
    return plaintext


def token_create(
    settings: Settings,
    *,
    subject: str,
    tenant: str = "default",
    api_key: bool = False,
    expires_in_s: int = 86_400,
    out: Callable[[str], None] = print,
) -> int:
    """Print a token for the API: a JWT (default) or, with `api_key`, a stored API key.

    Args:
        settings: The process settings (JWT_SECRET, the database).
        subject: `--subject`: who the token is for.
        tenant: `--tenant`: whose integrations it sees.
        api_key: `--api-key`: issue a revocable API key instead of a JWT.
        expires_in_s: `--expires-in`: JWT lifetime in seconds.
        out: Where lines go (print by default).

    Returns:
        The process exit code (0).
    """
    if api_key:
        token = asyncio.run(create_api_key_token(settings, subject=subject, tenant=tenant))
        out(f"API key for {subject} (tenant {tenant}); it is shown once and stored hashed:")
    else:
        token = create_token(settings, subject=subject, tenant=tenant, expires_in=timedelta(seconds=expires_in_s))
        out(f"JWT for {subject} (tenant {tenant}), valid for {expires_in_s} s:")
    out(token)
    return 0
