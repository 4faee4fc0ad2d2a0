"""Extract auth schemes (securitySchemes / securityDefinitions) and security requirements."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vitesse.schemas import AuthScheme, AuthType, OAuthFlow, ParameterLocation

_LOCATIONS = {"header": ParameterLocation.HEADER, "query": ParameterLocation.QUERY, "cookie": ParameterLocation.COOKIE}


def extract_auth_schemes(raw: Mapping[str, Any], follow: Any) -> list[AuthScheme]:
    """Read every declared scheme; `follow` resolves a scheme that is itself a `$ref`."""
    schemes: list[AuthScheme] = []
    for name, node in raw.items():
        scheme = follow(node)
        if isinstance(scheme, dict):
            schemes.append(_scheme(str(name), scheme))
    return schemes


def _scheme(name: str, node: Mapping[str, Any]) -> AuthScheme:
    kind = str(node.get("type", "")).lower()
    description = node.get("description") if isinstance(node.get("description"), str) else None
    if kind == "apikey":
        return AuthScheme(
            name=name,
            type=AuthType.API_KEY,
            location=_LOCATIONS.get(str(node.get("in", "header")).lower(), ParameterLocation.HEADER),
            parameter_name=node.get("name"),
            description=description,
        )
    if kind == "http":
        http = str(node.get("scheme", "")).lower()
        auth_type = {"basic": AuthType.HTTP_BASIC, "bearer": AuthType.HTTP_BEARER}.get(http, AuthType.HTTP_OTHER)
        return AuthScheme(
            name=name,
            type=auth_type,
            scheme=http or None,
            bearer_format=node.get("bearerFormat"),
            description=description,
        )
    if kind == "basic":  # Swagger 2.0
        return AuthScheme(name=name, type=AuthType.HTTP_BASIC, scheme="basic", description=description)
    if kind == "oauth2":
        return AuthScheme(name=name, type=AuthType.OAUTH2, flows=_flows(node), description=description)
    if kind == "openidconnect":
        return AuthScheme(
            name=name,
            type=AuthType.OPENID_CONNECT,
            openid_connect_url=node.get("openIdConnectUrl"),
            description=description,
        )
    if kind == "mutualtls":
        return AuthScheme(name=name, type=AuthType.MUTUAL_TLS, description=description)
    return AuthScheme(name=name, type=AuthType.NONE, description=description or f"unknown scheme type {kind!r}")


def _flows(node: Mapping[str, Any]) -> list[OAuthFlow]:
    flows = node.get("flows")
    if isinstance(flows, dict):  # OpenAPI 3
        return [_flow(str(k), v) for k, v in flows.items() if isinstance(v, dict)]
    # Swagger 2.0: one flow per scheme, named implicit/password/application/accessCode.
    return [_flow(str(node.get("flow", "unknown")), node)]


def _flow(kind: str, node: Mapping[str, Any]) -> OAuthFlow:
    scopes = node.get("scopes")
    return OAuthFlow(
        flow=kind,
        authorization_url=node.get("authorizationUrl"),
        token_url=node.get("tokenUrl"),
        refresh_url=node.get("refreshUrl"),
        scopes={str(k): str(v) for k, v in scopes.items()} if isinstance(scopes, dict) else {},
    )


def security_requirements(raw: Any) -> list[list[str]] | None:
    """Turn a `security` list into alternatives of scheme names; None when absent (inherit)."""
    if raw is None:
        return None
    if not isinstance(raw, list):
        return []
    return [sorted(str(k) for k in item) if isinstance(item, dict) else [] for item in raw]


def requires_auth(requirement: list[list[str]] | None, default: list[list[str]]) -> bool:
    """An operation needs credentials unless its effective requirement is empty or allows `{}`."""
    effective = default if requirement is None else requirement
    return bool(effective) and all(alt for alt in effective)
