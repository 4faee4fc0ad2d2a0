"""Write error bodies in the API's own declared shape, naming every offending field.

When the operation (or its `default`) declares a schema for the status, a body is generated from
it and its slots are filled by name: message-like strings (`message`, `detail`, `error` …) get the
summary, a code-like string (`code`, `type`) the machine code (or the closest enum value, such as
the shop's `validation_error`), a status-like integer the status, and an array whose items have a
field-like property (`field`, `path`, `param` …) one item per `FieldError` — at the top or one
object down (`{"error": {"fields": [...]}}`). The filled body must still satisfy the schema;
otherwise fewer slots are filled. Without a declared schema the body is the generic
`{"error": message, "errors": [{"field", "code", "message"}]}`.
"""

from __future__ import annotations

from random import Random
from typing import Any

from vitesse.graph.guardian.synthetic import SchemaView, conforms, declared_types, generate_value
from vitesse.sandbox._fielderrors import FieldError
from vitesse.schemas import Endpoint

MESSAGE_KEYS = ("message", "msg", "detail", "error_description", "error_message", "description", "title", "error")
FIELD_KEYS = ("field", "path", "param", "parameter", "property", "pointer", "attribute", "loc", "name", "key")
CODE_KEYS = ("code", "type", "error_code", "errorcode", "reason", "kind")
STATUS_KEYS = ("status", "status_code", "statuscode", "http_status", "httpstatus", "code")
CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 415: "unsupported_media_type", 422: "validation_error", 429: "rate_limited",
}  # fmt: skip
_ENUM_HINTS = {
    400: ("invalid_request", "validation", "invalid", "bad_request"),
    401: ("authentication", "unauthorized", "unauthenticated", "auth"),
    403: ("forbidden", "permission", "authorization", "auth"),
    404: ("not_found", "notfound", "missing"),
    409: ("conflict", "duplicate", "invalid_request"),
    422: ("validation", "invalid", "unprocessable"),
    429: ("rate_limit", "too_many", "throttl", "limit"),
}


def code_for(status: int) -> str:
    return CODES.get(status, "server_error" if status >= 500 else "error")


def response_schema(endpoint: Endpoint | None, status: int) -> dict[str, Any] | None:
    """The schema the operation declares for this status (exact, `4XX`, then `default`)."""
    if endpoint is None:
        return None
    by_status = {r.status.upper(): r for r in endpoint.responses}
    for key in (str(status), f"{str(status)[0]}XX", "DEFAULT"):
        found = by_status.get(key)
        if found is not None and found.schema_:
            return found.schema_
    return None


class ErrorWriter:
    """Build error bodies for one spec."""

    def __init__(self, schemas: dict[str, dict[str, Any]], seed: int) -> None:
        self.schemas = schemas
        self.view = SchemaView(schemas)
        self.seed = seed

    def body(self, endpoint: Endpoint | None, status: int, message: str, errors: list[FieldError] = ()) -> Any:  # type: ignore[assignment]
        errors = list(errors)
        if errors:
            message = f"{message}: " + "; ".join(f"{e.field} {e.message}" for e in errors[:10])
        schema = response_schema(endpoint, status)
        if schema is None:
            generic: dict[str, Any] = {"error": message, "code": code_for(status)}
            if errors:
                generic["errors"] = [e.as_dict() for e in errors]
            return generic
        base = generate_value(schema, self.schemas, Random(f"{self.seed}:error:{status}"))
        for fill_list in (True, False):
            body = _copy(base)
            if isinstance(body, dict):
                self._fill(body, schema, status, message, errors if fill_list else [], 0)
            elif isinstance(body, str):
                body = message
            if conforms(body, schema, self.schemas, mode="read"):
                return body
        return base

    def _fill(
        self, body: dict[str, Any], schema: Any, status: int, message: str, errors: list[FieldError], depth: int
    ) -> None:
        resolved, _ = self.view.resolve(schema)
        props = resolved.get("properties")
        props = props if isinstance(props, dict) else {}
        for name, prop in props.items():
            target, _ = self.view.resolve(prop)
            kinds = declared_types(target)
            key = name.lower()
            if "array" in kinds and self._field_items(target):
                if errors:
                    body[name] = [self._item(target.get("items"), e, depth) for e in errors]
                elif name in (resolved.get("required") or []):
                    body[name] = []
                else:
                    body.pop(name, None)
            elif "object" in kinds and depth < 2 and key not in ("data", "meta", "links"):
                current = body.get(name)
                inner: dict[str, Any] = current if isinstance(current, dict) else {}
                self._fill(inner, prop, status, message, errors, depth + 1)
                body[name] = inner
            elif "string" in kinds and key in MESSAGE_KEYS and not target.get("enum"):
                body[name] = message
            elif "string" in kinds and key in CODE_KEYS:
                body[name] = _pick_code(target, status)
            elif "integer" in kinds and key in STATUS_KEYS:
                body[name] = status

    def _field_items(self, array_schema: dict[str, Any]) -> bool:
        items, _ = self.view.resolve(array_schema.get("items"))
        props = items.get("properties")
        props = props if isinstance(props, dict) else {}
        return any(k.lower() in FIELD_KEYS for k in props)

    def _item(self, item_schema: Any, error: FieldError, depth: int) -> dict[str, Any]:
        resolved, _ = self.view.resolve(item_schema)
        item = generate_value(item_schema or {}, self.schemas, Random(f"{self.seed}:item:{error.field}"))
        item = item if isinstance(item, dict) else {}
        props = resolved.get("properties")
        props = props if isinstance(props, dict) else {}
        for name, prop in props.items():
            key = name.lower()
            kinds = declared_types(self.view.resolve(prop)[0])
            if key in FIELD_KEYS and "array" in kinds:
                item[name] = [p for p in error.field.replace("[", ".").replace("]", "").split(".") if p]
            elif key in FIELD_KEYS:
                item[name] = error.field
            elif key in CODE_KEYS:
                item[name] = _pick_code(self.view.resolve(prop)[0], 422, error.code)
            elif key in MESSAGE_KEYS:
                item[name] = error.message
        return item


def _pick_code(schema: dict[str, Any], status: int, wanted: str | None = None) -> Any:
    enum = schema.get("enum")
    wanted = wanted or code_for(status)
    if not isinstance(enum, list) or not enum:
        return wanted
    texts = [str(e).lower() for e in enum]
    if wanted.lower() in texts:
        return enum[texts.index(wanted.lower())]
    hints = _ENUM_HINTS.get(status, ("api", "server", "internal", "error"))
    for hint in hints:
        for value, text in zip(enum, texts, strict=True):
            if hint in text:
                return value
    return enum[0]


def _copy(value: Any) -> Any:
    import copy

    return copy.deepcopy(value)
