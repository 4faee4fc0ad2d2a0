"""Flatten a record or request-body schema into `Field`s, the unit the Mapper matches.

Rules (the path convention of the golden mappings): object properties join with `.`; an array of
objects adds `[]` and goes on into its items; an array of plain values, or of objects that declare no
properties, is one leaf `name[]`; a free-form map (`additionalProperties` only) is one leaf at its own
path, unless the spec's examples show its properties, which are then offered as inferred fields;
`allOf` members are merged; for `oneOf`/`anyOf` the object alternatives are used (their properties
united), else the first non-null alternative. A ref already on the current path ends as a leaf, so
cycles stop; depth and field count are capped. In `write` mode readOnly properties are skipped, in
`read` mode writeOnly ones.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ValidationError

from vitesse.graph.ingestor.schema import (
    SCALAR_TYPES,
    Schema,
    Schemas,
    alternatives,
    is_empty_string_enum,
    is_null_schema,
    ref_name,
    resolve,
    schema_type,
    type_of_value,
)
from vitesse.schemas import Field

Mode = Literal["read", "write"]
MAX_DEPTH = 5
USER_DEFINED = re.compile(
    r"custom|meta|attribute|extra|additional|propert|param|option|setting|context|tag|label", re.I
)
MAX_FIELDS = 1500
_LEAF_KEYS = (
    ("format", "format"),
    ("enum", "enum"),
    ("nullable", "nullable"),
    ("description", "description"),
    ("example", "example"),
    ("default", "default"),
    ("readOnly", "read_only"),
    ("writeOnly", "write_only"),
    ("minLength", "min_length"),
    ("maxLength", "max_length"),
    ("minimum", "minimum"),
    ("maximum", "maximum"),
    ("pattern", "pattern"),
)
_BIG = -1  # memo key of the (schema name, depth) pairs known to overflow SUBTREE_CAP
SUBTREE_CAP = 150
"""A nested object with more leaves than this is one leaf: too detailed to map field by field."""


@dataclass
class _Walk:
    schemas: Schemas
    mode: Mode
    max_depth: int
    max_fields: int
    memo: dict[Any, Any]
    fields: list[Field] = field(default_factory=list)
    truncated: bool = False
    limit: int = 0
    """Field count at which the nested object being walked overflows (see SUBTREE_CAP)."""
    overflow: bool = False

    def resolve(self, node: Schema) -> tuple[Schema, list[str]]:
        """Resolve with a memo keyed by node identity (the node is kept alive by the memo)."""
        hit = self.memo.get(id(node))
        if hit is not None and hit[0] is node:
            return hit[1], hit[2]
        resolved, names = resolve(node, self.schemas)
        self.memo[id(node)] = (node, resolved, names)
        return resolved, names


def flatten(
    schema: Mapping[str, Any] | None,
    schemas: Schemas,
    *,
    mode: Mode = "read",
    max_depth: int = MAX_DEPTH,
    max_fields: int = MAX_FIELDS,
    memo: dict[Any, Any] | None = None,
) -> tuple[list[Field], bool]:
    """Return the leaves of a schema and whether the walk was cut short by the caps.

    Pass the same `memo` dict to several calls over the same (finished) `schemas` to share work.
    """
    memo = memo if memo is not None else {}
    name = ref_name(schema) if schema and len(schema) == 1 else None
    key = ("flatten", name or id(schema), mode, max_depth, max_fields)
    done = memo.get(key)
    if done is not None and (name or done[0] is schema):
        return list(done[1]), done[2]
    walk = _Walk(schemas, mode, max_depth, max_fields, memo)
    if schema:
        _visit(walk, dict(schema), "", True, (), 0)
    memo[key] = (schema, walk.fields, walk.truncated)
    return list(walk.fields), walk.truncated


def _visit(walk: _Walk, node: Schema, path: str, required: bool, stack: tuple[str, ...], depth: int) -> None:
    if walk.overflow:
        return
    if len(walk.fields) >= walk.max_fields:
        walk.truncated = True
        return
    schema, names = walk.resolve(node)
    if path and any(n in stack for n in names):
        _leaf(walk, path, schema, required, kind="object")
        return
    stack = stack + tuple(names)
    schema = _choose_alternative(schema, walk, stack)
    kind = schema_type(schema)
    if kind == "object" or (kind is None and "properties" in schema):
        _visit_object(walk, schema, path, required, stack, depth)
    elif kind == "array":
        _visit_array(walk, schema, path, required, stack, depth)
    elif path:
        _leaf(walk, path, schema, required, kind=kind or "any")


def _visit_object(walk: _Walk, schema: Schema, path: str, required: bool, stack: tuple[str, ...], depth: int) -> None:
    properties = schema.get("properties")
    if not isinstance(properties, dict) or not properties:
        if path:
            inferred = _example_keys(schema, path)
            if inferred and depth < walk.max_depth:
                for key, value in inferred.items():
                    _leaf(walk, _join(path, key), {"example": value}, False, kind=type_of_value(value), inferred=True)
            else:
                _leaf(walk, path, schema, required, kind="object")
        return
    if depth >= walk.max_depth:
        if path:
            _leaf(walk, path, schema, required, kind="object")
        return
    required_names = set(schema.get("required") or [])
    for name, child in properties.items():
        if not isinstance(child, dict):
            continue
        resolved, _ = walk.resolve(child)
        if walk.mode == "write" and (child.get("readOnly") or resolved.get("readOnly")):
            continue
        if walk.mode == "read" and (child.get("writeOnly") or resolved.get("writeOnly")):
            continue
        child_path, child_required = _join(path, name), required and name in required_names
        if depth == 0:
            _visit(walk, child, child_path, child_required, stack, depth + 1)
        else:
            _visit_capped(walk, child, resolved, child_path, child_required, stack, depth + 1)
        if walk.overflow:
            return


def _visit_capped(
    walk: _Walk, child: Schema, resolved: Schema, path: str, required: bool, stack: tuple[str, ...], depth: int
) -> None:
    """Walk a nested property, collapsing it to one leaf when it alone has more than SUBTREE_CAP leaves."""
    known_big = walk.memo.setdefault(_BIG, set())
    key = (id(child), depth)  # the node stays alive: walk.resolve keeps it in the memo
    if key in known_big:
        _leaf(walk, path, resolved, required, kind=schema_type(resolved) or "object")
        return
    start, outer = len(walk.fields), walk.limit
    walk.limit = min(outer, start + SUBTREE_CAP) if outer else start + SUBTREE_CAP
    _visit(walk, child, path, required, stack, depth)
    if walk.overflow and (not outer or start + SUBTREE_CAP <= outer):
        del walk.fields[start:]
        walk.overflow = False
        known_big.add(key)
        _leaf(walk, path, resolved, required, kind=schema_type(resolved) or "object")
    walk.limit = outer


def _visit_array(walk: _Walk, schema: Schema, path: str, required: bool, stack: tuple[str, ...], depth: int) -> None:
    items = schema.get("items")
    item_path = f"{path}[]"
    if not isinstance(items, dict):
        _leaf(walk, item_path, {}, required, kind="any")
        return
    resolved, names = walk.resolve(items)
    if any(n in stack for n in names):
        _leaf(walk, item_path, resolved, required, kind="object")
        return
    resolved = _choose_alternative(resolved, walk, stack + tuple(names))
    kind = schema_type(resolved)
    has_props = isinstance(resolved.get("properties"), dict) and bool(resolved.get("properties"))
    if kind == "object" and has_props and depth < walk.max_depth:
        _visit(walk, items, item_path, required, stack, depth + 1)
    elif kind == "array":
        _leaf(walk, item_path, resolved, required, kind="array")
    else:
        _leaf(walk, item_path, resolved, required, kind=kind or "any")


def _choose_alternative(schema: Schema, walk: _Walk, stack: tuple[str, ...]) -> Schema:
    """Collapse oneOf/anyOf: unite the object alternatives' properties, else take the first real one."""
    alts = alternatives(schema)
    if not alts:
        return schema
    resolved: list[Schema] = []
    for alt in alts:
        target, names = walk.resolve(alt)
        if any(n in stack for n in names) or is_null_schema(target) or is_empty_string_enum(target):
            continue
        resolved.append(target)
    base = {k: v for k, v in schema.items() if k not in ("oneOf", "anyOf")}
    scalars = [a for a in resolved if schema_type(a) in SCALAR_TYPES]
    if scalars and len(scalars) < len(resolved):
        # "An id, or the expanded object": what a record carries unless asked otherwise is the id.
        return {**scalars[0], **{k: v for k, v in base.items() if k != "type"}, "x-vitesse-expandable": True}
    objects = [a for a in resolved if schema_type(a) == "object" and isinstance(a.get("properties"), dict)]
    if objects:
        properties: dict[str, Any] = dict(base.get("properties") or {})
        required: list[str] = list(base.get("required") or [])
        for obj in objects:
            for name, prop in obj["properties"].items():
                properties.setdefault(name, prop)
        if len(objects) == 1:
            required.extend(objects[0].get("required") or [])
        return {**base, "type": "object", "properties": properties, "required": required}
    arrays = [a for a in resolved if schema_type(a) == "array"]
    if arrays:
        return {**base, **arrays[0]}
    if resolved:
        return {**resolved[0], **{k: v for k, v in base.items() if k != "type"}}
    return base


def _leaf(walk: _Walk, path: str, schema: Schema, required: bool, *, kind: str, inferred: bool = False) -> None:
    if walk.limit and len(walk.fields) >= walk.limit:
        walk.overflow = True
        return
    if len(walk.fields) >= walk.max_fields:
        walk.truncated = True
        return
    attrs: dict[str, Any] = {"path": path, "type": kind, "required": required}
    for key, name in _LEAF_KEYS:
        value = schema.get(key)
        if value is not None:
            attrs[name] = value
    if inferred:
        attrs["inferred"] = True
    if "description" in attrs or "title" in schema:
        attrs["description"] = _text(attrs.get("description") or schema.get("title"))
    if "example" not in attrs and isinstance(schema.get("examples"), list) and schema["examples"]:
        attrs["example"] = schema["examples"][0]
    try:
        walk.fields.append(Field.model_validate(attrs))
    except ValidationError as exc:  # a hostile or sloppy spec: drop the keywords of the wrong type
        bad = {str(err["loc"][0]) for err in exc.errors() if err.get("loc")}
        walk.fields.append(Field.model_validate({k: v for k, v in attrs.items() if k not in bad}))


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else str(name)


def _example(schema: Schema) -> Any:
    if "example" in schema:
        return schema["example"]
    examples = schema.get("examples")
    if isinstance(examples, list) and examples:
        return examples[0]
    return None


def _example_keys(schema: Schema, path: str) -> dict[str, Any]:
    """Return the properties an example of a free-form object shows (scalar values only).

    Objects whose name says their keys are the account's own (custom attributes, metadata …) stay one
    leaf: their example keys are illustrations, not fields every account has.
    """
    if USER_DEFINED.search(path.rsplit(".", 1)[-1]):
        return {}
    example = _example(schema)
    if isinstance(example, dict) and example and not schema.get("additionalProperties"):
        return {str(k): v for k, v in example.items() if not isinstance(v, dict | list)}
    return {}


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        value = value.strip()
        return value[:500] if value else None
    return None


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
