"""Resolve `$ref`s across documents and normalise schemas into named, cycle-safe form.

Every schema a ref points at gets a name in `Resolver.schemas` and the ref becomes
`{"$ref": "#/schemas/NAME"}`; the name is registered before its target is normalised, so a cycle
(Stripe has 86 schemas in 6 of them) ends at a ref instead of expanding forever. Non-schema refs
(parameters, responses, request bodies, path items) are followed in place. Values under `example`,
`examples` and `x-` extensions are data, never followed. A ref that cannot be resolved becomes a
warning and an empty schema marked `x-vitesse-dangling`, and the rest of the document still ingests.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin

from vitesse.graph.ingestor.schema import REF_PREFIX

SCHEMA_MAP_KEYS = ("properties", "patternProperties", "$defs", "definitions")
SCHEMA_LIST_KEYS = ("allOf", "oneOf", "anyOf", "prefixItems")
SCHEMA_ONE_KEYS = ("items", "additionalProperties", "not", "contains", "additionalItems", "unevaluatedProperties")
DATA_KEYS = frozenset({"example", "examples", "default", "enum", "const"})
_MAX_FOLLOW = 32
_KEY_KIND = {
    **dict.fromkeys(SCHEMA_MAP_KEYS, "map"),
    **dict.fromkeys(SCHEMA_LIST_KEYS, "list"),
    **dict.fromkeys(SCHEMA_ONE_KEYS, "one"),
}
_NAME_SAFE = re.compile(r"[^A-Za-z0-9_.\-]+")

DocLoader = Callable[[str], Mapping[str, Any] | None]


def decode_pointer(pointer: str) -> list[str]:
    """Split a JSON pointer (`/components/schemas/a~1b`) into unescaped tokens."""
    pointer = unquote(pointer)
    if pointer in ("", "/"):
        return []
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.lstrip("/").split("/")]


def walk_pointer(doc: Any, pointer: str) -> Any:
    """Return the node at a JSON pointer, or raise KeyError naming the missing token."""
    node = doc
    for token in decode_pointer(pointer):
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise KeyError(token)
    return node


def iter_external_refs(node: Any) -> Iterator[str]:
    """Yield every `$ref` string that points outside its document, skipping example and extension data."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            ref = current.get("$ref")
            if isinstance(ref, str) and not ref.startswith("#"):
                yield ref
            for key, value in current.items():
                if key not in DATA_KEYS and not str(key).startswith("x-") and isinstance(value, dict | list):
                    stack.append(value)
        elif isinstance(current, list):
            stack.extend(v for v in current if isinstance(v, dict | list))


@dataclass
class Resolver:
    """Resolve refs from a root document; collect named, normalised schemas and warnings."""

    root: Mapping[str, Any]
    root_uri: str
    load_external: DocLoader = lambda uri: None
    schemas: dict[str, dict[str, Any]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    _names: dict[tuple[str, str], str] = field(default_factory=dict)
    _docs: dict[str, Mapping[str, Any] | None] = field(default_factory=dict)
    _followed: dict[tuple[str, str], tuple[Any, str]] = field(default_factory=dict)
    """(document uri, ref) -> the node a ref chain ends at and its document: a shared response is walked once."""
    _normalised: dict[tuple[int, str], tuple[Any, dict[str, Any]]] = field(default_factory=dict)
    """(id(node), document uri) -> (node, its normalised form): a node read twice is normalised once, and the
    two results are one object (read-only, like everything the Ingestor returns)."""

    def __post_init__(self) -> None:
        self._docs[self.root_uri] = self.root

    # -- documents and pointers ---------------------------------------------------------------

    def document(self, uri: str) -> Mapping[str, Any] | None:
        if uri not in self._docs:
            self._docs[uri] = self.load_external(uri)
        return self._docs[uri]

    def target(self, ref: str, base_uri: str) -> tuple[str, str]:
        """Return (document uri, pointer) for a ref written in the document at base_uri."""
        if ref.startswith("#"):
            return base_uri, ref[1:]
        absolute = urljoin(base_uri, ref) if "://" in base_uri else _join_path(base_uri, ref)
        uri, fragment = urldefrag(absolute)
        return uri, fragment

    def follow(self, node: Any, base_uri: str) -> tuple[Any, str]:
        """Follow a chain of non-schema refs; return the target node and the uri of its document."""
        if not isinstance(node, dict) or not isinstance(node.get("$ref"), str):
            return node, base_uri
        key = (base_uri, node["$ref"])
        if key not in self._followed:
            self._followed[key] = self._follow(node, base_uri)
        return self._followed[key]

    def _follow(self, node: Any, base_uri: str) -> tuple[Any, str]:
        hops = 0
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and hops < _MAX_FOLLOW:
            ref = node["$ref"]
            uri, pointer = self.target(ref, base_uri)
            doc = self.document(uri)
            if doc is None:
                self.warnings.append(f"$ref {ref} points at a document that could not be read")
                return {}, base_uri
            try:
                node = walk_pointer(doc, pointer)
            except KeyError as missing:
                self.warnings.append(f"$ref {ref} is dangling: {missing} not found")
                return {}, base_uri
            base_uri = uri
            hops += 1
        return node, base_uri

    # -- schemas --------------------------------------------------------------------------------

    def schema(self, node: Any, base_uri: str) -> dict[str, Any]:
        """Return the normalised form of a schema node written in the document at base_uri."""
        if node is True or node is None:
            return {}
        if node is False:
            return {"not": {}}
        if not isinstance(node, dict):
            return {}
        key = (id(node), base_uri)
        hit = self._normalised.get(key)
        if hit is not None and hit[0] is node:
            return hit[1]
        out = self._normalise(node, base_uri)
        self._normalised[key] = (node, out)
        return out

    def _normalise(self, node: dict[str, Any], base_uri: str) -> dict[str, Any]:
        ref = node.get("$ref")
        if isinstance(ref, str):
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            named = {"$ref": REF_PREFIX + self._named(ref, base_uri)}
            return {**named, **_normalise_keywords(siblings)} if siblings else named
        out: dict[str, Any] = {}
        for key, value in node.items():
            kind = _KEY_KIND.get(key)
            if kind is None:
                out[key] = value
            elif kind == "map":
                if isinstance(value, dict):
                    out[key] = {k: self.schema(v, base_uri) for k, v in value.items()}
            elif kind == "list":
                if isinstance(value, list):
                    out[key] = [self.schema(v, base_uri) for v in value]
            elif isinstance(value, dict):
                out[key] = self.schema(value, base_uri)
            elif isinstance(value, bool) and key == "additionalProperties":
                out[key] = value
            elif isinstance(value, list) and key == "items":  # draft-4 tuple form
                out[key] = self.schema(value[0], base_uri) if value else {}
        if "type" in out and isinstance(out["type"], list) or "x-nullable" in out:
            _normalise_types(out)
        if "oneOf" in out or "anyOf" in out:
            _fold_null_alternatives(out)
        return out

    def _named(self, ref: str, base_uri: str) -> str:
        uri, pointer = self.target(ref, base_uri)
        key = (uri, pointer)
        if key in self._names:
            return self._names[key]
        name = self._unique(self._proposed_name(uri, pointer))
        self._names[key] = name
        self.schemas[name] = {}  # placeholder first: a cycle back to this ref stops here
        doc = self.document(uri)
        if doc is None:
            self.warnings.append(f"$ref {ref} points at a document that could not be read")
            self.schemas[name] = {"x-vitesse-dangling": ref}
            return name
        try:
            target = walk_pointer(doc, pointer)
        except KeyError as missing:
            self.warnings.append(f"$ref {ref} is dangling: {missing} not found; the schema is left empty")
            self.schemas[name] = {"x-vitesse-dangling": ref}
            return name
        self.schemas[name] = self.schema(target, uri)
        return name

    def _proposed_name(self, uri: str, pointer: str) -> str:
        tokens = decode_pointer(pointer)
        if uri == self.root_uri and len(tokens) == 3 and tokens[:2] == ["components", "schemas"]:
            return tokens[2]
        if uri == self.root_uri and len(tokens) == 2 and tokens[0] == "definitions":
            return tokens[1]
        stem = "" if uri == self.root_uri else uri.rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
        tail = [t for t in tokens if t not in ("components", "schemas", "definitions", "properties")]
        parts = [p for p in (stem, *tail[-2:]) if p]
        return _NAME_SAFE.sub("_", ".".join(parts)) or "schema"

    def _unique(self, name: str) -> str:
        candidate, n = name, 2
        while candidate in self.schemas:
            candidate, n = f"{name}_{n}", n + 1
        return candidate


def _join_path(base_path: str, ref: str) -> str:
    """Join a relative ref to the local file it was written in (http(s) and file:// refs pass through)."""
    if ref.startswith(("http://", "https://", "file://")):
        return ref
    if ref.startswith("/"):
        return posixpath.normpath(ref)
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_path), ref))


def _normalise_keywords(node: Mapping[str, Any]) -> dict[str, Any]:
    """Copy the non-schema keywords of a node: 3.1 type arrays and x-nullable become `nullable`."""
    out = {k: v for k, v in node.items() if k not in _KEY_KIND and k != "$ref"}
    _normalise_types(out)
    return out


def _normalise_types(out: dict[str, Any]) -> None:
    declared = out.get("type")
    if isinstance(declared, list):
        types = [t for t in declared if t != "null"]
        if len(types) < len(declared):
            out["nullable"] = True
        if len(types) > 1:
            out["x-vitesse-types"] = types
        if types:
            out["type"] = types[0]
        else:
            out["type"] = "null"
    if out.pop("x-nullable", False) is True:
        out["nullable"] = True


def _fold_null_alternatives(out: dict[str, Any]) -> None:
    """Turn `anyOf: [X, {type: null}]` into X's alternatives plus `nullable: true`."""
    for key in ("oneOf", "anyOf"):
        alts = out.get(key)
        if not isinstance(alts, list):
            continue
        kept = [a for a in alts if not (isinstance(a, dict) and a.get("type") == "null")]
        if len(kept) < len(alts):
            out["nullable"] = True
            out[key] = kept
            if not kept:
                del out[key]
