"""Decide which fields take part in matching.

Destination fields the system manages itself or that need a lookup are left out, and so are source
fields that describe the API envelope rather than the record.
"""

from __future__ import annotations

import re
from enum import Enum

from vitesse.graph.mapper.fields import FieldView
from vitesse.graph.mapper.lexicon import (
    LOOKUP_ENTITIES,
    NOISE_SOURCE_LEAVES,
    SYSTEM_LEAVES,
    SYSTEM_PARENTS,
    UNIVERSAL_CODES,
)
from vitesse.graph.mapper.tokens import normalise, path_segments

_ID_DESCRIPTION = re.compile(
    r"^\s*(the\s+)?(unique\s+)?(id|identifier|ids)\s+(of|for)\b|\bcomma-separated list of (object)?ids\b", re.I
)
_VALUE_CONCEPTS = frozenset({"phone", "email", "external_id", "mobile", "fax", "website", "tax_id"})


class Skip(str, Enum):
    """Why a destination field is not matched."""

    READ_ONLY = "read_only"
    SYSTEM = "system_managed"
    LOOKUP = "needs_lookup"


def _segment_words(path: str) -> list[tuple[str, ...]]:
    return [normalise(s) for s in path_segments(path)]


_INTERNAL = re.compile(r"\b(used internally|for internal use|output only)\b", re.I)


def _is_system(view: FieldView) -> bool:
    if _INTERNAL.search(view.field.description or ""):
        return True
    segments = _segment_words(view.rel_path)
    leaf = " ".join(segments[-1]) if segments else ""
    if leaf in SYSTEM_LEAVES or any(" ".join(s) in SYSTEM_PARENTS for s in segments[:-1]):
        return True
    return len(segments) == 1 and segments[0] == ("id",)


def _id_entity(view: FieldView) -> tuple[str, ...] | None:
    """Return the words naming what an id-like field points at, or None when it is not id-like."""
    segments = _segment_words(view.rel_path)
    if not segments:
        return None
    leaf = segments[-1]
    parent = segments[-2] if len(segments) > 1 else ()
    if len(leaf) > 1 and leaf[-1] == "id":
        return leaf[:-1]
    if len(leaf) > 1 and leaf[0] == "id":
        return leaf[1:]
    if parent and parent[-1] == "reference" and leaf in (("value",), ("id",)):
        return parent[:-1]
    if leaf == ("id",) and parent:
        return parent
    if _ID_DESCRIPTION.search(view.field.description or ""):
        return leaf
    return None


def is_reference(view: FieldView) -> bool:
    """Return True for a source field holding the id of another entity (`customer_id`, `default_source`)."""
    if view.rel_path in ("id", "gid", "uuid") or view.field.type == "boolean":
        return False
    return _id_entity(view) is not None and not ({c[1:] for c in view.concepts} & _VALUE_CONCEPTS)


def needs_lookup(view: FieldView) -> bool:
    """Return True for a destination field holding an id of the destination system (owner_id, idList …)."""
    entity = _id_entity(view)
    if entity is None:
        return False
    if {c[1:] for c in view.concepts} & _VALUE_CONCEPTS or set(entity) & UNIVERSAL_CODES:
        return False
    if any(c.startswith("@") and c[1:] in UNIVERSAL_CODES for c, _ in view.leaf):
        return False
    return bool(set(entity) & LOOKUP_ENTITIES) or len(view.leaf) <= 2 or bool(view.field.description)


def classify_dest(view: FieldView) -> Skip | None:
    """Return why the destination field is left out of matching, or None when it can be matched."""
    if view.field.read_only:
        return Skip.READ_ONLY
    if _is_system(view):
        return Skip.SYSTEM
    if needs_lookup(view):
        return Skip.LOOKUP
    return None


def is_noise_source(view: FieldView) -> bool:
    """Return True for envelope fields: `object`, `livemode`, `has_more`, one-value enums, list urls."""
    field = view.field
    leaf = " ".join(normalise(path_segments(field.path)[-1])) if field.path else ""
    if field.enum is not None and len(field.enum) == 1:
        return True
    if leaf in NOISE_SOURCE_LEAVES and (leaf != "type" or field.enum is None):
        return leaf not in ("url", "type") or "." in field.path
    return False
