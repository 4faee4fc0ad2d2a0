"""Check a payload against the destination's request schema before sending it, field by field.

The destination's own answer says *that* a field was refused; the schema says exactly what it wants
(the pattern, the enum values, the length), so local validation gives the heal loop sharper input.
Schemas go through the sandbox's converter (`vitesse.sandbox.schema`), so nullable, 3.1 type lists
and readOnly rules are read the same way the sandbox reads them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from jsonschema import ValidationError

from vitesse.graph.guardian.rejections import Rejection, excerpt, normalise_field_path
from vitesse.sandbox.schema import SchemaSet
from vitesse.schemas import APISpecification, Endpoint, Field, IssueKind

__all__ = ["E164_PATTERN", "LocalValidator", "describe_expected"]

E164_PATTERN = r"^\+[1-9]\d{1,14}$"
_REQUIRED = re.compile(r"^'(.+)' is a required property$")
_KINDS: dict[str, IssueKind] = {
    "required": IssueKind.MISSING_REQUIRED,
    "type": IssueKind.TYPE_MISMATCH,
    "enum": IssueKind.ENUM,
    "const": IssueKind.ENUM,
    "pattern": IssueKind.PATTERN,
    "format": IssueKind.FORMAT,
    "minLength": IssueKind.LENGTH,
    "maxLength": IssueKind.LENGTH,
    "minItems": IssueKind.LENGTH,
    "maxItems": IssueKind.LENGTH,
    "minimum": IssueKind.RANGE,
    "maximum": IssueKind.RANGE,
    "exclusiveMinimum": IssueKind.RANGE,
    "exclusiveMaximum": IssueKind.RANGE,
    "multipleOf": IssueKind.RANGE,
    "additionalProperties": IssueKind.UNKNOWN_FIELD,
    "unevaluatedProperties": IssueKind.UNKNOWN_FIELD,
}
_FORMAT_WORDS = {
    "email": "an email address",
    "date-time": "an RFC 3339 date-time (2024-05-01T12:00:00Z)",
    "date": "a date (2024-05-01)",
    "uri": "an absolute URI",
    "uuid": "a UUID",
    "hostname": "a host name",
    "ipv4": "an IPv4 address",
    "int64": "a 64-bit integer",
    "int32": "a 32-bit integer",
}


def describe_expected(keyword: str, value: Any, field: Field | None = None) -> str:
    """Word what a schema keyword asks for: `must match <pattern> (E.164)`, `one of A, B`, `at most 80 characters`."""
    if keyword == "pattern":
        hint = " (E.164)" if _is_e164(str(value), field) else ""
        return f"must match {value}{hint}"
    if keyword == "format":
        return f"{_FORMAT_WORDS.get(str(value), 'format ' + str(value))}"
    if keyword == "enum":
        return "one of " + ", ".join(str(v) for v in value)
    if keyword == "const":
        return f"exactly {value!r}"
    if keyword == "type":
        return " or ".join(value) if isinstance(value, list) else str(value)
    words = {
        "minLength": f"at least {value} characters",
        "maxLength": f"at most {value} characters",
        "minItems": f"at least {value} items",
        "maxItems": f"at most {value} items",
        "minimum": f"≥ {value}",
        "maximum": f"≤ {value}",
        "exclusiveMinimum": f"> {value}",
        "exclusiveMaximum": f"< {value}",
        "multipleOf": f"a multiple of {value}",
        "required": "a value (the field is required)",
    }
    return words.get(keyword, f"{keyword} {value}")


def _is_e164(pattern: str, field: Field | None) -> bool:
    text = f"{(field.description or '') if field else ''}".lower()
    return pattern == E164_PATTERN or "e.164" in text or "e164" in text


class LocalValidator:
    """Validate request bodies for one destination endpoint; None-safe when it has no body schema."""

    def __init__(self, spec: APISpecification, endpoint: Endpoint, wrapper: str | None = None) -> None:
        body = endpoint.request_body
        self.wrapper = wrapper
        self.fields = {f.path: f for f in endpoint.body_fields()}
        self._validator = None
        if body is not None and body.schema_ and "json" in (body.content_type or "json"):
            self._validator = SchemaSet(spec.schemas).validator(body.schema_, "request")

    @property
    def active(self) -> bool:
        return self._validator is not None

    def check(self, body: Any) -> list[Rejection]:
        """Return every field of this body that breaks the schema (empty when it conforms)."""
        if self._validator is None:
            return []
        found: list[Rejection] = []
        for error in self._validator.iter_errors(body):
            found.extend(self._explain(error))
        return found

    def _field(self, path: str) -> Field | None:
        if path in self.fields:
            return self.fields[path]
        prefix = (self.wrapper.rstrip(".") + ".") if self.wrapper else ""
        return self.fields.get(prefix + path)

    def _explain(self, error: ValidationError) -> Iterator[Rejection]:
        if error.validator in ("anyOf", "oneOf") and error.context:
            for sub in _best_branch(error.context):
                yield from self._explain(sub)
            return
        base = list(error.absolute_path)
        keyword = str(error.validator)
        names: list[str | None] = list(_names(error, keyword)) or [None]
        for name in names:
            path, index = normalise_field_path([*base, name] if name else base, self.wrapper)
            if not path:
                continue
            yield self._rejection(error, keyword, path, index)

    def _rejection(self, error: ValidationError, keyword: str, path: str, index: int | None) -> Rejection:
        kind = _KINDS.get(keyword, IssueKind.REJECTED)
        field = self._field(path)
        expected = describe_expected(keyword, error.validator_value, field)
        if kind is IssueKind.MISSING_REQUIRED:
            observed = "missing"
        elif kind is IssueKind.UNKNOWN_FIELD:
            observed = "present"
        else:
            observed = excerpt(error.instance, path)
        allowed = (
            list(error.validator_value)
            if keyword == "enum"
            else [error.validator_value]
            if keyword == "const"
            else None
        )
        if kind is IssueKind.UNKNOWN_FIELD:
            expected = "not accepted by the destination"
        message = f"{path}: expected {expected}, got {observed}"
        return Rejection(path, kind, message, expected, observed, allowed, index)


def _names(error: ValidationError, keyword: str) -> list[str]:
    """The property names a `required` or `additionalProperties` error is about."""
    instance = error.instance if isinstance(error.instance, dict) else {}
    if keyword == "required":
        match = _REQUIRED.match(error.message)
        if match:
            return [match.group(1)]
        return [n for n in error.validator_value if n not in instance]
    if keyword in ("additionalProperties", "unevaluatedProperties"):
        known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        return [k for k in instance if k not in known]
    return []


def _best_branch(context: list[ValidationError]) -> list[ValidationError]:
    """Of a union's failed branches, keep the one that explains the failure best (nulls aside)."""
    branches: dict[Any, list[ValidationError]] = {}
    for sub in context:
        branches.setdefault(sub.relative_schema_path[0] if sub.relative_schema_path else 0, []).append(sub)
    real = [errs for errs in branches.values() if not all(_null_only(e) for e in errs)]
    if not real:
        return context[:1]
    return min(real, key=len)


def _null_only(error: ValidationError) -> bool:
    return bool(error.validator == "type" and error.validator_value == "null")
