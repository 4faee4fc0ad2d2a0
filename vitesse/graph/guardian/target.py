"""Describe one side of the proof (an API, its endpoint, where to reach it, its credentials) and its auth.

A `Target` without a `base_url` is proved against that spec's sandbox, started in-process; with one,
calls go to the live API through the SSRF guard, and writes only when `allow_writes` is True.
Credentials are looked up by auth scheme name first, then by the generic names `token`,
`access_token`, `api_key`, `username` and `password`; they never appear in results or messages.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from vitesse.schemas import APISpecification, AuthScheme, AuthType, Endpoint, ParameterLocation

__all__ = ["AuthParts", "Target", "auth_for", "required_schemes"]

_TOKEN_KEYS = ("token", "access_token", "api_key")
_KEY_KEYS = ("api_key", "token", "key")


@dataclass
class Target:
    """One side of the proof: the API, the endpoint, and how to reach it."""

    spec: APISpecification
    endpoint: Endpoint
    base_url: str | None = None
    """None: the spec's sandbox, in-process (the default). Else the live API's base URL."""
    credentials: dict[str, str] = field(default_factory=dict)
    """By auth scheme name, or the generic `token`, `api_key`, `username`, `password`."""
    allow_writes: bool = False
    """Writes reach a live API only when True (the sandbox always takes them)."""

    @property
    def live(self) -> bool:
        return self.base_url is not None

    def __repr__(self) -> str:  # never show credentials
        where = self.base_url or "sandbox"
        return f"Target({self.spec.name!r}, {self.endpoint.key!r}, {where!r}, credentials={sorted(self.credentials)})"


@dataclass
class AuthParts:
    """What to add to each request for one side's auth, and the secrets to mask in messages."""

    headers: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    secrets: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    """Schemes the endpoint asks for that no credential satisfies."""
    schemes: list[str] = field(default_factory=list)
    """Schemes actually used."""


def required_schemes(spec: APISpecification, endpoint: Endpoint) -> list[list[str]]:
    """The endpoint's security alternatives (its own, else the document's); `[]` when anonymous."""
    alternatives = endpoint.security if endpoint.security is not None else spec.security
    if not alternatives or any(not alt for alt in alternatives):
        return []
    return alternatives


def auth_for(spec: APISpecification, endpoint: Endpoint, credentials: dict[str, str]) -> AuthParts:
    """Build the auth of the first security alternative the credentials satisfy."""
    alternatives = required_schemes(spec, endpoint)
    if not alternatives:
        return AuthParts()
    schemes = {s.name: s for s in spec.auth_schemes}
    for alternative in alternatives:
        parts = AuthParts(schemes=list(alternative))
        if all(_apply(schemes.get(name), name, credentials, parts) for name in alternative):
            return parts
    return AuthParts(missing=sorted({name for alt in alternatives for name in alt}))


def _first(credentials: dict[str, str], keys: tuple[str, ...]) -> str | None:
    return next((credentials[k] for k in keys if credentials.get(k)), None)


def _apply(scheme: AuthScheme | None, name: str, credentials: dict[str, str], parts: AuthParts) -> bool:
    if scheme is None:
        return False
    own = credentials.get(name)
    if scheme.type is AuthType.API_KEY:
        value = own or _first(credentials, _KEY_KEYS)
        if not value or not scheme.parameter_name:
            return False
        place = {ParameterLocation.QUERY: parts.params, ParameterLocation.COOKIE: parts.cookies}
        place.get(scheme.location or ParameterLocation.HEADER, parts.headers)[scheme.parameter_name] = value
        parts.secrets.append(value)
        return True
    if scheme.type is AuthType.HTTP_BASIC or (scheme.scheme or "").lower() == "basic":
        return _basic(own, credentials, parts)
    if scheme.type in (AuthType.HTTP_BEARER, AuthType.OAUTH2, AuthType.OPENID_CONNECT, AuthType.HTTP_OTHER):
        token = own or _first(credentials, _TOKEN_KEYS)
        if not token:
            return False
        prefix = "Bearer" if scheme.type is not AuthType.HTTP_OTHER else (scheme.scheme or "Bearer").title()
        parts.headers["Authorization"] = f"{prefix} {token}"
        parts.secrets.append(token)
        return True
    return False


def _basic(own: str | None, credentials: dict[str, str], parts: AuthParts) -> bool:
    if own and ":" in own:
        user, _, password = own.partition(":")
    else:
        user, password = credentials.get("username", ""), credentials.get("password", "")
    if not user:
        return False
    pair = base64.b64encode(f"{user}:{password}".encode()).decode()
    parts.headers["Authorization"] = f"Basic {pair}"
    parts.secrets.extend([s for s in (password, pair, own) if s])
    return True
