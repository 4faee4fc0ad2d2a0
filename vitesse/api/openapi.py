"""Write the API's OpenAPI 3.1 document from the operation table and the pydantic models the routes use."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

import vitesse
from vitesse.api.endpoint import Operation
from vitesse.api.responses import ErrorResponse

REF = "#/components/schemas/{model}"
PATH_PARAM = re.compile(r"{([^}]+)}")
ERROR_TEXT = {
    400: "The body is not valid JSON.",
    401: "No valid token: send Authorization: Bearer <JWT or API key>.",
    404: "No such integration for the caller's tenant.",
    409: "The integration's state does not allow this now.",
    413: "The body is larger than the limit.",
    415: "The body is not application/json.",
    422: "A field is invalid; `fields` names each one.",
    429: "Too many requests from this caller (when VITESSE_RATE_LIMIT is set): retry after Retry-After seconds.",
    502: "A deployment or runtime did not answer as expected.",
}
EXTRA_ERRORS = {
    "createIntegration": (409,),
    "updateIntegration": (409,),
    "reviewIntegration": (409,),
    "syncIntegration": (409, 502),
    "deleteIntegration": (502,),
    "streamIntegrationEvents": (422,),
}


def _errors(op: Operation, path: str) -> list[int]:
    codes = set(EXTRA_ERRORS.get(op.operation_id, ()))
    if op.access != "public":
        codes |= {401, 429}
    if "{integration_id}" in path:
        codes.add(404)
    if op.query is not None:
        codes.add(422)
    if op.body is not None:
        codes |= {400, 413, 415, 422}
    return sorted(codes)


def _models(operations: list[tuple[str, Operation]]) -> tuple[dict[Any, Any], dict[str, Any]]:
    inputs: set[type[BaseModel]] = set()
    outputs: set[type[BaseModel]] = {ErrorResponse}
    for _, op in operations:
        inputs |= {m for m in (op.body, op.query) if m is not None}
        outputs |= {m for m in op.responses.values() if m is not None}
    keys = [(m, "validation") for m in sorted(inputs, key=lambda m: m.__name__)]
    keys += [(m, "serialization") for m in sorted(outputs, key=lambda m: m.__name__)]
    refs, schema = models_json_schema(keys, ref_template=REF)  # type: ignore[arg-type]
    return refs, schema.get("$defs", {})


def _parameters(op: Operation, path: str, refs: dict[Any, Any], defs: dict[str, Any]) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
        for name in PATH_PARAM.findall(path)
    ]
    if op.query is not None:
        query = defs[refs[(op.query, "validation")]["$ref"].rsplit("/", 1)[-1]]
        required = set(query.get("required", ()))
        for name, schema in query.get("properties", {}).items():
            param = {"name": name, "in": "query", "required": name in required, "schema": schema}
            if "description" in schema:
                param["description"] = schema["description"]
            params.append(param)
    for header in op.headers:
        schema = {"type": "string", "pattern": "^[0-9]{1,9}$"}
        params.append({"name": header, "in": "header", "required": False, "schema": schema})
    return params


def _success(op: Operation, model: type[BaseModel] | None, refs: dict[Any, Any]) -> dict[str, Any]:
    content: dict[str, Any] = {}
    if model is not None:
        content["application/json"] = {"schema": refs[(model, "serialization")]}
    elif op.operation_id == "metrics":
        content["text/plain"] = {"schema": {"type": "string"}}
    elif op.operation_id == "openapi":
        content["application/json"] = {"schema": {"type": "object"}}
    if op.streams:
        content["text/event-stream"] = {"schema": {"type": "string"}}
    return {"description": op.summary, "content": content}


def _operation(op: Operation, path: str, refs: dict[Any, Any], defs: dict[str, Any], public: bool) -> dict[str, Any]:
    responses: dict[str, Any] = {str(code): _success(op, model, refs) for code, model in op.responses.items()}
    error = {"application/json": {"schema": refs[(ErrorResponse, "serialization")]}}
    for code in _errors(op, path):
        responses.setdefault(str(code), {"description": ERROR_TEXT[code], "content": error})
    doc: dict[str, Any] = {
        "operationId": op.operation_id,
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": _parameters(op, path, refs, defs),
        "responses": responses,
    }
    if op.description:
        doc["description"] = op.description
    if op.body is not None:
        doc["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[(op.body, "validation")]}},
        }
    if op.access == "public" or (op.access == "status" and public):
        doc["security"] = []
    elif op.query_token:
        doc["security"] = [{"bearerAuth": []}, {"queryToken": []}]
    return doc


def build_document(operations: list[tuple[str, Operation]], *, public_status: bool = False) -> dict[str, Any]:
    """Return the OpenAPI 3.1 document of these (full path, operation) pairs."""
    refs, defs = _models(operations)
    paths: dict[str, dict[str, Any]] = {}
    for path, op in operations:
        paths.setdefault(path, {})[op.method.lower()] = _operation(op, path, refs, defs, public_status)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Vitesse API",
            "version": vitesse.__version__,
            "description": "Create, prove, deploy and watch integrations between two APIs.",
        },
        "paths": paths,
        "components": {
            "schemas": defs,
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT (HS256, JWT_SECRET) or an API key vk_…",
                },
                "queryToken": {"type": "apiKey", "in": "query", "name": "access_token"},
            },
        },
        "security": [{"bearerAuth": []}],
        "tags": [{"name": "integrations"}, {"name": "system"}],
    }


@lru_cache(maxsize=2)
def openapi_document(public_status: bool = False) -> dict[str, Any]:
    """The document of the API this package serves (cached; it depends only on the code and one setting)."""
    from vitesse.api.table import API_PREFIX, INTEGRATION_OPERATIONS, ROOT_OPERATIONS

    pairs = [(API_PREFIX + op.path, op) for op in INTEGRATION_OPERATIONS]
    pairs += [(op.path, op) for op in ROOT_OPERATIONS]
    return build_document(pairs, public_status=public_status)
