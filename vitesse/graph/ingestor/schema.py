"""Read normalised schemas: follow `#/schemas/NAME` refs, merge allOf, pick alternatives.

The Ingestor stores every named schema in `APISpecification.schemas` and rewrites each `$ref` to
`#/schemas/NAME`; types are single strings with `nullable: true` for null. These helpers are what
the flattener, the sandbox and the synthetic-data generator use to walk such schemas.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Schema = dict[str, Any]
Schemas = Mapping[str, Schema]

REF_PREFIX = "#/schemas/"
SCALAR_TYPES = frozenset({"string", "integer", "number", "boolean"})
_MAX_REF_HOPS = 32


def ref_name(schema: Mapping[str, Any]) -> str | None:
    """Return the schema name a `{"$ref": "#/schemas/NAME"}` node points at, else None."""
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith(REF_PREFIX):
        return ref[len(REF_PREFIX) :]
    return None


def deref(schema: Any, schemas: Schemas) -> tuple[Schema, list[str]]:
    """Follow a chain of refs; return the target (siblings such as `nullable` kept) and the names passed."""
    if not isinstance(schema, dict):
        return {}, []
    names: list[str] = []
    current: Schema = schema
    while (name := ref_name(current)) is not None and len(names) < _MAX_REF_HOPS:
        if name in names:
            break
        names.append(name)
        target = schemas.get(name)
        if target is None:
            return {"x-vitesse-dangling": name}, names
        siblings = {k: v for k, v in current.items() if k != "$ref"}
        current = {**target, **siblings} if siblings else target
    return current, names


def schema_type(schema: Mapping[str, Any]) -> str | None:
    """Return the schema's JSON type, inferred from its keywords when `type` is absent."""
    declared = schema.get("type")
    if isinstance(declared, str):
        return declared
    if "properties" in schema or "additionalProperties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    if "enum" in schema and schema["enum"]:
        return type_of_value(schema["enum"][0])
    return None


def type_of_value(value: Any) -> str:
    """Return the JSON type of a value (a bool is a boolean, not an integer)."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return "string"


def merge_all_of(schema: Schema, schemas: Schemas, _stack: tuple[str, ...] = ()) -> Schema:
    """Merge `allOf` members (refs followed, cycle-safe) into one schema; other keys of the node win."""
    members = schema.get("allOf")
    if not isinstance(members, list) or not members:
        return schema
    merged: Schema = {}
    properties: dict[str, Any] = {}
    required: list[str] = []
    for member in members:
        target, names = deref(member, schemas)
        if any(n in _stack for n in names):
            continue
        target = merge_all_of(target, schemas, _stack + tuple(names))
        _merge_into(merged, properties, required, target)
    own = {k: v for k, v in schema.items() if k != "allOf"}
    _merge_into(merged, properties, required, own)
    if properties:
        merged["properties"] = properties
        merged.setdefault("type", "object")
    if required:
        merged["required"] = list(dict.fromkeys(required))
    return merged


def _merge_into(merged: Schema, properties: dict[str, Any], required: list[str], part: Mapping[str, Any]) -> None:
    for key, value in part.items():
        if key == "properties" and isinstance(value, dict):
            properties.update(value)
        elif key == "required" and isinstance(value, list):
            required.extend(str(v) for v in value)
        elif key in ("oneOf", "anyOf") and key in merged:
            merged[key] = list(merged[key]) + list(value)
        else:
            merged[key] = value


def resolve(schema: Any, schemas: Schemas) -> tuple[Schema, list[str]]:
    """Deref and merge allOf: the schema a reader should look at, with the ref names passed through."""
    target, names = deref(schema, schemas)
    return merge_all_of(target, schemas, tuple(names)), names


def alternatives(schema: Mapping[str, Any]) -> list[Any]:
    """Return the oneOf/anyOf members of a schema (empty when it has none)."""
    alts: list[Any] = []
    for key in ("oneOf", "anyOf"):
        value = schema.get(key)
        if isinstance(value, list):
            alts.extend(value)
    return alts


def is_null_schema(schema: Mapping[str, Any]) -> bool:
    return schema.get("type") == "null" or schema.get("enum") == [None]


def is_empty_string_enum(schema: Mapping[str, Any]) -> bool:
    """Stripe-style `enum: [""]` alternatives that only allow clearing a field."""
    return schema.get("enum") == [""]
