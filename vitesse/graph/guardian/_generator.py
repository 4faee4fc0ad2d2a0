"""Walk a normalised schema and build one value for it: the engine behind `synthetic`.

Objects take their required properties and, by profile, some or all optional ones; strings try the
schema's examples, a realistic proposal from the property name, the format and the pattern in turn,
and keep the first candidate the checker accepts; numbers respect their (exclusive) bounds and
`multipleOf`; oneOf/anyOf pick one alternative merged with the node's own keywords and retry another
when the value would match none or (oneOf) several. Depth and cycles are bounded: past `DEEP`
nullable values become null and optional properties are left out.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from random import Random
from typing import Any

from vitesse.graph.guardian import _formats as formats
from vitesse.graph.guardian import _pools as pools
from vitesse.graph.guardian._conform import Checker, Mode, SchemaView, declared_types, discriminator_keys
from vitesse.graph.guardian._numbers import make_number
from vitesse.graph.guardian._realistic import Persona, hint, propose, words
from vitesse.graph.guardian._regex import from_regex
from vitesse.graph.ingestor.schema import alternatives, is_empty_string_enum, is_null_schema, schema_type

DEEP = 3
"""From this depth on, nullable values are null and optional properties are skipped (keeps records small)."""
STUB = 9
"""From this depth on, objects and arrays are left as empty as their schema allows."""
MAX_STRING = 512
_MERGED_KEYWORDS = frozenset(
    {"type", "properties", "required", "additionalProperties", "items", "enum", "minLength", "maxLength", "pattern",
     "format", "minimum", "maximum", "minItems", "maxItems", "minProperties", "maxProperties"}
)  # fmt: skip
_ID_NAMES = frozenset({"id", "uuid", "guid", "key", "sid", "uid", "email", "external_ref", "external_id", "slug"})


def is_identifier(name: str | None, schema: dict[str, Any]) -> bool:
    """Identifiers and unique-looking fields get fresh values, never a shared example."""
    if schema.get("format") == "uuid":
        return True
    key = words(name or "")
    return key in _ID_NAMES or key.endswith(("_id", "_key", "_sid", "_uuid", "email"))


class Generator:
    """Build values for one record: one rng, one edge-case profile, one persona."""

    def __init__(self, view: SchemaView, rng: Random, profile: str | None = None, mode: Mode = "read") -> None:
        self.view = view
        self.rng = rng
        self.profile = profile
        self.mode = mode
        self.checker = Checker(view, mode)
        self.persona = Persona.draw(rng, unicode=profile == "unicode")
        self._merged: dict[int, tuple[dict[str, Any], list[tuple[dict[str, Any], dict[str, Any]]]]] = {}
        self.misses: list[str] = []
        """Names of values that could not be made valid (an impossible pattern …), for diagnostics."""

    def value(
        self, node: Any, name: str | None = None, depth: int = 0, stack: tuple[str, ...] = (), example: bool = False
    ) -> Any:
        schema, names = self.view.resolve(node)
        if any(n in stack for n in names) and depth > 0:
            return self._stub(schema, name, depth, stack)
        stack = stack + tuple(names)
        if "const" in schema:
            return copy.deepcopy(schema["const"])
        picked = self._example(schema, node, name, force=example)
        if picked is not _NONE:
            return picked
        if schema.get("nullable") and (self.profile == "minimal" or depth >= DEEP or self.rng.random() < 0.06):
            if self.checker.ok(None, node):  # `nullable` merged in from one allOf member does not make null valid
                return None
        if alternatives(schema) and not schema.get("enum"):
            return self._alternative(schema, node, name, depth, stack)
        return self._typed(schema, name, depth, stack, node)

    def _typed(
        self, schema: dict[str, Any], name: str | None, depth: int, stack: tuple[str, ...], node: Any = None
    ) -> Any:
        enum = schema.get("enum")
        if isinstance(enum, list) and enum:
            return self._enum(enum, schema if alternatives(schema) else None)
        types = declared_types(schema)
        kind = self.rng.choice(types) if types else schema_type(schema)
        if kind == "object" or (kind is None and "properties" in schema):
            return self._object(schema, name, depth, stack)
        if kind == "array":
            return self._array(schema, name, depth, stack)
        if kind in ("integer", "number"):
            return make_number(schema, name, self.rng, self.profile, integer=kind == "integer")
        if kind == "boolean":
            return {"minimal": False, "maximal": True}.get(self.profile or "", self.rng.random() < 0.5)
        if kind == "null":
            return None
        return self._string(schema, name)

    # -- examples and enums ----------------------------------------------------------------------

    def _example(self, schema: dict[str, Any], node: Any, name: str | None, force: bool) -> Any:
        candidates = (
            [e for e in (schema.get("examples") or []) if e is not None]
            if isinstance(schema.get("examples"), list)
            else []
        )
        if schema.get("example") is not None:
            candidates.append(schema["example"])
        if not candidates or is_identifier(name, schema):
            return _NONE
        structured = isinstance(candidates[0], dict | list)
        chance = 1.0 if force else (0.0 if structured else 0.7)
        if self.profile in ("maximal", "minimal", "boundary", "unicode") and not force:
            chance = 0.0
        if self.rng.random() >= chance:
            return _NONE
        value = copy.deepcopy(self.rng.choice(candidates))
        return value if self.checker.ok(value, node) else _NONE

    def _enum(self, enum: list[Any], combined: dict[str, Any] | None) -> Any:
        options = [e for e in enum if e is not None] or enum
        if combined is not None:  # an enum beside oneOf/anyOf: keep the values both allow
            options = [e for e in options if self.checker.ok(e, combined)] or options
        if self.profile == "minimal":
            return options[0]
        if self.profile == "maximal":
            return options[-1]
        return copy.deepcopy(self.rng.choice(options))

    # -- alternatives ------------------------------------------------------------------------------

    def _alternative(
        self, schema: dict[str, Any], node: Any, name: str | None, depth: int, stack: tuple[str, ...]
    ) -> Any:
        branches = self._branches(schema)
        order = list(range(len(branches)))
        self.rng.shuffle(order)
        if depth >= 1:  # below the root prefer plain alternatives (Stripe's expandable ids stay ids)
            order.sort(key=lambda i: schema_type(branches[i][1]) in ("object", "array", None))
        strict = bool(schema.get("oneOf")) or isinstance(schema.get("discriminator"), dict)
        value: Any = None
        for index in order[:4]:
            original, merged = branches[index]
            value = self.value(merged, name, depth, stack)
            if not strict or self._tag(value, schema, original, node):
                return value
        self.misses.append(name or "<alternative>")
        return value

    def _branches(self, schema: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """The usable alternatives, each with its merge into the node's own validation keywords (memoised)."""
        key = id(schema)
        hit = self._merged.get(key)
        if hit is not None and hit[0] is schema:
            return hit[1]
        alts = [a for a in alternatives(schema) if isinstance(a, dict)]
        useful = [a for a in alts if not is_null_schema(a) and not is_empty_string_enum(a)] or alts
        own = {k: v for k, v in schema.items() if k in _MERGED_KEYWORDS}
        branches = [(alt, self.view.resolve({"allOf": [own, alt]})[0] if own else alt) for alt in useful]
        self._merged[key] = (schema, branches)
        return branches

    def _tag(self, value: Any, schema: dict[str, Any], alt: dict[str, Any], node: Any) -> bool:
        """Make the value select `alt` (setting a discriminator when there is one); True when it is valid."""
        disc = schema.get("discriminator")
        prop = disc.get("propertyName") if isinstance(disc, dict) else None
        if not isinstance(value, dict) or not isinstance(prop, str):
            return self.checker.ok(value, node)
        before = value.get(prop, _NONE)
        for tag in discriminator_keys(schema, alt) or [before]:
            if tag is not _NONE:
                value[prop] = tag
            if self.checker.ok(value, node):
                return True
        if before is _NONE:
            value.pop(prop, None)
        else:
            value[prop] = before
        return False

    # -- objects and arrays ------------------------------------------------------------------------

    def _object(self, schema: dict[str, Any], name: str | None, depth: int, stack: tuple[str, ...]) -> dict[str, Any]:
        props = schema.get("properties")
        props = props if isinstance(props, dict) else {}
        required = {str(r) for r in schema.get("required") or []}
        out: dict[str, Any] = {}
        for key, prop in props.items():
            if not self._include(key, prop, key in required, depth):
                continue
            out[key] = self.value(prop, hint(name, key), depth + 1, stack)
        extra = schema.get("additionalProperties")
        for key in sorted(required - set(props)):  # required yet undeclared: any value the schema allows
            out[key] = (
                self.value(extra, key, depth + 1, stack) if isinstance(extra, dict) else self._plain(_Want(name=key))[0]
            )
        self._fill_additional(schema, out, depth, stack)
        _order_timestamps(out)
        return out

    def _include(self, key: str, prop: Any, required: bool, depth: int) -> bool:
        resolved, _ = self.view.resolve(prop)
        skip_flag = "writeOnly" if self.mode == "read" else "readOnly"
        if resolved.get(skip_flag) or (isinstance(prop, dict) and prop.get(skip_flag)):
            return False
        if required:
            return True
        if self.profile == "minimal" or depth >= DEEP:
            return False
        return self.profile == "maximal" or self.rng.random() < 0.75

    def _fill_additional(self, schema: dict[str, Any], out: dict[str, Any], depth: int, stack: tuple[str, ...]) -> None:
        extra = schema.get("additionalProperties")
        wanted = int(schema.get("minProperties") or 0)
        if isinstance(extra, dict) and not schema.get("properties") and depth < STUB:
            wanted = max(wanted, {"minimal": 0, "maximal": 3}.get(self.profile or "", self.rng.randint(0, 2)))
        if len(out) >= wanted or extra is False:
            names: list[str] = []
        else:
            names = list(pools.WORDS)
            self.rng.shuffle(names)
        for word in names:
            if len(out) >= wanted or extra is False:
                break
            if word not in out:
                out[word] = self.value(extra, word, depth + 1, stack) if isinstance(extra, dict) else word
        limit = schema.get("maxProperties")
        if isinstance(limit, int) and len(out) > limit:
            required = set(schema.get("required") or [])
            for key in [k for k in out if k not in required][: len(out) - limit]:
                del out[key]

    def _array(self, schema: dict[str, Any], name: str | None, depth: int, stack: tuple[str, ...]) -> list[Any]:
        low = int(schema.get("minItems") or 0)
        declared = schema.get("maxItems")
        high: int = declared if isinstance(declared, int) else low + 3
        if self.profile == "minimal" or depth >= STUB:
            count = low
        elif self.profile == "maximal":
            count = max(low, min(high, 5))
        else:
            top = max(low, min(high, 3 if depth < DEEP else 1))
            count = self.rng.randint(min(max(low, 1 if depth < DEEP else 0), top), top)
        items = schema.get("items")
        items = items if isinstance(items, dict) else {}
        out: list[Any] = []
        for _ in range(count * 4 if schema.get("uniqueItems") else count):
            if len(out) >= count:
                break
            item = self.value(items, name, depth + 1, stack)
            if not schema.get("uniqueItems") or item not in out:
                out.append(item)
        return out

    def _stub(self, schema: dict[str, Any], name: str | None, depth: int, stack: tuple[str, ...]) -> Any:
        """A value for a recursive reference: null, empty, or only what is required (bounded)."""
        if schema.get("nullable"):
            return None
        kind = schema_type(schema)
        if kind == "array" and not schema.get("minItems"):
            return []
        if kind == "object" and not schema.get("required"):
            return {}
        if depth >= STUB + 4:
            self.misses.append(name or "<recursive>")
            return {} if kind == "object" else None
        return self._typed(schema, name, depth + 1, stack)

    # -- strings -------------------------------------------------------------------------------------

    def _string(self, schema: dict[str, Any], name: str | None) -> str:
        want = _Want(
            fmt=schema.get("format") if isinstance(schema.get("format"), str) else None,
            pattern=schema.get("pattern") if isinstance(schema.get("pattern"), str) else None,
            name=name,
            low=int(schema.get("minLength") or 0),
            high=schema.get("maxLength") if isinstance(schema.get("maxLength"), int) else None,
        )
        tried: list[str] = []
        for make in (self._realistic, self._from_format, self._from_pattern, self._plain):
            for candidate in make(want):
                candidate = self._shape(candidate, want)
                if self.checker.ok(candidate, schema):
                    return candidate
                tried.append(candidate)
        for example in (schema.get("examples") or []) + [schema.get("example")]:  # identifiers' last resort
            if isinstance(example, str) and self.checker.ok(example, schema):
                return example
        self.misses.append(name or "<string>")
        return tried[0] if tried else ""

    def _from_format(self, want: _Want) -> list[str]:
        made = formats.make_format(want.fmt, self.rng, self.profile) if want.fmt else None
        return [made] if made is not None else []

    def _realistic(self, want: _Want) -> list[str]:
        return propose(want.name, self.persona, self.rng, unicode=self.profile == "unicode")

    def _from_pattern(self, want: _Want) -> list[str]:
        if not want.pattern:
            return []
        long = is_identifier(want.name, {})
        made = from_regex(want.pattern, self.rng, min_len=want.low, max_len=want.high, long=long)
        return [made] if made is not None else []

    def _plain(self, want: _Want) -> list[str]:
        if self.profile == "unicode":
            return [self.rng.choice(pools.UNICODE_TEXT)]
        return ["-".join(self.rng.choice(pools.WORDS) for _ in range(self.rng.randint(1, 2)))]

    def _shape(self, text: str, want: _Want) -> str:
        """Stretch or cut free text to the profile's length (formatted and patterned text is left alone)."""
        if want.fmt or want.pattern:
            return text
        low, high = want.low, want.high
        if self.profile == "maximal" and high is not None:
            target = min(high, MAX_STRING)
            return (text + " " + "x" * target)[:target] if len(text) < target else text[:target]
        if self.profile == "minimal":
            return (text + "x" * low)[:low] if low else ""
        if len(text) < low:
            text += "x" * (low - len(text))
        return text[:high] if high is not None and len(text) > high else text


class _Missing:
    pass


@dataclass(frozen=True)
class _Want:
    """What a string must be: its format, pattern, property name and length bounds."""

    fmt: str | None = None
    pattern: str | None = None
    name: str | None = None
    low: int = 0
    high: int | None = None


_NONE: Any = _Missing()


def _order_timestamps(record: dict[str, Any]) -> None:
    """Keep `created…` no later than `updated…` when both are date-time strings of one object."""
    created = next((k for k in record if words(k).startswith("created") and isinstance(record[k], str)), None)
    updated = next((k for k in record if words(k).startswith("updated") and isinstance(record[k], str)), None)
    if created and updated and formats.format_ok("date-time", record[created]) and record[created] > record[updated]:
        if formats.format_ok("date-time", record[updated]):
            record[created], record[updated] = record[updated], record[created]
