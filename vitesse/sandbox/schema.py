"""Turn the Ingestor's normalised schemas into resolvable JSON Schema (2020-12) and validate with it.

The conversion: `#/schemas/NAME` refs become `#/$defs/NAME` with every named schema under `$defs`;
`nullable: true` becomes `anyOf: [{type: null}, …]` (so it also reaches through refs and
combinators); 3.1 multi-type arrays (`x-vitesse-types`) become `type` lists; 3.0 boolean
`exclusiveMinimum`/`exclusiveMaximum` become their numeric 2020-12 form; patterns Python cannot
compile are dropped; OpenAPI-only keywords (discriminator, xml, example, x-…) are dropped. In
`response` mode a required writeOnly property is not required, in `request` mode a readOnly one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from jsonschema import Draft202012Validator, FormatChecker

from vitesse.graph.guardian.synthetic import FORMAT_CHECKS, declared_types, discriminator_keys, pattern_compiles
from vitesse.graph.ingestor.schema import REF_PREFIX, resolve

Mode = Literal["request", "response"]
DEFS_PREFIX = "#/$defs/"
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_ONES = (
    "items", "additionalProperties", "not", "contains", "additionalItems", "unevaluatedProperties",
    "unevaluatedItems", "propertyNames", "if", "then", "else",
)  # fmt: skip
_DROPPED = frozenset(
    {
        "nullable", "discriminator", "xml", "externalDocs", "example", "examples", "$schema", "$id", "id",
        "$anchor", "$dynamicAnchor", "$dynamicRef", "$comment", "deprecated", "x-vitesse-types", "readOnly",
        "writeOnly", "title", "description", "default", "$ref", "type", "exclusiveMinimum", "exclusiveMaximum",
        "required", "pattern",
    }
)  # fmt: skip


def format_checker() -> FormatChecker:
    """Return a FormatChecker for the formats Vitesse checks (the same predicates as the generator)."""
    checker = FormatChecker(formats=())
    for name, check in FORMAT_CHECKS.items():
        checker.checks(name)(_strings_only(check))
    return checker


def _strings_only(check: Any) -> Any:
    return lambda value: not isinstance(value, str) or check(value)


class Converter:
    """Convert nodes of one spec's schemas for one mode (request or response)."""

    def __init__(self, schemas: Mapping[str, dict[str, Any]], mode: Mode) -> None:
        self.schemas = schemas
        self.mode = mode
        self.refs: set[str] = set()
        """Names of the schemas the converted nodes refer to."""

    def convert(self, node: Any) -> Any:
        if isinstance(node, bool):
            return node
        if not isinstance(node, Mapping):
            return {}
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in _DROPPED or key.startswith("x-"):
                continue
            out[key] = self._keyword(key, value)
        self._discriminate(node, out)
        self._type(node, out)
        self._bounds(node, out)
        self._required(node, out)
        if isinstance(node.get("pattern"), str) and pattern_compiles(node["pattern"]):
            out["pattern"] = node["pattern"]
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(REF_PREFIX):
            self.refs.add(ref[len(REF_PREFIX) :])
            out["$ref"] = DEFS_PREFIX + _escape(ref[len(REF_PREFIX) :])
        if node.get("nullable") is True:
            return {"anyOf": [{"type": "null"}, out]}
        return out

    def _keyword(self, key: str, value: Any) -> Any:
        if key in _SCHEMA_MAPS and isinstance(value, Mapping):
            return {k: self.convert(v) for k, v in value.items()}
        if key in _SCHEMA_LISTS and isinstance(value, list):
            return [self.convert(v) for v in value]
        if key in _SCHEMA_ONES:
            return self.convert(value)
        return value

    def _discriminate(self, node: Mapping[str, Any], out: dict[str, Any]) -> None:
        """Make a discriminator select its alternative, as OpenAPI means it (JSON Schema ignores it)."""
        disc = node.get("discriminator")
        prop = disc.get("propertyName") if isinstance(disc, Mapping) else None
        if not isinstance(prop, str):
            return
        for key in ("oneOf", "anyOf"):
            alts = node.get(key)
            if not isinstance(alts, list) or not alts or not all(isinstance(a, dict) and "$ref" in a for a in alts):
                continue
            out[key] = [
                {"allOf": [self.convert(alt), {"properties": {prop: {"enum": discriminator_keys(node, alt)}}}],
                 "required": [prop]}
                for alt in alts
            ]  # fmt: skip

    def _type(self, node: Mapping[str, Any], out: dict[str, Any]) -> None:
        types = declared_types(node)
        if types:
            out["type"] = types[0] if len(types) == 1 else types

    def _bounds(self, node: Mapping[str, Any], out: dict[str, Any]) -> None:
        for exclusive, plain in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
            value = node.get(exclusive)
            if value is True and plain in node:
                out[exclusive] = node[plain]
                out.pop(plain, None)
            elif isinstance(value, int | float) and not isinstance(value, bool):
                out[exclusive] = value

    def _required(self, node: Mapping[str, Any], out: dict[str, Any]) -> None:
        required = node.get("required")
        if not isinstance(required, list):
            return
        found = node.get("properties")
        props: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
        skip = "readOnly" if self.mode == "request" else "writeOnly"
        kept = [r for r in required if isinstance(r, str) and not self._flagged(props.get(r), skip)]
        if kept:
            out["required"] = kept

    def _flagged(self, prop: Any, flag: str) -> bool:
        if not isinstance(prop, dict):
            return False
        target, _ = resolve(prop, self.schemas)
        return bool(prop.get(flag) or target.get(flag))


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


class SchemaSet:
    """One spec's schemas as JSON Schema: the converted `$defs` per mode, and cached validators."""

    def __init__(self, schemas: Mapping[str, dict[str, Any]]) -> None:
        self.schemas = schemas
        self._converted: dict[tuple[str, str], tuple[Any, set[str]]] = {}
        self._validators: dict[tuple[int, str], tuple[Any, Draft202012Validator]] = {}
        self._checker = format_checker()

    def _named(self, name: str, mode: Mode) -> tuple[Any, set[str]]:
        key = (mode, name)
        if key not in self._converted:
            converter = Converter(self.schemas, mode)
            self._converted[key] = (converter.convert(self.schemas.get(name, {})), converter.refs)
        return self._converted[key]

    def defs(self, mode: Mode, roots: set[str] | None = None) -> dict[str, Any]:
        """The converted named schemas: all of them, or those reachable from `roots`."""
        pending = set(self.schemas) if roots is None else set(roots)
        out: dict[str, Any] = {}
        while pending:
            name = pending.pop()
            if name in out:
                continue
            out[name], refs = self._named(name, mode)
            pending |= refs - out.keys()
        return out

    def json_schema(self, schema: Mapping[str, Any] | None, mode: Mode = "response") -> dict[str, Any]:
        """Return a self-contained JSON Schema (with the `$defs` it reaches) for a normalised schema node."""
        converter = Converter(self.schemas, mode)
        root = converter.convert(dict(schema or {}))
        if not isinstance(root, dict):
            root = {} if root else {"not": {}}
        defs = self.defs(mode, converter.refs)
        return {"$schema": "https://json-schema.org/draft/2020-12/schema", **root, "$defs": defs}

    def validator(self, schema: Mapping[str, Any] | None, mode: Mode = "response") -> Draft202012Validator:
        """Return a (cached) validator for a normalised schema node, formats checked."""
        key = (id(schema), mode)
        hit = self._validators.get(key)
        if hit is not None and hit[0] is schema:
            return hit[1]
        validator = Draft202012Validator(self.json_schema(schema, mode), format_checker=self._checker)
        self._validators[key] = (schema, validator)
        return validator


def to_json_schema(
    schema: Mapping[str, Any] | None, schemas: Mapping[str, dict[str, Any]], *, mode: Mode = "response"
) -> dict[str, Any]:
    """Convert one normalised schema (and the named schemas it refers to) into resolvable JSON Schema."""
    return SchemaSet(schemas).json_schema(schema, mode)
