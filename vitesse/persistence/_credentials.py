"""Keep an integration's credentials encrypted at rest: only Fernet tokens reach the database."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from vitesse.persistence._base import add_audit_log, require_integration
from vitesse.persistence.crypto import decrypt_secret, encrypt_secret
from vitesse.persistence.models import AuditAction, utcnow


@dataclass(frozen=True)
class Credentials:
    """Decrypted credentials of one integration; never log or return them as they are."""

    source_auth: dict[str, Any] = field(default_factory=dict)
    dest_auth: dict[str, Any] = field(default_factory=dict)

    def runtime_secrets(self) -> dict[str, str]:
        """Return the secrets a sync runtime reads from the stored maps.

        `SOURCE_API_KEY` / `DEST_API_KEY` (the key, token, password or client secret), and where stored,
        `…_API_USER` (a basic-auth user) and `…_CLIENT_ID` (an OAuth2 client).
        """
        secrets: dict[str, str] = {}
        for values, side in ((self.source_auth, "SOURCE"), (self.dest_auth, "DEST")):
            secret = next((str(values[k]) for k in SECRET_KEYS if values.get(k)), None)
            if secret:
                secrets[f"{side}_API_KEY"] = secret
            for key, suffix in (("username", "API_USER"), ("client_id", "CLIENT_ID")):
                if values.get(key):
                    secrets[f"{side}_{suffix}"] = str(values[key])
        return secrets

    def runtime_references(self) -> dict[str, str]:
        """The `build_runtime_config` arguments that name the user and client variables `runtime_secrets` fills."""
        names = self.runtime_secrets()
        refs = {"source_username": "SOURCE_API_USER", "dest_username": "DEST_API_USER"}
        refs |= {"source_client_id": "SOURCE_CLIENT_ID", "dest_client_id": "DEST_CLIENT_ID"}
        return {arg: env for arg, env in refs.items() if env in names}


SECRET_KEYS = ("api_key", "key", "token", "access_token", "bearer_token", "password", "client_secret", "secret")
"""Where a stored credential map (`{"api_key": …}`, the guide's `{"type": "api_key", "key": …}`) keeps its secret."""


async def store_credentials(
    *,
    session: AsyncSession,
    integration_id: str,
    tenant: str | None,
    key: bytes,
    source_auth: Mapping[str, Any] | None = None,
    dest_auth: Mapping[str, Any] | None = None,
    actor: str | None = None,
) -> None:
    """Encrypt and store an integration's credentials; a side passed as None is left as it is.

    Args:
        session: An open session; the caller commits.
        integration_id: The integration.
        tenant: The caller's tenant; None for trusted internal callers.
        key: From `vitesse.persistence.crypto.credential_key(settings)`.
        source_auth: Credentials for the source API.
        dest_auth: Credentials for the destination API.
        actor: Who stores them.

    Raises:
        NotFoundError: no such integration for this tenant.
    """
    row = await require_integration(session, integration_id, tenant)
    sides = []
    if source_auth is not None:
        row.source_auth_enc = encrypt_secret(source_auth, key=key)
        sides.append("source_auth")
    if dest_auth is not None:
        row.dest_auth_enc = encrypt_secret(dest_auth, key=key)
        sides.append("dest_auth")
    if not sides:
        return
    row.updated_at = utcnow()
    await session.flush()
    await add_audit_log(
        session=session,
        integration_id=row.id,
        action=AuditAction.UPDATED,
        tenant=row.tenant,
        actor=actor,
        details={"changed": sides},
    )


async def load_credentials(
    *, session: AsyncSession, integration_id: str, tenant: str | None, key: bytes
) -> Credentials:
    """Decrypt an integration's credentials (empty mappings for sides never stored).

    Args:
        session: An open session.
        integration_id: The integration.
        tenant: The caller's tenant; None for trusted internal callers.
        key: The key they were stored with.

    Returns:
        The decrypted credentials.

    Raises:
        NotFoundError: no such integration for this tenant.
        PersistenceError: the key is not the one they were stored with.
    """
    row = await require_integration(session, integration_id, tenant)
    return Credentials(
        source_auth=decrypt_secret(row.source_auth_enc, key=key) if row.source_auth_enc else {},
        dest_auth=decrypt_secret(row.dest_auth_enc, key=key) if row.dest_auth_enc else {},
    )
