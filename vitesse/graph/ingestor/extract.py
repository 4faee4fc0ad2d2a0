"""Extract endpoints from the `paths` of a Swagger 2.0 or OpenAPI 3.x document.

Each operation becomes an `Endpoint` with its parameters, request body (2.0 `body` and `formData`
parameters become one), responses, where a list response keeps its records and one record's schema,
pagination, primary key, resource and action. The record's and the body's fields are flattened from
those schemas on first use (`Endpoint.record_fields`, `Endpoint.body_fields()`), not here.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel

from vitesse.graph.ingestor.auth import requires_auth, security_requirements
from vitesse.graph.ingestor.flatten import flatten
from vitesse.graph.ingestor.pagination import Evidence, detect_pagination
from vitesse.graph.ingestor.refs import Resolver
from vitesse.graph.ingestor.resources import classify, is_param, path_segments, primary_key, singular
from vitesse.graph.ingestor.schema import alternatives, resolve, schema_type
from vitesse.schemas import Endpoint, Field, HttpMethod, Parameter, ParameterLocation, RequestBody, Response

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
JSON_TYPES = ("application/json", "application/hal+json", "application/vnd.api+json", "text/json", "*/*")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
RECORD_NAMES = ("data", "results", "items", "records", "entries", "values", "elements", "objects", "list", "rows")
WRAPPER_NAMES = ("data", "result", "response", "_embedded", "embedded", "body", "payload")


@dataclass
class Context:
    resolver: Resolver
    base_uri: str
    swagger2: bool
    consumes: list[str] = field(default_factory=list)
    produces: list[str] = field(default_factory=list)
    security: list[list[str]] = field(default_factory=list)
    auth_params: set[tuple[str, str]] = field(default_factory=set)
    """(location, name) of api-key parameters: credentials, not data fields."""
    memo: dict[int, Any] = field(default_factory=dict)
    """Shared by every flatten of this document (see `flatten`)."""


def extract_endpoints(paths: Mapping[str, Any], ctx: Context) -> list[Endpoint]:
    endpoints: list[Endpoint] = []
    for path, raw_item in paths.items():
        item, item_uri = ctx.resolver.follow(raw_item, ctx.base_uri)
        if not isinstance(item, dict):
            continue
        shared = item.get("parameters") if isinstance(item.get("parameters"), list) else []
        for method in METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                endpoints.append(extract_operation(HttpMethod(method.upper()), str(path), op, shared, ctx, item_uri))
    return endpoints


def extract_operation(
    method: HttpMethod, path: str, op: Mapping[str, Any], shared: list[Any], ctx: Context, uri: str
) -> Endpoint:
    raw_params = _merge_parameters(shared, op.get("parameters") or [], ctx, uri)
    params = [p for p in (_parameter(raw, ctx, puri) for raw, puri in raw_params) if p is not None]
    body = _request_body(op, raw_params, ctx, uri)
    responses = _responses(op, ctx, uri)
    resource, action = classify(method, path, op.get("operationId"))
    security = security_requirements(op.get("security"))
    endpoint = _built(
        Endpoint,
        method=method,
        path=path,
        operation_id=op.get("operationId"),
        summary=_text(op.get("summary")),
        description=_text(op.get("description")),
        tags=[str(t) for t in op.get("tags") or [] if isinstance(t, str | int)],
        deprecated=bool(op.get("deprecated")),
        parameters=[p for p in params if p.location != ParameterLocation.BODY],
        request_body=body,
        responses=responses,
        resource=resource,
        action=action,
        security=security,
        auth_required=requires_auth(security, ctx.security),
    )
    _describe_records(endpoint, ctx)
    return endpoint


def _merge_parameters(shared: list[Any], own: list[Any], ctx: Context, uri: str) -> list[tuple[dict[str, Any], str]]:
    merged: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
    for raw in [*shared, *(own if isinstance(own, list) else [])]:
        param, puri = ctx.resolver.follow(raw, uri)
        if isinstance(param, dict) and "name" in param:
            merged[(str(param.get("in")), str(param["name"]))] = (param, puri)
    return list(merged.values())


def _parameter(raw: Mapping[str, Any], ctx: Context, uri: str) -> Parameter | None:
    location = str(raw.get("in", "query"))
    if location == "formData":
        location = "form"
    if location not in ParameterLocation._value2member_map_ or (location, str(raw["name"])) in ctx.auth_params:
        return None
    schema = ctx.resolver.schema(raw["schema"], uri) if isinstance(raw.get("schema"), dict) else _inline_schema(raw)
    resolved, _ = resolve(schema, ctx.resolver.schemas)
    # Only what differs from the defaults is given (see `_built`), written out: this runs thousands of times.
    values: dict[str, Any] = {"name": str(raw["name"]), "location": ParameterLocation(location), "schema": schema}
    if raw.get("required") or location == "path":
        values["required"] = True
    kind = schema_type(resolved)
    if kind and kind != "string":
        values["type"] = kind
    if resolved.get("format") is not None:
        values["format"] = resolved["format"]
    if isinstance(resolved.get("enum"), list):
        values["enum"] = resolved["enum"]
    if description := _text(raw.get("description")):
        values["description"] = description
    if resolved.get("default") is not None:
        values["default"] = resolved["default"]
    return Parameter(**values)


def _inline_schema(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Swagger 2.0 keeps a non-body parameter's schema keywords on the parameter itself."""
    keys = ("type", "format", "enum", "items", "default", "minimum", "maximum", "maxLength", "minLength", "pattern")
    schema = {k: raw[k] for k in keys if k in raw}
    if schema.get("type") == "file":
        schema = {"type": "string", "format": "binary"}
    if raw.get("x-nullable"):
        schema["nullable"] = True
    return schema


def _request_body(
    op: Mapping[str, Any], raw_params: list[tuple[dict[str, Any], str]], ctx: Context, uri: str
) -> RequestBody | None:
    if ctx.swagger2:
        return _swagger2_body(op, raw_params, ctx)
    body, body_uri = ctx.resolver.follow(op.get("requestBody"), uri)
    if not isinstance(body, dict):
        return None
    content = body.get("content") if isinstance(body.get("content"), dict) else {}
    content_type = _pick_content_type(list(content))
    if content_type is None:
        return RequestBody(content_type="application/octet-stream", required=bool(body.get("required")))
    media = content.get(content_type) or {}
    schema = ctx.resolver.schema(media.get("schema"), body_uri) if isinstance(media, dict) else {}
    return _body(content_type, bool(body.get("required")), schema, ctx)


def _swagger2_body(
    op: Mapping[str, Any], raw_params: list[tuple[dict[str, Any], str]], ctx: Context
) -> RequestBody | None:
    consumes = op.get("consumes") if isinstance(op.get("consumes"), list) else ctx.consumes
    for raw, puri in raw_params:
        if raw.get("in") == "body":
            schema = ctx.resolver.schema(raw.get("schema"), puri)
            content_type = _pick_content_type(consumes or []) or "application/json"
            return _body(content_type, bool(raw.get("required")), schema, ctx)
    form = [(raw, puri) for raw, puri in raw_params if raw.get("in") == "formData"]
    if not form:
        return None
    properties = {str(raw["name"]): _inline_schema(raw) for raw, _ in form}
    required = [str(raw["name"]) for raw, _ in form if raw.get("required")]
    for raw, _ in form:
        if isinstance(raw.get("description"), str):
            properties[str(raw["name"])]["description"] = raw["description"]
    has_file = any(raw.get("type") == "file" for raw, _ in form)
    content_type = (
        "multipart/form-data"
        if has_file
        or "multipart/form-data" in (consumes or [])
        and not any(c == "application/x-www-form-urlencoded" for c in consumes or [])
        else "application/x-www-form-urlencoded"
    )
    schema = {"type": "object", "properties": properties, "required": required}
    return _body(content_type, bool(required), schema, ctx)


def _body(content_type: str, required: bool, schema: dict[str, Any], ctx: Context) -> RequestBody:
    wrapper = _array_wrapper(schema, ctx)
    return RequestBody(content_type=content_type, required=required, schema=schema, array_wrapper=wrapper)


def _array_wrapper(schema: dict[str, Any], ctx: Context) -> str | None:
    """Name the array a bulk body wraps its records in (`contacts[]`), or `[]` for a bare array."""
    resolved, _ = resolve(schema, ctx.resolver.schemas)
    if schema_type(resolved) == "array":
        return "[]"
    properties = resolved.get("properties") if isinstance(resolved.get("properties"), dict) else {}
    arrays = [n for n, s in properties.items() if _is_object_array(s, ctx)]
    return f"{arrays[0]}[]" if len(arrays) == 1 and len(properties) <= 3 else None


def _is_object_array(schema: Any, ctx: Context) -> bool:
    resolved, _ = resolve(schema, ctx.resolver.schemas)
    if schema_type(resolved) != "array":
        return False
    items, _ = resolve(resolved.get("items"), ctx.resolver.schemas)
    return schema_type(items) == "object" or bool(alternatives(items))


def _pick_content_type(types: list[str]) -> str | None:
    lowered = {t.split(";")[0].strip().lower(): t for t in types if isinstance(t, str)}
    for wanted in (*JSON_TYPES, *FORM_TYPES):
        if wanted in lowered:
            return lowered[wanted]
    for t in lowered:
        if t.endswith("+json") or t.endswith("/json"):
            return lowered[t]
    return next(iter(lowered.values()), None)


def _responses(op: Mapping[str, Any], ctx: Context, uri: str) -> list[Response]:
    raw = op.get("responses") if isinstance(op.get("responses"), dict) else {}
    out: list[Response] = []
    for status, node in raw.items():
        response, ruri = ctx.resolver.follow(node, uri)
        if not isinstance(response, dict):
            continue
        content_type, schema = _response_schema(response, ctx, ruri, op)
        headers = response.get("headers") if isinstance(response.get("headers"), dict) else {}
        values: dict[str, Any] = {"status": str(status)}  # only what differs from the defaults (see `_built`)
        if content_type is not None:
            values["content_type"] = content_type
        if description := _text(response.get("description")):
            values["description"] = description
        if schema is not None:
            values["schema"] = schema
        if headers:
            values["headers"] = [str(h) for h in headers]
        out.append(Response(**values))
    return out


def _response_schema(
    response: Mapping[str, Any], ctx: Context, uri: str, op: Mapping[str, Any]
) -> tuple[str | None, dict[str, Any] | None]:
    if ctx.swagger2:
        if not isinstance(response.get("schema"), dict):
            return None, None
        produces = op.get("produces") if isinstance(op.get("produces"), list) else ctx.produces
        return _pick_content_type(produces or []) or "application/json", ctx.resolver.schema(response["schema"], uri)
    content = response.get("content") if isinstance(response.get("content"), dict) else {}
    content_type = _pick_content_type(list(content))
    media = content.get(content_type) if content_type else None
    if not isinstance(media, dict) or not isinstance(media.get("schema"), dict):
        return content_type, None
    return content_type, ctx.resolver.schema(media["schema"], uri)


def success_response(responses: list[Response]) -> Response | None:
    ranked = sorted((r for r in responses if r.status.startswith("2")), key=lambda r: (r.schema_ is None, r.status))
    if ranked:
        return ranked[0]
    return next((r for r in responses if r.status == "default" and r.schema_ is not None), None)


def _describe_records(endpoint: Endpoint, ctx: Context) -> None:
    """Fill success status, records_at, record schema, pagination and primary key."""
    success = success_response(endpoint.responses)
    endpoint.success_status = success.status if success else None
    schemas = ctx.resolver.schemas
    if success is None or success.schema_ is None:
        return
    segments = path_segments(endpoint.path)
    single = bool(segments) and is_param(segments[-1])
    if endpoint.method == HttpMethod.GET and not single:
        records_at, record_schema = find_records(success.schema_, ctx, endpoint.resource)
        if records_at is not None:
            endpoint.records_at, endpoint.record_schema = records_at, record_schema
    if endpoint.records_at is None:
        endpoint.record_schema = success.schema_
    path_params = [p.name for p in endpoint.parameters if p.location == ParameterLocation.PATH]
    top = _top_level_properties(endpoint.record_schema, ctx) if endpoint.record_schema is not None else {}
    scalar = lambda name: schema_type(resolve(top[name], schemas)[0]) not in ("object", "array")  # noqa: E731
    endpoint.primary_key = primary_key(top, endpoint.resource, path_params[-1:], usable=scalar)
    if endpoint.records_at is not None:
        evidence = Evidence(
            query_params=[p.name for p in endpoint.parameters if p.location == ParameterLocation.QUERY],
            envelope=_envelope_fields(success.schema_, endpoint.records_at, ctx),
            headers=success.headers,
            records_at=endpoint.records_at,
            primary_key=endpoint.primary_key,
        )
        endpoint.pagination = detect_pagination(evidence)


def _top_level_properties(schema: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """A record's top-level properties (its object alternatives' too), without flattening it."""
    resolved, _ = resolve(schema, ctx.resolver.schemas)
    found: dict[str, Any] = {}
    for node in (resolved, *alternatives(resolved)):
        member = resolve(node, ctx.resolver.schemas)[0] if node is not resolved else resolved
        properties = member.get("properties")
        if isinstance(properties, dict):
            for name, prop in properties.items():
                found.setdefault(str(name), prop)
    return found


def _envelope_fields(schema: dict[str, Any], records_at: str, ctx: Context) -> list[Field]:
    """Flatten what a list response carries beside its records (cursors, totals, links)."""
    resolved, _ = resolve(schema, ctx.resolver.schemas)
    properties = resolved.get("properties") if isinstance(resolved.get("properties"), dict) else {}
    records_top = records_at.split(".", 1)[0].removesuffix("[]")
    nested = "." in records_at
    out: list[Field] = []
    for name, prop in properties.items():
        if name == records_top and not nested:
            continue
        fields, _ = flatten(prop, ctx.resolver.schemas, mode="read", max_depth=3, max_fields=100, memo=ctx.memo)
        out.extend(f.model_copy(update={"path": f"{name}.{f.path}" if f.path else name}) for f in fields)
        if not fields:
            out.append(Field(path=str(name), type=schema_type(resolve(prop, ctx.resolver.schemas)[0]) or "any"))
    return [f for f in out if not f.path.startswith(records_at)]


def find_records(
    schema: dict[str, Any], ctx: Context, resource: str | None
) -> tuple[str | None, dict[str, Any] | None]:
    """Return where a list response keeps its records (`data[]`, `data.results[]`, `[]`) and one record's schema."""
    schemas = ctx.resolver.schemas
    resolved, _ = resolve(schema, schemas)
    if schema_type(resolved) == "array":
        items = resolved.get("items")
        return "[]", items if isinstance(items, dict) else {}
    found = _records_in(resolved, ctx, resource, "")
    if found is None:
        props = resolved.get("properties") if isinstance(resolved.get("properties"), dict) else {}
        for name in WRAPPER_NAMES:
            if name in props:
                inner, _ = resolve(props[name], schemas)
                if schema_type(inner) == "object":
                    found = _records_in(inner, ctx, resource, f"{name}.")
                    if found:
                        break
    return found if found else (None, None)


def _records_in(
    schema: Mapping[str, Any], ctx: Context, resource: str | None, prefix: str
) -> tuple[str, dict[str, Any]] | None:
    props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    arrays: dict[str, dict[str, Any]] = {}
    for name, prop in props.items():
        resolved, _ = resolve(prop, ctx.resolver.schemas)
        if schema_type(resolved) == "array" and isinstance(resolved.get("items"), dict):
            arrays[str(name)] = resolved["items"]
    if not arrays:
        return None
    wanted = [resource, singular(resource)] if resource else []
    for name in [*wanted, *RECORD_NAMES]:
        if name and name in arrays:
            return f"{prefix}{name}[]", arrays[name]
    object_arrays = [n for n in arrays if _is_object_array({"type": "array", "items": arrays[n]}, ctx)]
    if len(object_arrays) == 1 and len(props) <= 6:
        return f"{prefix}{object_arrays[0]}[]", arrays[object_arrays[0]]
    return None


M = TypeVar("M", bound=BaseModel)


def _built(model: type[M], **values: Any) -> M:
    """Build a model from the values that differ from its defaults.

    Pydantic keeps, per instance, the set of the field names it was given: 728 bytes once it holds five
    names, 216 below. Leaving defaults out keeps that set small and changes no value. Used for endpoints;
    parameters and responses, thousands to a spec, pick their non-default values by hand (faster).
    """
    defaults = _defaults(model)
    return model(**{k: v for k, v in values.items() if not (k in defaults and v == defaults[k])})


@functools.cache
def _defaults(model: type[BaseModel]) -> dict[str, Any]:
    """A model's plain defaults (None, False, a string, an empty list), by the name a caller passes."""
    out: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        default = info.default_factory() if info.default_factory is not None else info.default  # type: ignore[call-arg]
        if default is None or isinstance(default, bool | str | int | float | list):
            out[info.alias or name] = default
    return out


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()[:2000]
    return None
