"""Describe one side of the proof (an API, its endpoint, where to reach it, its credentials) and its auth.

A `Target` without a `base_url` is proved against that spec's sandbox, started in-process; with one,
calls go to the live API through the SSRF guard, and writes only when `allow_writes` is True.
Credentials are looked up by auth scheme name first, then by the generic names `token`,
`access_token`, `api_key`, `username` and `password`; they never appear in results or messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vitesse.runtime.auth import is_basic, place_credential
from vitesse.schemas import APISpecification, AuthScheme, AuthType, Endpoint

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
    """An API key sent as a cookie is a `Cookie` header here."""
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
    """Add the credential that fits this scheme (its own name first, then the generic names) to `parts`."""
    if scheme is None:
        return False
    own = credentials.get(name)
    if is_basic(scheme):
        if own and ":" in own:
            placed = place_credential(scheme, own)
        else:
            user = credentials.get("username")
            placed = place_credential(scheme, credentials.get("password", ""), username=user) if user else None
    else:
        keys = _KEY_KEYS if scheme.type is AuthType.API_KEY else _TOKEN_KEYS
        value = own or _first(credentials, keys)
        placed = place_credential(scheme, value) if value else None
    if placed is None:
        return False
    for header, value in placed.headers.items():
        joined = header == "Cookie" and header in parts.headers
        parts.headers[header] = f"{parts.headers[header]}; {value}" if joined else value
    parts.params.update(placed.params)
    parts.secrets.extend(s for s in (*placed.secrets, own) if s and s not in parts.secrets)
    return True
