"""Describe each field once for matching: its leaf and context terms, roles, arrays, type and description."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from vitesse.graph.mapper.lexicon import (
    CONCEPTS,
    GENERIC_LEAVES,
    NOISE_TOKENS,
    QUALIFIERS,
    ROLES,
    WEAKENERS,
)
from vitesse.graph.mapper.tokens import normalise, path_segments, text_sequence, text_tokens
from vitesse.schemas import Field

Term = tuple[str, float]
"""A word or a `@concept` with its weight in the field's meaning."""

_PHRASES: dict[tuple[str, ...], str] = {}
for _concept, _phrases in CONCEPTS.items():
    for _phrase in _phrases:
        _PHRASES.setdefault(tuple(w for p in _phrase.split() for w in normalise(p)), _concept)
_MAX_PHRASE = max(len(p) for p in _PHRASES)
_RECORD_ID = frozenset({"id", "uid", "gid", "guid", "uuid"})
_ROLE_WORDS = frozenset(w for names in ROLES.values() for w in names)
_DATE_WORDS = frozenset({"date", "time", "timestamp", "at", "on", "day", "datetime"})


@dataclass(frozen=True, slots=True)
class FieldView:
    """What the matcher knows about one field."""

    field: Field
    rel_path: str
    """The path without the destination's array wrapper or common object wrapper."""
    leaf: tuple[Term, ...]
    context: tuple[Term, ...]
    roles: frozenset[str]
    arrays: tuple[str, ...]
    """Singular names of the array segments on the way (`addresses[].city` → address)."""
    all_words: frozenset[str]
    desc: frozenset[str]
    desc_concepts: frozenset[str]
    kind: str
    is_date: bool
    leaf_text: str
    depth: int
    """How many objects enclose the (merged) leaf."""

    @property
    def path(self) -> str:
        return self.field.path

    concepts: frozenset[str] = frozenset()
    """The `@concept` terms of the leaf."""


@lru_cache(maxsize=65536)
def match_concepts(words: tuple[str, ...]) -> tuple[str, ...]:
    """Replace known phrases by `@concept` (longest first); other words stay as they are."""
    out: list[str] = []
    i = 0
    while i < len(words):
        for size in range(min(_MAX_PHRASE, len(words) - i), 0, -1):
            concept = _PHRASES.get(words[i : i + size])
            if concept is not None:
                out.append("@" + concept)
                i += size
                break
        else:
            out.append("@record_id" if words[i] in _RECORD_ID else words[i])
            i += 1
    return tuple(out)


def _words(segment: str) -> tuple[str, ...]:
    return tuple(w for w in normalise(segment) if w not in NOISE_TOKENS)


def _weigh(terms: tuple[str, ...], base: float) -> tuple[Term, ...]:
    bare = [t.lstrip("@") for t in terms]
    meaningful = [t for t in bare if t not in QUALIFIERS and t not in GENERIC_LEAVES]
    out: list[Term] = []
    for term, word in zip(terms, bare, strict=True):
        if word in QUALIFIERS or word in WEAKENERS:
            out.append((term, base * 0.15))
        elif word in _ROLE_WORDS and len(terms) > 1:
            out.append((term, base * 0.35))
        elif word in GENERIC_LEAVES and meaningful:
            out.append((term, base * 0.3))
        else:
            out.append((term, base))
    return tuple(out)


def _merge_leaf(segments: list[tuple[str, ...]]) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """Fold a generic leaf (`value`, `Address` under `PrimaryEmailAddr`) into its parent."""
    leaf, parents = segments[-1], segments[:-1]
    while parents:
        parent = parents[-1]
        generic = all(w in GENERIC_LEAVES for w in leaf) or (parent and parent[-1] == "reference")
        if not generic:
            break
        parent = tuple(w for w in parent if w != "reference") or parent
        content = tuple(w for w in leaf if w not in parent and w not in ("value", "text", "number", "address"))
        leaf = parent + content
        parents = parents[:-1]
    return leaf, parents


def _array_names(path: str) -> tuple[str, ...]:
    """Name each array on the way by its own words, or its parent's when it is a bare `data[]` wrapper."""
    names: list[str] = []
    previous = ""
    for seg in path.split("."):
        words = " ".join(_words(seg.removesuffix("[]")))
        if seg.endswith("[]"):
            names.append(words or previous)
        previous = words or previous
    return tuple(n for n in names if n)


def _roles(words: set[str]) -> frozenset[str]:
    found = {role for role, names in ROLES.items() if words & set(names)}
    if "origin" in found:
        return frozenset({"origin"})
    return frozenset(found - {"main"}) if len(found) > 1 else frozenset(found)


def view(field: Field, strip: str | None = None) -> FieldView:
    """Build the `FieldView` of a field; `strip` is a wrapper prefix to ignore (`contacts[]`, `contact`)."""
    rel = field.path
    if strip and rel.startswith(strip + "."):
        rel = rel[len(strip) + 1 :]
    return FieldView(field, *_derive(rel, field.description or "", field.format, field.type))


@lru_cache(maxsize=65536)
def _derive(rel: str, desc_text: str, fmt: str | None, kind: str | None) -> tuple[Any, ...]:
    """Return every `FieldView` attribute after `field`: all a view reads is the path, description, format, type."""
    raw = path_segments(rel)
    segments = [w for w in (_words(s) for s in raw) if w] or [normalise(raw[-1]) if raw else ("value",)]
    leaf_words, parents = _merge_leaf(segments)
    leaf = _weigh(match_concepts(leaf_words), 1.0)
    context: list[Term] = []
    for depth, parent in enumerate(reversed(parents)):
        context.extend(_weigh(match_concepts(parent), 0.5 if depth == 0 else 0.35))
    words = {w for seg in segments for w in seg}
    desc_concepts = frozenset(t[1:] for t in match_concepts(text_sequence(desc_text)) if t.startswith("@"))
    is_date = fmt in ("date", "date-time", "unix-time") or bool(
        {w for w in leaf_words} & _DATE_WORDS and kind in ("string", "integer", "number")
    )
    return (
        rel,
        leaf,
        tuple(context),
        _roles(words),
        _array_names(rel),
        frozenset(words),
        text_tokens(desc_text),
        desc_concepts,
        kind or "any",
        is_date,
        " ".join(leaf_words),
        len(parents),
        frozenset(t for t, _ in leaf if t.startswith("@")),
    )


def common_wrapper(fields: list[Field], array_wrapper: str | None) -> str | None:
    """Return the wrapper every destination path starts with (`contacts[]`, or a single object like `contact`)."""
    if array_wrapper:
        return array_wrapper
    firsts = {f.path.split(".", 1)[0] for f in fields}
    if len(firsts) == 1 and all("." in f.path for f in fields):
        only = firsts.pop()
        return only
    return None
