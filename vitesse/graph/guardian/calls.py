"""Build the requests of a proof: URLs with path values, required parameters, auth, write bodies.

Path and required query/header parameters get their default, first enum value or example, else a
generated value that fits their schema (so `/accounts/{account_id}/customers` can be called).
Write bodies are JSON, form-encoded (`a[b]=1`, `items[0][sku]=x`, the Stripe convention) when the
destination takes forms, or query parameters when the endpoint has no body at all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from random import Random
from typing import Any
from urllib.parse import quote
from uuid import UUID

from vitesse.graph.guardian.shadow import Call
from vitesse.graph.guardian.synthetic import generate_value
from vitesse.graph.guardian.target import AuthParts
from vitesse.schemas import APISpecification, Endpoint, Parameter, ParameterLocation

__all__ = ["form_encode", "parameter_value", "read_call", "write_call", "wrap_bulk"]

_PARAM = re.compile(r"\{([^{}]+)\}")
IDEMPOTENCY_HEADERS = ("idempotency-key", "x-idempotency-key")


def parameter_value(param: Parameter, spec: APISpecification, rng: Random) -> Any:
    """A value for a parameter: its default, first enum value, or one generated from its schema."""
    if param.default is not None:
        return param.default
    if param.enum:
        return param.enum[0]
    schema = param.schema_ or {"type": param.type, **({"format": param.format} if param.format else {})}
    return generate_value(schema, spec.schemas, rng, name=param.name)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _url(base_url: str, endpoint: Endpoint, spec: APISpecification, rng: Random) -> str:
    values: dict[str, str] = {}
    for param in endpoint.parameters:
        if param.location is ParameterLocation.PATH:
            values[param.name] = _text(parameter_value(param, spec, rng))
    path = _PARAM.sub(lambda m: quote(values.get(m.group(1), "1"), safe=""), endpoint.path)
    return base_url.rstrip("/") + path


def _required(endpoint: Endpoint, spec: APISpecification, rng: Random, where: ParameterLocation) -> dict[str, str]:
    return {
        p.name: _text(parameter_value(p, spec, rng)) for p in endpoint.parameters if p.location is where and p.required
    }


def read_call(base_url: str, endpoint: Endpoint, spec: APISpecification, auth: AuthParts, seed: int) -> Call:
    """The first call of a list endpoint: required parameters filled, auth added (no paging yet)."""
    rng = Random(f"{seed}:read")
    params: dict[str, Any] = {**_required(endpoint, spec, rng, ParameterLocation.QUERY), **auth.params}
    headers = {**_required(endpoint, spec, rng, ParameterLocation.HEADER), **auth.headers}
    url = _url(base_url, endpoint, spec, rng)
    return Call("GET", endpoint.path, url, params=params, headers=headers)


def wrap_bulk(wrapper: str, payloads: list[dict[str, Any]]) -> dict[str, Any]:
    """Put records under the bulk wrapper: `contacts[]` → `{"contacts": [...]}`, `data.items[]` nests."""
    names = [n for n in wrapper.replace("[]", "").split(".") if n]
    body: Any = list(payloads)
    for name in reversed(names or ["records"]):
        body = {name: body}
    return dict(body)


def form_encode(value: Any, prefix: str = "") -> dict[str, str]:
    """Flatten a JSON body into form fields the Stripe way: `a[b]=1`, `items[0][sku]=x`."""
    out: dict[str, str] = {}
    if isinstance(value, Mapping):
        for key, item in value.items():
            out.update(form_encode(item, f"{prefix}[{key}]" if prefix else str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out.update(form_encode(item, f"{prefix}[{index}]"))
    elif value is not None and prefix:
        out[prefix] = _text(value)
    return out


def write_call(
    base_url: str, endpoint: Endpoint, spec: APISpecification, auth: AuthParts, body: dict[str, Any], *,
    seed: int, number: int, wrapper: str | None = None,
) -> Call:  # fmt: skip
    """One write of a transformed record (or a bulk body) to the destination endpoint."""
    rng = Random(f"{seed}:write:{number}")
    params: dict[str, Any] = {**_required(endpoint, spec, rng, ParameterLocation.QUERY), **auth.params}
    headers = {**_required(endpoint, spec, rng, ParameterLocation.HEADER), **auth.headers}
    for param in endpoint.parameters:  # safe retries, where the API supports them
        if param.location is ParameterLocation.HEADER and param.name.lower() in IDEMPOTENCY_HEADERS:
            headers[param.name] = str(UUID(int=rng.getrandbits(128), version=4))
    url = _url(base_url, endpoint, spec, rng)
    call = Call(endpoint.method.value, endpoint.path, url, params=params, headers=headers, wrapper=wrapper)
    content_type = (endpoint.request_body.content_type if endpoint.request_body else "") or ""
    if endpoint.request_body is None:
        call.params.update(form_encode(body))
    elif "form" in content_type:
        call.data = form_encode(body)
    else:
        call.json = body
    return call
