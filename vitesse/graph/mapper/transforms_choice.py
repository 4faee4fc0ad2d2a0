"""Choose the transform for each match from the two fields' types, formats, enums and the match kind."""

from __future__ import annotations

from typing import Any

from rapidfuzz import fuzz

from vitesse.graph.mapper.fields import FieldView
from vitesse.graph.mapper.tokens import normalise
from vitesse.graph.mapper.value_tables import enum_table
from vitesse.graph.mapper.values import (
    allowed_values,
    date_pattern,
    is_country_code,
    is_date_only,
    is_unix_time,
    negated,
    truthy,
    wants_country_name,
    wants_e164,
)
from vitesse.schemas import TransformType
from vitesse.transforms import COUNTRY_CODES

Choice = tuple[TransformType, dict[str, Any], str]
"""The transform type, its config, and a short reason."""


def _country_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for name, code in COUNTRY_CODES.items():
        if len(name) > 3 and (code not in names or len(name) > len(names[code])):
            names[code] = name.title()
    return names


def choose_dates(dest: FieldView, source: FieldView) -> Choice | None:
    """Convert between epoch numbers, ISO 8601 and documented date patterns."""
    d, s = dest.field, source.field
    if not (dest.is_date and source.is_date):
        return None
    pattern = date_pattern(d)
    target = pattern or ("date" if is_date_only(d) else "unix" if d.type in ("integer", "number") else "iso8601")
    source_form = "unix" if is_unix_time(s) else "auto"
    if target == "iso8601" and source_form == "auto" and not is_date_only(s):
        return None
    if target == "unix" and source_form == "unix":
        return None
    config = {"from": source_form, "to": target}
    return TransformType.FORMAT, config, f"date written as {target} (source is {source_form})"


def _bool_table(dest_values: list[Any], source: FieldView, invert: bool) -> dict[str, Any]:
    words = " ".join(normalise(source.field.name))
    ranked = sorted(dest_values, key=lambda v: -fuzz.partial_ratio(" ".join(normalise(str(v))), words))
    yes = ranked[0]
    stem = set(normalise(str(yes)))
    no_candidates = [v for v in dest_values if v != yes]
    no = max(no_candidates, key=lambda v: len(stem & set(normalise(str(v))))) if no_candidates else yes
    return {"true": no if invert else yes, "false": yes if invert else no}


def choose_enum(dest: FieldView, source: FieldView) -> Choice | None:
    """Build a value table when the two sides name their values differently."""
    d_values = allowed_values(dest.field)
    s_values = source.field.enum
    invert = negated(source.field) != negated(dest.field)
    if dest.kind == "boolean" and s_values:
        table = {str(v): truthy(v) != invert for v in s_values}
        return TransformType.ENUM, {"map": table}, "source values read as yes/no" + (" (inverted)" if invert else "")
    if not d_values:
        return None
    if source.kind == "boolean":
        table = _bool_table(d_values, source, invert)
        return TransformType.ENUM, {"map": table}, "true/false turned into the destination's values"
    if not s_values:
        return None
    table = enum_table(list(s_values), list(d_values))
    same = all(str(k) == str(v) for k, v in table.items())
    if same:
        return None
    return TransformType.ENUM, {"map": table}, "value table built from both enums"


def choose_scalar(dest: FieldView, source: FieldView) -> Choice | None:
    """Cast between strings, numbers and booleans; countries and phone numbers."""
    d, s = dest.kind, source.kind
    if "@country" in {t for t, _ in dest.leaf} and is_country_code(source.field) and wants_country_name(dest.field):
        return TransformType.MAPPING, {"map": _country_names()}, "ISO alpha-2 code turned into a country name"
    if "@phone" in {t for t, _ in dest.leaf} and wants_e164(dest.field) and not wants_e164(source.field):
        return TransformType.PARSE, {"as": "phone_e164", "default_region": "US"}, "phone normalised to E.164"
    if d == s or "any" in (d, s):
        return None
    if d == "string" and s in ("integer", "number", "boolean"):
        return TransformType.STRINGIFY, {}, f"{s} written as text"
    if s == "string" and d in ("integer", "number"):
        return TransformType.PARSE, {"as": d}, f"text read as {d}"
    if s == "string" and d == "boolean":
        return TransformType.PARSE_BOOL, {}, "text read as true/false"
    if d in ("integer", "number") and s in ("integer", "number"):
        return TransformType.DIRECT, {"cast": d}, f"{s} cast to {d}"
    return None


def choose(dest: FieldView, sources: list[FieldView], kind: str, config: dict[str, Any]) -> Choice:
    """Return the transform for one match."""
    if kind == "collect":
        return TransformType.COLLECT, dict(config), "first and last name joined into one name"
    if kind == "split":
        part = config.get("part", "first")
        return TransformType.SPLIT, {"part": part}, f"one full name split, {part} part"
    if kind == "items":
        return TransformType.NEST, {"keys": list(config.get("keys", []))}, "one element per source array element"
    source = sources[0]
    if dest.kind in ("object", "any", "array") and source.kind not in ("object", "any", "array"):
        leaf = source.path.rsplit(".", 1)[-1].removesuffix("[]")
        return TransformType.NEST, {"keys": [leaf]}, "scalar placed inside the untyped destination object"
    for rule in (choose_dates, choose_enum, choose_scalar):
        picked = rule(dest, source)
        if picked is not None:
            return picked
    return TransformType.DIRECT, {}, "same kind of value"
