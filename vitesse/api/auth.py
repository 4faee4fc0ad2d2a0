"""Authenticate API callers: a JWT signed with JWT_SECRET (HS256) or an API key stored hashed.

A JWT carries `iss` = `vitesse`, `sub` (who), `exp` (until when) and `tenant` (whose integrations it
sees, `default` when absent). API keys (`vk_…`) are looked up by their SHA-256 digest in `api_keys`.
Without JWT_SECRET a random secret is kept in `data_dir/jwt.key` (mode 0600), so `vitesse serve` and
`vitesse token create` on one machine agree out of the box; production settings require JWT_SECRET.
"""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt

from vitesse.api.problems import ApiError, unauthorized
from vitesse.config import Settings
from vitesse.errors import ConfigError

log = logging.getLogger("vitesse.api")

ISSUER = "vitesse"
ALGORITHM = "HS256"
KEY_FILE = "jwt.key"
API_KEY_PREFIX = "vk_"
MAX_TOKEN_LENGTH = 4096
_TENANT_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token's subject, the tenant it acts for, and how it authenticated."""

    subject: str
    tenant: str
    kind: str
    """jwt or api_key."""


def check_tenant(tenant: str) -> str:
    """Return a usable tenant name (1–64 letters, digits, `_`, `-`, `.`) or raise ConfigError."""
    if not tenant or len(tenant) > 64 or not set(tenant) <= _TENANT_CHARS:
        raise ConfigError(f"tenant {tenant!r} must be 1-64 letters, digits, '_', '-' or '.'")
    return tenant


def jwt_secret(settings: Settings) -> str:
    """Return JWT_SECRET, or the machine-local secret in data_dir/jwt.key (created on first use)."""
    if settings.jwt_secret is not None and settings.jwt_secret.get_secret_value():
        return settings.jwt_secret.get_secret_value()
    path = Path(settings.data_dir) / KEY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        value = path.read_text().strip()
        if len(value) < 32:
            raise ConfigError(f"{path} is damaged: delete it (issued tokens stop working) or set JWT_SECRET") from None
        return value
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(48))
    log.warning("JWT_SECRET is not set: generated a signing secret in %s (mode 0600)", path)
    return path.read_text().strip()


def create_token(
    settings: Settings, *, subject: str, tenant: str = "default", expires_in: timedelta = timedelta(hours=24)
) -> str:
    """Sign a JWT for the API.

    Args:
        settings: Gives JWT_SECRET (or the local key file).
        subject: Who the token is for.
        tenant: Whose integrations the token sees.
        expires_in: How long it is valid.

    Returns:
        The encoded token.
    """
    if not subject or len(subject) > 255:
        raise ConfigError("the subject must be 1-255 characters")
    if expires_in <= timedelta(0):
        raise ConfigError("a token must expire in the future")
    now = datetime.now(UTC)
    claims = {"iss": ISSUER, "sub": subject, "tenant": check_tenant(tenant), "iat": now, "exp": now + expires_in}
    return jwt.encode(claims, jwt_secret(settings), algorithm=ALGORITHM)


def decode_token(token: str, secret: str) -> Principal:
    """Verify a JWT (signature, issuer, expiry, subject) and return its principal; 401 otherwise."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "iss", "sub"]},
        )
    except jwt.ExpiredSignatureError:
        raise unauthorized("The token has expired: create a new one with `vitesse token create`") from None
    except jwt.PyJWTError as exc:
        raise unauthorized(f"The token is not valid: {exc}") from None
    tenant = claims.get("tenant", "default")
    if not isinstance(tenant, str) or not isinstance(claims["sub"], str):
        raise unauthorized("The token's sub and tenant claims must be strings")
    try:
        check_tenant(tenant)
    except ConfigError as exc:
        raise unauthorized(str(exc)) from None
    return Principal(subject=claims["sub"], tenant=tenant, kind="jwt")


class Authenticator:
    """Check the Authorization header of each request."""

    def __init__(self, settings: Settings, sessions: Any) -> None:
        self._secret = jwt_secret(settings)
        self._sessions = sessions

    async def authenticate(self, authorization: str | None) -> Principal:
        """Return who is calling, or raise a 401 ApiError that says what to send."""
        if not authorization:
            raise unauthorized("Send Authorization: Bearer <token> (a JWT or an API key from `vitesse token create`)")
        scheme, _, token = authorization.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise unauthorized("Use the Bearer scheme: Authorization: Bearer <token>")
        if len(token) > MAX_TOKEN_LENGTH:
            raise unauthorized("The token is too long")
        if token.startswith(API_KEY_PREFIX):
            return await self._api_key(token)
        return decode_token(token, self._secret)

    async def _api_key(self, token: str) -> Principal:
        from vitesse.persistence import find_api_key

        async with self._sessions() as session:
            row = await find_api_key(session=session, plaintext=token)
        if row is None:
            raise unauthorized("The API key is unknown or revoked")
        return Principal(subject=row.subject, tenant=row.tenant, kind="api_key")


def principal_of(scope_state: Any) -> Principal:
    principal = getattr(scope_state, "principal", None)
    if not isinstance(principal, Principal):
        raise ApiError(401, "unauthorized", "not authenticated")
    return principal
