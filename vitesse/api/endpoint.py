"""Describe each API operation once (method, path, models, access) and derive the routes from that.

The same `Operation` list feeds the OpenAPI document, so what the document promises is what the
route validates: query parameters and JSON bodies go through the operation's pydantic models (422
naming the fields), bodies are read up to the size limit (413), and callers are authenticated unless
the operation is public.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import orjson
from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from vitesse.api.auth import Principal
from vitesse.api.problems import ApiError, error_response, from_validation, from_vitesse
from vitesse.errors import VitesseError

if TYPE_CHECKING:
    from vitesse.api.hub import Hub

log = logging.getLogger("vitesse.api")
Access = Literal["public", "token", "status"]
Handler = Callable[["Call"], Awaitable[Response]]
QUERY_TOKEN = "access_token"


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    operation_id: str
    summary: str
    handler: Handler
    responses: Mapping[int, type[BaseModel] | None]
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    access: Access = "token"
    streams: bool = False
    """The success response may be `text/event-stream` (asked for with `Accept`)."""
    tag: str = "integrations"
    description: str = ""
    headers: tuple[str, ...] = field(default=())
    """Optional request headers the operation reads (documented as parameters)."""
    query_token: bool = False
    """Also accept the token as `?access_token=` (a browser's EventSource cannot send headers)."""


@dataclass
class Call:
    """One validated request: who calls, the parsed query and body, and the app's services."""

    request: Request
    hub: Hub
    principal: Principal | None
    query: Any
    body: Any

    @property
    def tenant(self) -> str:
        return self.principal.tenant if self.principal else "default"

    @property
    def actor(self) -> str | None:
        return self.principal.subject if self.principal else None

    def param(self, name: str) -> str:
        return str(self.request.path_params[name])

    def wants_stream(self) -> bool:
        return "text/event-stream" in self.request.headers.get("accept", "").lower()


def json_response(model: BaseModel, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return JSONResponse(model.model_dump(mode="json", by_alias=True), status_code=status, headers=headers)


def routes(operations: Iterable[Operation], prefix: str) -> list[Route]:
    """Build one Starlette route per path (so a 405 lists every method of the path) that dispatches by method."""
    by_path: dict[str, dict[str, Operation]] = {}
    for op in operations:
        by_path.setdefault(prefix + op.path, {})[op.method] = op
    return [_route(path, ops) for path, ops in by_path.items()]


def _route(path: str, operations: dict[str, Operation]) -> Route:
    async def endpoint(request: Request) -> Response:
        op = operations["GET" if request.method == "HEAD" else request.method]
        hub: Hub = request.state.vitesse
        try:
            principal = await _principal(op, hub, request)
            query = _query(op.query, request)
            body = await _body(op.body, request, hub.settings.max_request_bytes)
            return await op.handler(Call(request, hub, principal, query, body))
        except ApiError as exc:
            return error_response(exc)
        except VitesseError as exc:
            return error_response(from_vitesse(exc))

    name = "_".join(op.operation_id for op in operations.values())
    return Route(path, endpoint, methods=list(operations), name=name)


async def _principal(op: Operation, hub: Hub, request: Request) -> Principal | None:
    if op.access == "public" or (op.access == "status" and hub.settings.public_status):
        return None
    header = request.headers.get("authorization")
    if header is None and op.query_token and request.query_params.get(QUERY_TOKEN):
        header = f"Bearer {request.query_params[QUERY_TOKEN]}"
    return await hub.auth.authenticate(header)


def _query(model: type[BaseModel] | None, request: Request) -> Any:
    if model is None:
        return None
    try:
        return model.model_validate(dict(request.query_params))
    except ValidationError as exc:
        raise from_validation(exc, "query") from None


async def _body(model: type[BaseModel] | None, request: Request, limit: int) -> Any:
    if model is None:
        return None
    media = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if media != "application/json":
        raise ApiError(415, "unsupported_media_type", f"Send the body as application/json, not {media or 'nothing'}")
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > limit:
            raise ApiError(413, "too_large", f"The body is larger than the limit of {limit} bytes")
    if not raw.strip():
        raise ApiError(422, "validation_failed", "body: a JSON object is required")
    try:
        data = orjson.loads(bytes(raw))
    except orjson.JSONDecodeError as exc:
        raise ApiError(400, "malformed_json", f"The body is not valid JSON: {exc}") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise from_validation(exc, "body") from None
