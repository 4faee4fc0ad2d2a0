"""Apply an API's auth scheme to requests, with the credential read from the environment or a secret file.

`place_credential` says where one credential goes for a scheme; the runtime (`resolve_auth`) and the
Guardian's proofs both use it, so a credential is sent the same way when a mapping is proved and when
it runs.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import httpx

from vitesse.errors import ConfigError
from vitesse.runtime.config import ApiConfig
from vitesse.runtime.oauth import ClientCredentials
from vitesse.schemas import AuthScheme, AuthType, ParameterLocation

BEARER_TYPES = (AuthType.HTTP_BEARER, AuthType.OAUTH2, AuthType.OPENID_CONNECT)
CHALLENGE_SCHEMES = frozenset({"digest", "negotiate", "ntlm", "hoba", "mutual"})
"""HTTP schemes answered by a challenge-response exchange, not by sending a stored credential."""


@dataclass(frozen=True)
class AppliedAuth:
    """What every request to one API carries, and the secret values to mask in anything we print."""

    headers: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    secrets: tuple[str, ...] = ()
    flow: ClientCredentials | None = None
    """A token flow that signs each request (OAuth2 client credentials); pass it as the request's `auth`."""

    @property
    def request_auth(self) -> Any:
        """What to pass as a request's `auth`: the token flow, or the client's default (none)."""
        return self.flow if self.flow is not None else httpx.USE_CLIENT_DEFAULT

    def masked(self) -> tuple[str, ...]:
        """Every value to mask: the credentials, and the access tokens issued so far."""
        return (*self.secrets, *(self.flow.issued if self.flow is not None else ()))


def resolve_auth(api: ApiConfig, environ: Mapping[str, str], *, side: str) -> AppliedAuth:
    """Read the credential the config names and turn it into headers or query parameters.

    Args:
        api: the source or destination part of the runtime config.
        environ: where `env` references are looked up.
        side: `source` or `destination`, for messages.

    Returns:
        The headers and parameters to send, and the secrets to mask.

    Raises:
        ConfigError: the scheme needs a credential the config does not name, or the named one is missing.
    """
    scheme = api.auth
    creds = api.credentials
    if scheme is None or scheme.type == AuthType.NONE:
        return AppliedAuth()
    if creds is None or creds.secret is None:
        raise ConfigError(
            f"the {side} API needs {_describe(scheme)}: set {side}.credentials.secret to "
            '{"env": "VARIABLE"} or {"file": "/run/secrets/NAME"}'
        )
    secret = creds.secret.resolve(environ)
    if creds.client_id is not None:
        return _client_credentials(api, scheme, creds.client_id.resolve(environ), secret, side)
    placed = place_credential(scheme, secret, username=creds.username.resolve(environ) if creds.username else None)
    if placed is not None:
        return placed
    if is_basic(scheme):
        raise ConfigError(
            f"the {side} API uses basic auth: name the user in credentials.username, "
            "or store `user:password` in credentials.secret"
        )
    if scheme.type == AuthType.API_KEY:
        raise ConfigError(f"the {side} API key scheme {scheme.name} does not say which header or parameter to use")
    raise ConfigError(f"the {side} API's auth scheme {scheme.name} ({_describe(scheme)}) is not supported")


def _client_credentials(api: ApiConfig, scheme: AuthScheme, client_id: str, secret: str, side: str) -> AppliedAuth:
    creds = api.credentials
    assert creds is not None
    flows = [f for f in scheme.flows if f.flow in ("clientCredentials", "application") and f.token_url]
    token_url = creds.token_url or (flows[0].token_url if flows else None)
    if not token_url:
        raise ConfigError(
            f"the {side} API's client credentials need a token URL: its scheme {scheme.name} names no "
            "client-credentials flow, so set credentials.token_url"
        )
    if not token_url.startswith(("https://", "http://")):
        token_url = urljoin(api.base_url.rstrip("/") + "/", token_url)
    flow = ClientCredentials(token_url, client_id, secret, creds.scopes)
    return AppliedAuth(secrets=(secret,), flow=flow)


def place_credential(scheme: AuthScheme, secret: str, *, username: str | None = None) -> AppliedAuth | None:
    """Say where one credential goes for a scheme, or None when the scheme cannot carry it.

    An API key goes in its header, query parameter or cookie (a `Cookie` header); HTTP basic is built
    from `username` and the secret as password, or from a secret written `user:password`; a token goes
    in `Authorization: Bearer` for http bearer, OAuth2 and OpenID Connect, and with its own word for
    another HTTP scheme (`Token …`). None for an API key scheme that names no parameter, basic without
    a user, and challenge-response schemes (digest, negotiate …).
    """
    if is_basic(scheme):
        return _basic(secret, username)
    if scheme.type == AuthType.API_KEY:
        return _api_key(scheme, secret)
    word = (scheme.scheme or "").strip()
    if scheme.type in BEARER_TYPES or word.lower() == "bearer":
        return AppliedAuth(headers={"Authorization": f"Bearer {secret}"}, secrets=(secret,))
    if scheme.type == AuthType.HTTP_OTHER and word and word.lower() not in CHALLENGE_SCHEMES:
        return AppliedAuth(headers={"Authorization": f"{word.title()} {secret}"}, secrets=(secret,))
    return None


def is_basic(scheme: AuthScheme) -> bool:
    return scheme.type == AuthType.HTTP_BASIC or (
        scheme.type == AuthType.HTTP_OTHER and (scheme.scheme or "").lower() == "basic"
    )


def _basic(secret: str, username: str | None) -> AppliedAuth | None:
    if username is None:
        username, colon, password = secret.partition(":")
        if not colon:
            return None
    else:
        password = secret
    if not username:
        return None
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return AppliedAuth(headers={"Authorization": f"Basic {token}"}, secrets=tuple(s for s in (password, token) if s))


def _api_key(scheme: AuthScheme, secret: str) -> AppliedAuth | None:
    name = scheme.parameter_name
    if not name:
        return None
    if scheme.location == ParameterLocation.QUERY:
        return AppliedAuth(params={name: secret}, secrets=(secret,))
    if scheme.location == ParameterLocation.COOKIE:
        return AppliedAuth(headers={"Cookie": f"{name}={secret}"}, secrets=(secret,))
    return AppliedAuth(headers={name: secret}, secrets=(secret,))


def _describe(scheme: AuthScheme) -> str:
    if scheme.type == AuthType.API_KEY:
        where = scheme.location.value if scheme.location else "header"
        return f"an API key in {where} {scheme.parameter_name}"
    if scheme.scheme:
        return f"HTTP {scheme.scheme} auth"
    return f"{scheme.type.value} auth"
