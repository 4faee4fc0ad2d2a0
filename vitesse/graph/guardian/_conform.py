"""Check a value against a normalised schema, fast enough to test every generated candidate.

The checker reads the Ingestor's normalised form directly (refs to `#/schemas/NAME`, `nullable`,
`allOf` merged through `resolve`) and applies the keywords a destination validates: type, enum,
const, lengths, pattern, the formats of `_formats`, ranges, items, required, properties,
additionalProperties and oneOf/anyOf. `mode="read"` ignores required writeOnly properties,
`mode="write"` required readOnly ones, as OpenAPI says.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Literal

from vitesse.graph.guardian._formats import format_ok
from vitesse.graph.guardian._regex import matches
from vitesse.graph.ingestor.schema import Schemas, alternatives, deref, resolve

Mode = Literal["read", "write"] | None
MAX_DEPTH = 48
JSON_TYPES = frozenset({"string", "integer", "number", "boolean", "object", "array", "null"})
TYPE_ALIASES = {
    "float": "number", "double": "number", "decimal": "number", "int": "integer", "long": "integer",
    "bool": "boolean", "str": "string", "text": "string", "dict": "object", "map": "object", "list": "array",
}  # fmt: skip


def declared_types(schema: Mapping[str, Any]) -> list[str]:
    """Return the JSON types a schema declares (aliases such as `float` mapped, unknown names dropped)."""
    many = schema.get("x-vitesse-types")
    raw: list[Any] = many if isinstance(many, list) else [schema.get("type")]
    out = []
    for name in raw:
        if isinstance(name, str):
            name = TYPE_ALIASES.get(name, name)
            if name in JSON_TYPES:
                out.append(name)
    return out


class SchemaView:
    """Resolve normalised schema nodes (refs followed, allOf merged) with a memo by node identity."""

    def __init__(self, schemas: Schemas) -> None:
        self.schemas = schemas
        self._memo: dict[int, tuple[Any, dict[str, Any], list[str]]] = {}
        self._deref_memo: dict[int, tuple[Any, dict[str, Any]]] = {}

    def resolve(self, node: Any) -> tuple[dict[str, Any], list[str]]:
        if not isinstance(node, dict):
            return {}, []
        hit = self._memo.get(id(node))
        if hit is not None and hit[0] is node:
            return hit[1], hit[2]
        resolved, names = resolve(node, self.schemas)
        self._memo[id(node)] = (node, resolved, names)
        return resolved, names

    def deref(self, node: Any) -> dict[str, Any]:
        """Follow refs only (allOf kept), memoised like `resolve`."""
        if not isinstance(node, dict):
            return {}
        hit = self._deref_memo.get(id(node))
        if hit is not None and hit[0] is node:
            return hit[1]
        target, _ = deref(node, self.schemas)
        self._deref_memo[id(node)] = (node, target)
        return target


def json_type(value: Any) -> str:
    """Return the JSON type name of a Python value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    return "object" if isinstance(value, Mapping) else "unknown"


def type_ok(value: Any, wanted: str) -> bool:
    actual = json_type(value)
    if wanted in ("any", "file"):
        return True
    return actual == wanted or (wanted == "number" and actual == "integer")


def json_equal(a: Any, b: Any) -> bool:
    """Compare as JSON does: `True` is not `1`."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    return bool(a == b)


class Checker:
    """Answer `ok(value, schema)` for one spec's schemas."""

    def __init__(self, view: SchemaView, mode: Mode = None) -> None:
        self.view = view
        self.mode = mode

    def ok(self, value: Any, node: Any, depth: int = 0) -> bool:
        if depth > MAX_DEPTH or not isinstance(node, dict):
            return True
        schema = self.view.deref(node)
        if not schema:
            return True
        members = schema.get("allOf")
        if isinstance(members, list) and members:  # each member applies on its own, as JSON Schema says
            if value is None and schema.get("nullable"):
                return True
            own = {k: v for k, v in schema.items() if k != "allOf"}
            return all(self.ok(value, m, depth + 1) for m in members) and self.ok(value, own, depth + 1)
        if value is None and (schema.get("nullable") or schema.get("type") == "null"):
            return True
        if not self._basics(value, schema):
            return False
        return self._alternatives(value, schema, depth) and self._structure(value, schema, depth)

    def _basics(self, value: Any, schema: Mapping[str, Any]) -> bool:
        if "const" in schema and not json_equal(value, schema["const"]):
            return False
        enum = schema.get("enum")
        if isinstance(enum, list) and enum and not any(json_equal(value, e) for e in enum):
            return False
        types = declared_types(schema)
        if types and not any(type_ok(value, t) for t in types):
            return False
        if isinstance(value, str):
            return _string_ok(value, schema)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return _number_ok(value, schema)
        return True

    def _alternatives(self, value: Any, schema: Mapping[str, Any], depth: int) -> bool:
        selected = discriminated(schema, value)
        if selected is not None:
            return bool(selected) and all(self.ok(value, alt, depth + 1) for alt in selected)
        if isinstance(schema.get("anyOf"), list) and schema["anyOf"]:
            if not any(self.ok(value, alt, depth + 1) for alt in schema["anyOf"]):
                return False
        if isinstance(schema.get("oneOf"), list) and schema["oneOf"]:
            if sum(1 for alt in schema["oneOf"] if self.ok(value, alt, depth + 1)) != 1:
                return False
        return True

    def _structure(self, value: Any, schema: Mapping[str, Any], depth: int) -> bool:
        if isinstance(value, list):
            return self._array_ok(value, schema, depth)
        if isinstance(value, Mapping):
            return self._object_ok(value, schema, depth)
        return True

    def _array_ok(self, value: list[Any], schema: Mapping[str, Any], depth: int) -> bool:
        if len(value) < int(schema.get("minItems") or 0):
            return False
        if isinstance(schema.get("maxItems"), int) and len(value) > schema["maxItems"]:
            return False
        if schema.get("uniqueItems") and not _unique(value):
            return False
        items = schema.get("items")
        return not isinstance(items, dict) or all(self.ok(v, items, depth + 1) for v in value)

    def _object_ok(self, value: Mapping[str, Any], schema: Mapping[str, Any], depth: int) -> bool:
        props = schema.get("properties")
        props = props if isinstance(props, dict) else {}
        for name in schema.get("required") or []:
            if name not in value and not self._skippable(props.get(name)):
                return False
        if len(value) < int(schema.get("minProperties") or 0):
            return False
        if isinstance(schema.get("maxProperties"), int) and len(value) > schema["maxProperties"]:
            return False
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            if key in props:
                if not self.ok(item, props[key], depth + 1):
                    return False
            elif extra is False and not _pattern_allows(schema, key):
                return False
            elif isinstance(extra, dict) and not self.ok(item, extra, depth + 1):
                return False
        return True

    def _skippable(self, prop: Any) -> bool:
        if self.mode is None or not isinstance(prop, dict):
            return False
        resolved, _ = self.view.resolve(prop)
        flag = "writeOnly" if self.mode == "read" else "readOnly"
        return bool(prop.get(flag) or resolved.get(flag))


def discriminator_keys(schema: Mapping[str, Any], alt: Any) -> list[str]:
    """Return the discriminator values that select `alt` (mapping keys, else the schema's name)."""
    disc = schema.get("discriminator")
    ref = alt.get("$ref") if isinstance(alt, dict) else None
    if not isinstance(disc, dict) or not isinstance(ref, str):
        return []
    name = ref.rsplit("/", 1)[-1]
    mapping = disc.get("mapping")
    mapping = mapping if isinstance(mapping, dict) else {}
    keys = [str(k) for k, t in mapping.items() if isinstance(t, str) and t.rsplit("/", 1)[-1] == name]
    return keys or [name]


def discriminated(schema: Mapping[str, Any], value: Any) -> list[Any] | None:
    """Pick the alternatives a discriminator selects for this value (None when no discriminator applies)."""
    disc = schema.get("discriminator")
    alts = alternatives(schema)
    if not isinstance(disc, dict) or not isinstance(disc.get("propertyName"), str) or not alts:
        return None
    if not all(isinstance(a, dict) and isinstance(a.get("$ref"), str) for a in alts):
        return None
    if not isinstance(value, Mapping):
        return []
    tag = value.get(disc["propertyName"])
    return [alt for alt in alts if str(tag) in discriminator_keys(schema, alt)]


def _string_ok(value: str, schema: Mapping[str, Any]) -> bool:
    if len(value) < int(schema.get("minLength") or 0):
        return False
    if isinstance(schema.get("maxLength"), int) and len(value) > schema["maxLength"]:
        return False
    pattern = schema.get("pattern")
    if isinstance(pattern, str) and not matches(pattern, value):
        return False
    fmt = schema.get("format")
    return not isinstance(fmt, str) or format_ok(fmt, value)


def _number_ok(value: float, schema: Mapping[str, Any]) -> bool:
    if isinstance(value, float) and not math.isfinite(value):
        return False
    low, high = _number(schema.get("minimum")), _number(schema.get("maximum"))
    ex_low, ex_high = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    if low is not None and (value < low or (ex_low is True and value == low)):
        return False
    if high is not None and (value > high or (ex_high is True and value == high)):
        return False
    ex_low_n, ex_high_n = _number(ex_low), _number(ex_high)
    if ex_low_n is not None and value <= ex_low_n:
        return False
    if ex_high_n is not None and value >= ex_high_n:
        return False
    step = _number(schema.get("multipleOf"))
    return not (step is not None and step > 0 and not _multiple(value, step))


def _number(value: Any) -> float | None:
    return float(value) if _num(value) else None


def _num(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _multiple(value: float, step: float) -> bool:
    quotient = value / step
    return abs(quotient - round(quotient)) < 1e-9


def _unique(values: list[Any]) -> bool:
    seen: list[Any] = []
    for value in values:
        if any(json_equal(value, s) and json_type(value) == json_type(s) for s in seen):
            return False
        seen.append(value)
    return True


def _pattern_allows(schema: Mapping[str, Any], key: str) -> bool:
    patterns = schema.get("patternProperties")
    return isinstance(patterns, dict) and any(matches(p, key) for p in patterns)


def alternatives_of(schema: Mapping[str, Any]) -> list[Any]:
    """Return the oneOf/anyOf members (re-exported for the generator)."""
    return alternatives(schema)
