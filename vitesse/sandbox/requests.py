"""Build valid requests for an operation: credentials for its security and generated parameters.

Used by the sandbox tests and by anything that needs a request the spec accepts (the guardian's
shadow calls, smoke checks): `credentials` satisfies the first alternative of the operation's
security requirement with one token; `example_request` fills path parameters, required query and
header parameters and (when the operation takes one) a generated body.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from random import Random
from typing import Any

from vitesse.graph.guardian.synthetic import generate_value
from vitesse.schemas import APISpecification, AuthType, Endpoint, ParameterLocation

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass
class ExampleRequest:
    method: str
    path: str
    params: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    json: Any = None
    data: dict[str, Any] | None = None

    def send_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for `httpx.AsyncClient.request`."""
        kwargs: dict[str, Any] = {"params": self.params, "headers": self.headers, "cookies": self.cookies}
        if self.json is not None:
            kwargs["json"] = self.json
        if self.data is not None:
            kwargs["data"] = self.data
        return kwargs


def credentials(
    spec: APISpecification, endpoint: Endpoint | None = None, token: str = "sandbox-token"
) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Return (headers, query params, cookies) carrying `token` for the operation's security."""
    headers: dict[str, str] = {}
    params: dict[str, str] = {}
    cookies: dict[str, str] = {}
    requirement = spec.security
    if endpoint is not None and endpoint.security is not None:
        requirement = endpoint.security
    schemes = {s.name: s for s in spec.auth_schemes}
    alternative = next((alt for alt in requirement if alt and all(n in schemes for n in alt)), [])
    for name in alternative:
        scheme = schemes[name]
        if scheme.type == AuthType.API_KEY and scheme.parameter_name:
            target = {ParameterLocation.QUERY: params, ParameterLocation.COOKIE: cookies}.get(
                scheme.location or ParameterLocation.HEADER, headers
            )
            target[scheme.parameter_name] = token
        elif scheme.type == AuthType.HTTP_BASIC:
            headers["Authorization"] = "Basic " + base64.b64encode(f"{token}:{token}".encode()).decode()
        elif scheme.type in (AuthType.HTTP_BEARER, AuthType.OAUTH2, AuthType.OPENID_CONNECT):
            headers["Authorization"] = f"Bearer {token}"
        elif scheme.type == AuthType.HTTP_OTHER:
            headers["Authorization"] = f"{(scheme.scheme or 'Token').capitalize()} {token}"
    return headers, params, cookies


def example_request(
    spec: APISpecification, endpoint: Endpoint, *, seed: int | str = 0, token: str | None = "sandbox-token"
) -> ExampleRequest:
    """Return a request the spec accepts for this operation (credentials included unless `token` is None)."""
    rng = Random(f"{seed}:{endpoint.key}")
    headers, params, cookies = credentials(spec, endpoint, token) if token is not None else ({}, {}, {})
    path = endpoint.path
    for param in endpoint.parameters:
        if not param.required and param.location != ParameterLocation.PATH:
            continue
        value = generate_value(param.schema_ or {"type": param.type}, spec.schemas, rng, name=param.name, mode="write")
        if param.location == ParameterLocation.PATH:
            path = path.replace("{" + param.name + "}", _text(value, path_segment=True))
        elif param.location == ParameterLocation.QUERY and isinstance(value, dict):
            params.update(flatten_form(value, param.name))  # deepObject style: name[key]=value
        elif param.location == ParameterLocation.QUERY:
            params[param.name] = _query(value)
        elif param.location == ParameterLocation.HEADER:
            headers.setdefault(param.name, _text(value))
        elif param.location == ParameterLocation.COOKIE:
            cookies[param.name] = _text(value)
    request = ExampleRequest(endpoint.method.value, path, params, headers, cookies)
    body = endpoint.request_body
    if body is not None and body.schema_ is not None:
        value = generate_value(body.schema_, spec.schemas, rng, mode="write")
        if body.content_type.split(";")[0] in FORM_TYPES:
            request.data = flatten_form(value) if isinstance(value, dict) else {}
        else:
            request.json = value
    return request


def _text(value: Any, path_segment: bool = False) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    text = "" if value is None else str(value)
    if path_segment:
        from urllib.parse import quote

        return quote(text or "x", safe="")
    return text


def _query(value: Any) -> Any:
    if isinstance(value, list):
        return [_text(v) for v in value]
    return _text(value)


def flatten_form(value: Any, prefix: str = "") -> dict[str, Any]:
    """Flatten nested values into form keys the Stripe way: `a[b][0]=x`."""
    out: dict[str, Any] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            out.update(flatten_form(item, f"{prefix}[{key}]" if prefix else str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out.update(flatten_form(item, f"{prefix}[{index}]"))
    elif value is not None:
        out[prefix] = _text(value)
    return out
