"""Enforce a spec's security requirements: 401 without credentials, 403 for credentials not accepted.

A requirement is alternatives of scheme sets (OR of ANDs); a request passes when every scheme of one
alternative is satisfied. A scheme is *presented* when its credential is there (the API key's
header, query parameter or cookie; `Authorization: Bearer …` for bearer, OAuth 2 and OpenID
Connect; `Authorization: Basic …` for basic) and *accepted* when `tokens` is None (any non-empty
credential) or contains it (for basic: `user:password`, the user or the password).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Collection
from dataclasses import dataclass

from starlette.requests import Request

from vitesse.schemas import APISpecification, AuthScheme, AuthType, Endpoint, ParameterLocation


@dataclass(frozen=True)
class AuthVerdict:
    status: int | None
    """None when the request may go on, else 401 or 403."""
    message: str = ""
    challenge: str | None = None
    """The WWW-Authenticate value for a 401."""


def credential(request: Request, scheme: AuthScheme) -> str | None:
    """Return the credential a request presents for one scheme, or None."""
    if scheme.type == AuthType.API_KEY and scheme.parameter_name:
        name = scheme.parameter_name
        if scheme.location == ParameterLocation.QUERY:
            return request.query_params.get(name) or None
        if scheme.location == ParameterLocation.COOKIE:
            return request.cookies.get(name) or None
        return request.headers.get(name) or None
    header = request.headers.get("authorization", "")
    kind, _, value = header.partition(" ")
    if scheme.type == AuthType.HTTP_BASIC:
        return _basic(value) if kind.lower() == "basic" else None
    if scheme.type in (AuthType.HTTP_BEARER, AuthType.OAUTH2, AuthType.OPENID_CONNECT):
        return value.strip() or None if kind.lower() == "bearer" else None
    if scheme.type == AuthType.HTTP_OTHER:
        wanted = (scheme.scheme or "").lower()
        return value.strip() or None if kind and (not wanted or kind.lower() == wanted) else None
    return "mutual-tls" if scheme.type == AuthType.MUTUAL_TLS else None


def _basic(value: str) -> str | None:
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return decoded if ":" in decoded else None


def _accepted(scheme: AuthScheme, value: str, tokens: Collection[str] | None) -> bool:
    if tokens is None or scheme.type in (AuthType.MUTUAL_TLS, AuthType.NONE):
        return True
    if scheme.type == AuthType.HTTP_BASIC:
        user, _, password = value.partition(":")
        return value in tokens or user in tokens or (bool(password) and password in tokens)
    return value in tokens


def check_auth(
    request: Request, spec: APISpecification, endpoint: Endpoint, tokens: Collection[str] | None
) -> AuthVerdict:
    """Decide whether a request satisfies the operation's security requirement."""
    if not endpoint.auth_required:
        return AuthVerdict(None)
    requirement = endpoint.security if endpoint.security is not None else spec.security
    schemes = {s.name: s for s in spec.auth_schemes}
    presented_any = False
    for alternative in requirement:
        parts = [schemes[name] for name in alternative if name in schemes]
        if not parts:
            return AuthVerdict(None)  # a requirement naming only unknown schemes cannot be enforced
        values = [credential(request, s) for s in parts]
        if all(v is not None for v in values):
            presented_any = True
            if all(_accepted(s, v or "", tokens) for s, v in zip(parts, values, strict=True)):
                return AuthVerdict(None)
        elif any(v is not None for v in values):
            presented_any = True
    if presented_any:
        return AuthVerdict(403, "the credentials were not accepted")
    names = " or ".join(sorted({name for alt in requirement for name in alt})) or "credentials"
    return AuthVerdict(401, f"authentication required ({names})", _challenge(requirement, schemes))


def _challenge(requirement: list[list[str]], schemes: dict[str, AuthScheme]) -> str | None:
    for alternative in requirement:
        for name in alternative:
            scheme = schemes.get(name)
            if scheme is None:
                continue
            if scheme.type == AuthType.HTTP_BASIC:
                return 'Basic realm="sandbox"'
            if scheme.type in (AuthType.HTTP_BEARER, AuthType.OAUTH2, AuthType.OPENID_CONNECT):
                return 'Bearer realm="sandbox"'
    return None
