"""Issue, look up and revoke the HTTP API's keys; only their SHA-256 digests are stored."""

from __future__ import annotations

import hashlib
import secrets
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from vitesse.persistence.models import DEFAULT_TENANT, ApiKey, utcnow

KEY_PREFIX = "vk_"


def hash_api_key(plaintext: str) -> str:
    """Return the stored form of an API key (keys are 256-bit random, so a plain SHA-256 is enough)."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


async def create_api_key(*, session: AsyncSession, subject: str, tenant: str = DEFAULT_TENANT) -> tuple[ApiKey, str]:
    """Issue a new API key.

    Args:
        session: An open session; the caller commits.
        subject: Who the key is for (a user or service name).
        tenant: The tenant the key acts for.

    Returns:
        The stored row and the plaintext key, which is shown once and never stored.
    """
    plaintext = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(id=str(uuid.uuid4()), tenant=tenant, subject=subject, hashed_key=hash_api_key(plaintext))
    session.add(row)
    await session.flush()
    return row, plaintext


async def find_api_key(*, session: AsyncSession, plaintext: str) -> ApiKey | None:
    """Return the live (not revoked) key matching a presented plaintext, or None."""
    row = await session.scalar(select(ApiKey).where(ApiKey.hashed_key == hash_api_key(plaintext)))
    return row if row is not None and row.revoked_at is None else None


async def revoke_api_key(*, session: AsyncSession, key_id: str, tenant: str | None) -> bool:
    """Revoke a key; True when a live key of this tenant (any tenant when None) was revoked."""
    query = select(ApiKey).where(ApiKey.id == key_id, ApiKey.revoked_at.is_(None))
    if tenant is not None:
        query = query.where(ApiKey.tenant == tenant)
    row = await session.scalar(query)
    if row is None:
        return False
    row.revoked_at = utcnow()
    await session.flush()
    return True
