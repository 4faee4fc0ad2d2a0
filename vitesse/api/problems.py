"""Turn what goes wrong in a request into one JSON error shape with a stable code and a message to act on."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from vitesse.api.responses import ErrorResponse, FieldProblem
from vitesse.errors import ConfigError, DeployError, NetworkError, NotFoundError, PersistenceError, VitesseError

log = logging.getLogger("vitesse.api")


class ApiError(Exception):
    """An error the API answers with a given status, code and message."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        fields: Iterable[FieldProblem] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = list(fields)
        self.headers = dict(headers or {})


def unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": 'Bearer realm="vitesse"'})


def not_found(integration_id: str) -> ApiError:
    return ApiError(404, "not_found", f"Integration {integration_id!r} does not exist (or belongs to another tenant)")


def conflict(message: str) -> ApiError:
    return ApiError(409, "conflict", message)


def invalid(field: str, message: str) -> ApiError:
    return ApiError(
        422, "validation_failed", f"{field}: {message}", fields=[FieldProblem(field=field, message=message)]
    )


def from_validation(exc: ValidationError, where: str) -> ApiError:
    """A 422 naming every field pydantic refused (`body.source_api_url`, `query.limit`)."""
    problems = [
        FieldProblem(field=".".join([where, *(str(p) for p in e["loc"])]), message=e["msg"]) for e in exc.errors()
    ]
    text = "; ".join(f"{p.field}: {p.message}" for p in problems[:5])
    return ApiError(422, "validation_failed", f"Invalid request: {text}", fields=problems)


def error_response(error: ApiError) -> Response:
    body = ErrorResponse(error=error.code, message=error.message, fields=error.fields)
    return JSONResponse(body.model_dump(mode="json"), status_code=error.status, headers=error.headers)


def from_vitesse(exc: VitesseError) -> ApiError:
    """Map our own error tree onto statuses: missing → 404, bad config → 422, deploy/network → 502, db → 503."""
    if isinstance(exc, NotFoundError):
        return ApiError(404, "not_found", str(exc))
    if isinstance(exc, ConfigError):
        return ApiError(422, "invalid_configuration", str(exc))
    if isinstance(exc, DeployError | NetworkError):
        return ApiError(502, "upstream_failed", str(exc))
    if isinstance(exc, PersistenceError):
        return ApiError(503, "database_unavailable", str(exc))
    return ApiError(400, "bad_request", str(exc))


async def handle_api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc)


async def handle_vitesse_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, VitesseError)
    error = from_vitesse(exc)
    if error.status >= 500:
        log.warning("%s %s: %s", request.method, request.url.path, error.message)
    return error_response(error)


async def handle_unexpected(request: Request, exc: Exception) -> Response:
    # The traceback goes to the log (our messages carry no secrets); the client gets no internals.
    log.error("%s %s failed: %s", request.method, request.url.path, type(exc).__name__, exc_info=exc)
    return error_response(ApiError(500, "internal_error", "The server failed to answer; the error is in its log"))


EXCEPTION_HANDLERS: dict[Any, Any] = {
    ApiError: handle_api_error,
    VitesseError: handle_vitesse_error,
    Exception: handle_unexpected,
}
