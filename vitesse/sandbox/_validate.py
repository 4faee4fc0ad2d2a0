"""Read a request's parameters and body the way the spec declares them, and validate them.

Query, path and header values arrive as text and are coerced to the parameter's schema type
(`"25"` → 25, `"true"` → True, `a,b` or repeated keys → a list) before validation, so a bad value
reports as `invalid_type`. JSON bodies are parsed as JSON; form bodies (`a[b][0]=x`, Stripe style)
are unflattened into objects and lists and coerced the same way. Every problem becomes a
`FieldError`; the caller picks the status (400 for parameters, 422 for bodies, 415 for a wrong
content type when the spec declares it).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request

from vitesse.graph.guardian.synthetic import SchemaView, declared_types
from vitesse.graph.ingestor.schema import alternatives
from vitesse.sandbox._fielderrors import FieldError, field_errors
from vitesse.sandbox.schema import SchemaSet
from vitesse.schemas import Endpoint, ParameterLocation

SKIPPED_HEADERS = frozenset({"accept", "content-type", "authorization", "content-length"})
_INT = re.compile(r"^-?\d+$")
_NUMBER = re.compile(r"^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
_BRACKETS = re.compile(r"\[([^\[\]]*)\]")


@dataclass
class Checked:
    """A request as the operation sees it, and what was wrong with it."""

    params: dict[str, Any] = field(default_factory=dict)
    body: Any = None
    param_errors: list[FieldError] = field(default_factory=list)
    body_errors: list[FieldError] = field(default_factory=list)
    malformed: FieldError | None = None
    """Unreadable JSON, or a content type the operation does not take."""
    wrong_content_type: bool = False


class RequestValidator:
    """Validate requests against one spec's operations."""

    def __init__(self, schema_set: SchemaSet) -> None:
        self.schemas = schema_set
        self.view = SchemaView(schema_set.schemas)

    async def check(self, request: Request, endpoint: Endpoint, path_values: dict[str, str]) -> Checked:
        checked = Checked()
        self._params(request, endpoint, path_values, checked)
        await self._body(request, endpoint, checked)
        return checked

    # -- parameters ----------------------------------------------------------------------------------

    def _params(self, request: Request, endpoint: Endpoint, path_values: dict[str, str], out: Checked) -> None:
        for param in endpoint.parameters:
            raw = _raw_param(request, param.location, param.name, path_values)
            if raw is None:
                if param.required and param.name.lower() not in SKIPPED_HEADERS:
                    out.param_errors.append(FieldError(param.name, "required", "is required"))
                continue
            if param.location == ParameterLocation.HEADER and param.name.lower() in SKIPPED_HEADERS:
                continue
            schema = param.schema_ or {"type": param.type}
            value = self.coerce(raw, schema)
            out.params[param.name] = value
            validator = self.schemas.validator(schema, "request")
            out.param_errors.extend(field_errors(validator, value, prefix=param.name))

    # -- body ----------------------------------------------------------------------------------------

    async def _body(self, request: Request, endpoint: Endpoint, out: Checked) -> None:
        body = endpoint.request_body
        raw = await request.body()
        if body is None:
            out.body = _lenient_json(raw)
            return
        if not raw.strip():
            if body.required:
                out.body_errors.append(FieldError("body", "required", "a request body is required"))
            return
        expected = body.content_type.split(";")[0].strip().lower()
        sent = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
        if _is_json(expected):
            await self._json_body(raw, sent, expected, body.schema_, out)
        elif expected in ("application/x-www-form-urlencoded", "multipart/form-data"):
            await self._form_body(request, raw, sent, expected, body.schema_, out)
        else:
            out.body = raw

    async def _json_body(self, raw: bytes, sent: str, expected: str, schema: Any, out: Checked) -> None:
        if sent and not _is_json(sent):
            out.wrong_content_type = True
            out.malformed = FieldError("Content-Type", "invalid_content_type", f"must be {expected}, not {sent}")
            return
        try:
            out.body = json.loads(raw)
        except ValueError as exc:
            out.malformed = FieldError("body", "invalid_json", f"is not valid JSON ({exc.__class__.__name__})")
            return
        if schema:
            out.body_errors.extend(field_errors(self.schemas.validator(schema, "request"), out.body))

    async def _form_body(
        self, request: Request, raw: bytes, sent: str, expected: str, schema: Any, out: Checked
    ) -> None:
        if sent not in ("application/x-www-form-urlencoded", "multipart/form-data"):
            out.wrong_content_type = True
            out.malformed = FieldError("Content-Type", "invalid_content_type", f"must be {expected}, not {sent}")
            return
        if sent == "multipart/form-data":
            try:
                form = await request.form()
            except AssertionError:  # python-multipart is not installed: take the body unchecked
                out.body = raw
                return
            pairs = [(k, v if isinstance(v, str) else "<file>") for k, v in form.multi_items()]
        else:
            pairs = parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True)
        out.body = self.coerce_tree(unflatten(pairs), schema or {})
        if schema:
            out.body_errors.extend(field_errors(self.schemas.validator(schema, "request"), out.body))

    # -- coercion ------------------------------------------------------------------------------------

    def coerce(self, raw: str | list[str] | dict[str, Any], schema: Any) -> Any:
        """Coerce parameter text to the schema's type (left as text when it does not fit)."""
        resolved, _ = self.view.resolve(schema)
        types = self._types(resolved)
        if isinstance(raw, dict):
            return self.coerce_tree(raw, schema)
        if "object" in types and isinstance(raw, str) and raw.startswith("{"):
            parsed = _lenient_json(raw.encode())
            return parsed if isinstance(parsed, dict) else raw
        if "array" in types:
            parts = raw if isinstance(raw, list) else [p for p in raw.split(",") if p != ""]
            items = resolved.get("items")
            items = items if isinstance(items, dict) else {}
            return [self.coerce(p, items) for p in parts]
        text = raw[0] if isinstance(raw, list) else raw
        return _scalar(text, types)

    def coerce_tree(self, value: Any, schema: Any) -> Any:
        """Coerce an unflattened form value (dicts, lists, text) along its schema."""
        resolved, _ = self.view.resolve(schema)
        types = self._types(resolved)
        if isinstance(value, dict) and "array" in types and all(k.isdigit() for k in value):
            value = [value[k] for k in sorted(value, key=int)]
        if isinstance(value, list):
            items = resolved.get("items")
            items = items if isinstance(items, dict) else {}
            return [self.coerce_tree(v, items) for v in value]
        if isinstance(value, dict):
            props = resolved.get("properties")
            props = props if isinstance(props, dict) else {}
            extra = resolved.get("additionalProperties")
            return {
                k: self.coerce_tree(v, props.get(k, extra if isinstance(extra, dict) else {})) for k, v in value.items()
            }
        return _scalar(value, types) if isinstance(value, str) else value

    def _types(self, resolved: dict[str, Any]) -> list[str]:
        types = declared_types(resolved)
        if types:
            return types
        out: list[str] = []
        for alt in alternatives(resolved):
            out.extend(t for t in declared_types(self.view.resolve(alt)[0]) if t not in out)
        return out


def _raw_param(request: Request, location: ParameterLocation, name: str, values: dict[str, str]) -> Any:
    if location == ParameterLocation.PATH:
        return values.get(name)
    if location == ParameterLocation.QUERY:
        found = request.query_params.getlist(name) or request.query_params.getlist(name + "[]")
        if found:
            return found if len(found) > 1 else found[0]
        nested = [(k, v) for k, v in request.query_params.multi_items() if k.startswith(name + "[")]
        return unflatten(nested).get(name) if nested else None  # deepObject: name[key]=value
    if location == ParameterLocation.HEADER:
        return request.headers.get(name)
    if location == ParameterLocation.COOKIE:
        return request.cookies.get(name)
    return None


def _scalar(text: str, types: list[str]) -> Any:
    for kind in types or ["string"]:
        if kind == "integer" and _INT.match(text):
            return int(text)
        if kind == "number" and _NUMBER.match(text):
            number = float(text)
            return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number
        if kind == "boolean" and text.lower() in ("true", "false", "1", "0"):
            return text.lower() in ("true", "1")
        if kind == "null" and text in ("", "null"):
            return None
        if kind == "string":
            return text
    return text


def unflatten(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Turn `a[b][0]=x&tags[]=y` into `{"a": {"b": {"0": "x"}}, "tags": ["y"]}` (lists by index stay dicts)."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        head = key.split("[", 1)[0]
        parts = [head, *_BRACKETS.findall(key[len(head) :])]
        node: Any = out
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            nxt = parts[index + 1] if not last else None
            if isinstance(node, list):
                if last:
                    node.append(value)
                break
            if last:
                node[part] = value
            else:
                node = node.setdefault(part, [] if nxt == "" else {})
    return out


def _is_json(content_type: str) -> bool:
    return content_type in ("application/json", "text/json", "*/*") or content_type.endswith("+json")


def _lenient_json(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw.strip() else None
    except ValueError:
        return None
