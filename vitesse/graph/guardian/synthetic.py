"""Generate synthetic records that are valid for a normalised record schema, deterministically.

Values follow the schema (types, formats, enums, bounds, lengths, patterns, nested objects and
arrays, nullable and optional fields) and look real where the property name says what it holds
(names, emails, phones, addresses, companies, from small built-in pools; no third-party faker).
A field's own `examples`/`example` are preferred when they are valid, except for identifiers and
other unique-looking fields. The same seed gives the same records, and record `i` depends only on
the seed and `i`, so a longer list starts with the shorter one.

With `edge_cases=True` every odd-numbered record follows an edge-case profile, in the order of
`EDGE_PROFILES`: minimal (required fields only, nulls where allowed, shortest strings, empty
arrays), unicode (non-ASCII names, places and text), maximal (every field, longest strings up to
512 characters, fullest arrays, upper bounds) and boundary (numbers on their bounds, edge dates).
Record 0 is the schema's own example when it has a valid one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import Enum
from random import Random
from typing import Any, Literal

from vitesse.errors import GuardianError
from vitesse.graph.guardian._conform import Checker, SchemaView, declared_types, discriminator_keys
from vitesse.graph.guardian._formats import FORMAT_CHECKS, format_ok
from vitesse.graph.guardian._generator import Generator
from vitesse.graph.guardian._regex import from_regex, pattern_compiles

__all__ = [
    "EDGE_PROFILES",
    "FORMAT_CHECKS",
    "EdgeCase",
    "SchemaView",
    "conforms",
    "declared_types",
    "discriminator_keys",
    "format_ok",
    "from_regex",
    "generate_records",
    "generate_value",
    "pattern_compiles",
    "profile_for",
]


class EdgeCase(str, Enum):
    MINIMAL = "minimal"
    UNICODE = "unicode"
    MAXIMAL = "maximal"
    BOUNDARY = "boundary"


EDGE_PROFILES: tuple[EdgeCase, ...] = (EdgeCase.MINIMAL, EdgeCase.UNICODE, EdgeCase.MAXIMAL, EdgeCase.BOUNDARY)


def profile_for(index: int, edge_cases: bool | Sequence[EdgeCase | str] = True) -> EdgeCase | None:
    """Return the edge-case profile of record `index` (None for a typical record)."""
    if not edge_cases or index % 2 == 0:
        return None
    profiles = EDGE_PROFILES if edge_cases is True else tuple(EdgeCase(p) for p in edge_cases)
    return profiles[(index // 2) % len(profiles)] if profiles else None


def generate_records(
    schema: Mapping[str, Any],
    schemas: Mapping[str, dict[str, Any]],
    *,
    count: int,
    seed: int | str,
    edge_cases: bool | Sequence[EdgeCase | str] = True,
    mode: Literal["read", "write"] = "read",
    misses: list[list[str]] | None = None,
) -> list[Any]:
    """Return `count` records valid for `schema`, the same for the same seed.

    Args:
        schema: One record's normalised schema (an `Endpoint.record_schema`, a request body schema).
        schemas: The spec's named schemas (`APISpecification.schemas`) its refs point into.
        count: How many records to make.
        seed: Any int or string; record `i` is drawn from `Random(f"{seed}:{i}")`.
        edge_cases: True for every edge-case profile, False for none, or a sequence of profile names.
        mode: `read` leaves writeOnly properties out (records as an API returns them), `write`
            leaves readOnly ones out (bodies a client sends).
        misses: When given, receives one list per record naming the values the generator could not
            make valid (contradictory allOf members, ambiguous oneOf alternatives, impossible patterns).
    """
    _check_inputs(schema, schemas, count)
    view = SchemaView(schemas)
    records = []
    for index in range(count):
        profile = profile_for(index, edge_cases)
        gen = Generator(view, Random(f"{seed}:{index}"), profile.value if profile else None, mode)
        records.append(gen.value(dict(schema), None, 0, (), example=index == 0))
        if misses is not None:
            misses.append(list(gen.misses))
    return records


def generate_value(
    schema: Mapping[str, Any],
    schemas: Mapping[str, dict[str, Any]],
    rng: Random,
    *,
    name: str | None = None,
    profile: EdgeCase | str | None = None,
    mode: Literal["read", "write"] = "read",
) -> Any:
    """Return one value valid for `schema`, drawn from `rng` (a property `name` makes it realistic)."""
    _check_inputs(schema, schemas, 1)
    edge = EdgeCase(profile).value if profile else None
    return Generator(SchemaView(schemas), rng, edge, mode).value(dict(schema), name)


def conforms(
    value: Any,
    schema: Mapping[str, Any],
    schemas: Mapping[str, dict[str, Any]],
    *,
    mode: Literal["read", "write"] | None = None,
) -> bool:
    """Return whether a value satisfies a normalised schema (the checker the generator uses)."""
    return Checker(SchemaView(schemas), mode).ok(value, dict(schema))


def _check_inputs(schema: Any, schemas: Any, count: int) -> None:
    if not isinstance(schema, Mapping):
        raise GuardianError(f"a record schema must be a JSON object (a dict), not {type(schema).__name__}")
    if not isinstance(schemas, Mapping):
        raise GuardianError("`schemas` must be the spec's named schemas (APISpecification.schemas), a dict")
    if not isinstance(count, int) or count < 0:
        raise GuardianError(f"count must be a non-negative integer, not {count!r}")
