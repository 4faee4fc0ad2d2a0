"""Score one (destination, source) pair from independent signals, each a small pure function in [0, 1].

name_similarity   leaf terms after splitting, abbreviations, plurals and concept synonyms
fuzzy_similarity  character-level similarity of the leaf names (rapidfuzz)
context_factor    structure: parent objects, roles (billing ≠ shipping), arrays on the way
type_factor       JSON type and format compatibility
description_similarity  shared content words of the descriptions (idf-weighted)
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz import fuzz

from vitesse.graph.mapper.fields import FieldView, Term
from vitesse.graph.mapper.lexicon import RELATED, UNIVERSAL_CODES, WEAKENERS
from vitesse.graph.mapper.values import allowed_values, is_country_code, wants_country_name

_NUMERIC = frozenset({"integer", "number"})
_SCALAR = frozenset({"string", "integer", "number", "boolean"})


@lru_cache(maxsize=262144)
def term_match(a: str, b: str) -> float:
    """Return how well two terms match: 1 when equal, the concept relation, or a shared long stem."""
    if a == b:
        return 1.0
    if a.startswith("@") and b.startswith("@"):
        return RELATED.get(frozenset((a[1:], b[1:])), 0.0)
    if a.startswith("@") or b.startswith("@"):
        return 0.0
    if len(a) >= 5 and len(b) >= 5 and a[:5] == b[:5]:
        return 0.7
    return 0.0


def _cover(these: Iterable[Term], those: tuple[Term, ...]) -> float:
    total = got = 0.0
    for term, weight in these:
        total += weight
        got += weight * max((term_match(term, other) for other, _ in those), default=0.0)
    return got / total if total else 0.0


@lru_cache(maxsize=262144)
def set_similarity(a: tuple[Term, ...], b: tuple[Term, ...]) -> float:
    """Return the harmonic mean of how much of `a` is covered by `b` and the reverse."""
    if not a or not b:
        return 0.0
    x, y = _cover(a, b), _cover(b, a)
    return (x * y / (x + y) + 0.5 * min(x, y)) if x + y else 0.0


def name_similarity(dest: FieldView, source: FieldView) -> float:
    """Return the similarity of the two leaves' terms."""
    return set_similarity(dest.leaf, source.leaf)


def fuzzy_similarity(dest: FieldView, source: FieldView) -> float:
    """Return the character similarity of the leaf names (0–1); 0 when known concepts or numbers disagree."""
    if dest.concepts and source.concepts and not dest.concepts & source.concepts:
        return 0.0
    if {w for w in dest.leaf_text.split() if w.isdigit()} != {w for w in source.leaf_text.split() if w.isdigit()}:
        return 0.0
    return fuzz.ratio(dest.leaf_text, source.leaf_text) / 100.0


def path_similarity(dest: FieldView, source: FieldView) -> float:
    """Return the similarity of all the terms on both paths (leaf and enclosing objects together)."""
    return set_similarity(dest.leaf + dest.context, source.leaf + source.context)


def role_factor(dest: FieldView, source: FieldView) -> float:
    """Return 0.2 for two different roles (billing vs shipping), small penalties for one-sided roles."""
    return role_value(dest.roles, source.roles)


def role_value(dest_roles: frozenset[str], source_roles: frozenset[str]) -> float:
    """Return `role_factor` from the two fields' roles alone."""
    if "origin" in dest_roles ^ source_roles:
        return 0.4
    if dest_roles and source_roles:
        if dest_roles & source_roles:
            return 1.0
        if "origin" in dest_roles | source_roles:
            return 0.2
        return 0.9 if "main" in dest_roles | source_roles else 0.2
    if source_roles == {"main"} or dest_roles == {"main"}:
        return 0.95
    if source_roles:
        return 0.78
    if dest_roles:
        return 0.95
    return 1.0


def context_factor(dest: FieldView, source: FieldView) -> float:
    """Return how well the enclosing objects agree (1 when both are top-level)."""
    return context_value(dest.context, (source.context, source.depth))


def context_value(dest_context: tuple[Term, ...], source_key: tuple[tuple[Term, ...], int]) -> float:
    """Return `context_factor` from the destination's context and the source's (context, depth)."""
    source_context, source_depth = source_key
    if not dest_context and not source_context:
        return 1.0
    if not dest_context:
        return max(0.6, 0.88 - 0.06 * max(0, source_depth - 1))
    if not source_context:
        return 0.85
    return 0.7 + 0.3 * set_similarity(dest_context, source_context)


def array_factor(dest: FieldView, source: FieldView) -> float:
    """Penalise taking one element of a source array the destination does not know about."""
    return array_value(array_key_dest(dest), array_key_source(source))


def array_key_dest(dest: FieldView) -> tuple[tuple[str, ...], frozenset[str]]:
    """Return what `array_factor` reads of the destination: its arrays and all its words."""
    return dest.arrays, dest.all_words


def array_key_source(source: FieldView) -> tuple[tuple[str, ...], bool]:
    """Return what `array_factor` reads of the source: its arrays, and whether its leaf sits right in one."""
    direct = source.rel_path.rsplit(".", 1)[0].endswith("[]") if "." in source.rel_path else True
    return source.arrays, direct


def array_value(dest_key: tuple[tuple[str, ...], frozenset[str]], source_key: tuple[tuple[str, ...], bool]) -> float:
    """Return `array_factor` from the two keys."""
    (dest_arrays, dest_words), (source_arrays, direct) = dest_key, source_key
    factor = 1.0
    for name in source_arrays:
        if name in dest_arrays:
            continue
        explained = set(name.split()) <= dest_words
        factor *= 0.92 if explained or dest_arrays else 0.72 if direct else 0.6
    return factor


def weakener_factor(dest: FieldView, source: FieldView) -> float:
    """Keep secondary slots (`alternate_emails`, `AlternatePhone`) for sources that are secondary too."""
    d = any(w in WEAKENERS for w in dest.all_words)
    s = any(w in WEAKENERS for w in source.all_words)
    return 0.75 if d and not s else 1.0


def reference_factor(dest: FieldView, source: FieldView, source_is_reference: bool) -> float:
    """Halve pairs that copy another entity's id from the source into a plain destination field."""
    if not source_is_reference:
        return 1.0
    return 1.0 if dest.concepts & {"@external_id", "@record_id"} else 0.5


def form_factor(dest: FieldView, source: FieldView) -> float:
    """Prefer the source whose form fits: a country code for a code field, a name for a name field."""
    return form_value(form_key_dest(dest), form_key_source(source))


def form_key_dest(dest: FieldView) -> tuple[bool, bool, bool, bool, bool]:
    """Return what `form_factor` reads of the destination."""
    coded = bool({c[1:] for c in dest.concepts} & UNIVERSAL_CODES)
    country = "@country" in dest.concepts
    wants_name = country and wants_country_name(dest.field)
    wants_code = country and is_country_code(dest.field) and not wants_name
    return "@name" in dest.concepts, coded, country, wants_code, wants_name


def form_key_source(source: FieldView) -> tuple[bool, bool, bool, bool]:
    """Return what `form_factor` reads of the source."""
    described = (source.field.description or "").lower()
    country = "@country" in source.concepts
    has_code = country and is_country_code(source.field)
    return "@name" in source.concepts, "code" in described or "iso" in described, country, has_code


def form_value(dest_key: tuple[bool, bool, bool, bool, bool], source_key: tuple[bool, bool, bool, bool]) -> float:
    """Return `form_factor` from the two keys."""
    dest_name, dest_coded, dest_country, wants_code, wants_name = dest_key
    source_name, source_says_code, source_country, has_code = source_key
    if dest_name and not source_name and (dest_coded or source_says_code):
        return 0.6
    if not dest_country or not source_country:
        return 1.0
    if wants_code:
        return 1.0 if has_code else 0.9
    if wants_name:
        return 1.0 if not has_code else 0.95
    return 1.0


def type_factor(dest: FieldView, source: FieldView) -> float:
    """Return the compatibility of JSON types and formats (1 same, lower when a conversion is needed)."""
    value = type_value((dest.kind, dest.is_date), (source.kind, source.is_date))
    if value is None:  # one side is boolean: it depends on whether the other one lists its values
        other = dest if source.kind == "boolean" else source
        return boolean_type_value(other)
    return value


def boolean_type_value(other: FieldView) -> float:
    """Return `type_factor` for a boolean paired with `other` (a non-boolean field)."""
    return 0.8 if allowed_values(other.field) else 0.6


def type_value(dest_key: tuple[str, bool], source_key: tuple[str, bool]) -> float | None:
    """Return `type_factor` from each side's (kind, is_date); None when it depends on the non-boolean field."""
    (d, dest_date), (s, source_date) = dest_key, source_key
    if dest_date != source_date and (d in _SCALAR and s in _SCALAR):
        return 0.55 if d == "string" and s == "string" else 0.45
    if d == s or "any" in (d, s):
        return 1.0 if d == s else 0.9
    if d in _NUMERIC and s in _NUMERIC:
        return 0.95
    if "boolean" in (d, s):
        return None
    if d in ("object", "array") or s in ("object", "array"):
        return 0.7 if d in ("object", "array") else 0.35
    return 0.85


def idf_weights(views: Iterable[FieldView]) -> dict[str, float]:
    """Return an idf weight for every description word over the given fields."""
    views = list(views)
    counts: dict[str, int] = {}
    for v in views:
        for word in v.desc | {w for w in v.all_words}:
            counts[word] = counts.get(word, 0) + 1
    n = max(len(views), 1)
    return {w: math.log((n + 1) / (c + 0.5)) for w, c in counts.items()}


def description_similarity(dest: FieldView, source: FieldView, idf: dict[str, float]) -> float:
    """Return the idf-weighted overlap of the words describing the two fields."""
    a = dest.desc | dest.all_words
    b = source.desc | source.all_words
    if not a or not b:
        return 0.0
    shared = sum(idf.get(w, 1.0) for w in a & b)
    norm = math.sqrt(sum(idf.get(w, 1.0) for w in a) * sum(idf.get(w, 1.0) for w in b))
    return min(1.0, shared / norm) if norm else 0.0


def description_concept_bonus(dest: FieldView, source: FieldView) -> float:
    """Return 1 when the destination's description names the source leaf's concept (`the first name`)."""
    mine = {c for c in source.concepts if c not in ("name", "record_id")}
    return 1.0 if mine and mine & dest.desc_concepts else 0.0
