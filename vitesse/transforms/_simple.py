"""Compile the one-source transform types.

They are direct, mapping, enum, parse, stringify, parse_bool, split, default, constant and flatten.

Config schemas (besides the common `default`, `keep_null`, `each`):

- direct: `cast` — string | integer | number | boolean (optional).
- mapping: `map` — {source value: destination value} (required). Lookup is exact on the value's text
  (`1`, `true`); an unmatched value becomes `default` when given, else passes through unchanged.
- enum: `map` and/or `values` (a list of allowed destination values). Lookup ignores case and
  surrounding blanks; an unmatched value becomes `default`, else the record gets a FieldError.
- parse: `as` — integer | number | boolean | json | date | datetime | phone_e164 (required);
  date/datetime take `format` (auto | unix | unix_ms | iso8601 | strftime pattern; default auto) and
  `timezone` (default UTC: aware inputs are converted to it, naive ones are taken to be in it);
  phone_e164 takes `default_region` (ISO 3166 alpha-2, default US).
- stringify, default: no keys of their own (`default` is required for `default`).
- parse_bool: `true_values`, `false_values` — lists replacing the built-in word lists.
- split: `separator` (default: any run of whitespace), `part` — first | rest | last | all | an index
  (default all). Parts are trimmed and blank parts dropped. `first` is the first part; `rest` the
  other parts joined by the separator (a space for whitespace), no value for a one-part text; `last`
  the last part only when there are two or more, so "Cher" gives first "Cher" and no last name;
  an index picks that part (negative from the end), no value when out of range; `all` the list.
- constant: `value` (required); no source fields.
- flatten: `path` — a path inside the source value to lift out (optional); `separator` — when the
  value is an object, flatten it to one level, joining nested keys with it (optional).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from vitesse.schemas import DataTransformation
from vitesse.transforms._config import ConfigReader, Kernel, Registry, fresh
from vitesse.transforms._dates import READ_FORMATS, check_pattern, converter, get_zone
from vitesse.transforms._paths import parse_path, scalar_reader
from vitesse.transforms._phone import REGIONS, to_e164
from vitesse.transforms._values import (
    CASTS,
    FALSE_WORDS,
    TRUE_WORDS,
    BoolWords,
    FieldFailure,
    a_type,
    is_empty,
    stringify,
)

_MISS: Any = object()
PARSE_AS = ("integer", "number", "boolean", "json", "date", "datetime", "phone_e164")
SPLIT_PARTS = ("first", "rest", "last", "all")


def _identity(value: Any) -> Any:
    return value


def compile_direct(t: DataTransformation, registry: Registry) -> Kernel:
    cfg = ConfigReader(t, ("cast",))
    cast = cfg.get("cast", str, None, choices=CASTS)
    return Kernel(_identity, identity=True) if cast is None else Kernel(CASTS[cast])


def _table_key(value: Any) -> str:
    if isinstance(value, dict | list | tuple):
        raise FieldFailure(f"is {a_type(value)}; a value table only looks up plain values", value)
    return value if isinstance(value, str) else stringify(value)


def compile_mapping(t: DataTransformation, registry: Registry) -> Kernel:
    cfg = ConfigReader(t, ("map",))
    table = {stringify(k): fresh(v) for k, v in cfg.get("map", dict).items()}
    default = fresh(cfg.get("default")) if cfg.has("default") else None

    def look_up(value: Any) -> Any:
        hit = table.get(_table_key(value), _MISS)
        if hit is not _MISS:
            return hit()
        return default() if default is not None else value

    return Kernel(look_up)


def _fold(value: Any) -> str:
    return stringify(value).strip().lower()


def compile_enum(t: DataTransformation, registry: Registry) -> Kernel:
    cfg = ConfigReader(t, ("map", "values"))
    table: dict[str, Any] = cfg.get("map", dict, None) or {}
    values: list[Any] = cfg.str_list("values", None) or []
    if not table and not values:
        raise cfg.error("map", "(or 'values') is required: the enum needs at least one entry")
    folded: dict[str, Callable[[], Any]] = {}
    for key, target in table.items():
        if _fold(key) in folded and folded[_fold(key)]() != target:
            raise cfg.error("map", f"has entries differing only in case for '{key}' with different values")
        folded[_fold(key)] = fresh(target)
    for target in values:
        folded.setdefault(_fold(target), fresh(target))
    default = fresh(cfg.get("default")) if cfg.has("default") else None
    known = ", ".join(sorted(folded)[:12]) + (" …" if len(folded) > 12 else "")

    def look_up(value: Any) -> Any:
        key = value.strip().lower() if type(value) is str else _fold(_table_key(value))
        hit = folded.get(key, _MISS)
        if hit is not _MISS:
            return hit()
        if default is not None:
            return default()
        raise FieldFailure(f"has no entry in the enum and there is no default (known: {known})", value)

    return Kernel(look_up)


def _parse_json(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        raise FieldFailure("is not valid JSON", value) from None


def _only_for(cfg: ConfigReader, kind: str, keys: dict[str, tuple[str, ...]]) -> None:
    for key, kinds in keys.items():
        if cfg.has(key) and kind not in kinds:
            raise cfg.error(key, f"only applies to as: {' or '.join(kinds)}")


def compile_parse(t: DataTransformation, registry: Registry) -> Kernel:
    cfg = ConfigReader(t, ("as", "format", "timezone", "default_region"))
    kind = cfg.get("as", str, choices=PARSE_AS)
    _only_for(cfg, kind, {"format": ("date", "datetime"), "timezone": ("date", "datetime")})
    _only_for(cfg, kind, {"default_region": ("phone_e164",)})
    if kind in CASTS:
        return Kernel(CASTS[kind])
    if kind == "json":
        return Kernel(_parse_json)
    if kind == "phone_e164":
        region = cfg.get("default_region", str, "US", choices=sorted(REGIONS))
        return Kernel(lambda value: to_e164(value, region))
    fmt = cfg.get("format", str, "auto")
    zone = cfg.get("timezone", str, "UTC")
    try:
        get_zone(zone)
    except ValueError as exc:
        raise cfg.error("timezone", str(exc)) from None
    if fmt not in READ_FORMATS:
        try:
            check_pattern(fmt)
        except ValueError as exc:
            raise cfg.error("format", str(exc)) from None
    return Kernel(converter(fmt, "date" if kind == "date" else "iso8601", zone))


def compile_stringify(t: DataTransformation, registry: Registry) -> Kernel:
    ConfigReader(t, ())
    return Kernel(stringify)


def compile_parse_bool(t: DataTransformation, registry: Registry) -> Kernel:
    cfg = ConfigReader(t, ("true_values", "false_values"))
    true_words = cfg.str_list("true_values", None)
    false_words = cfg.str_list("false_values", None)
    try:
        words = BoolWords(true_words or TRUE_WORDS, false_words or FALSE_WORDS)
    except ValueError as exc:
        raise cfg.error("true_values", str(exc)) from None
    return Kernel(words)


def compile_default(t: DataTransformation, registry: Registry) -> Kernel:
    cfg = ConfigReader(t, ())
    cfg.get("default")
    return Kernel(lambda value: None if is_empty(value) else value)


def compile_constant(t: DataTransformation, registry: Registry) -> Kernel:
    cfg = ConfigReader(t, ("value",))
    make = fresh(cfg.get("value"))
    return Kernel(make, kind="none", always=True)


def _pick(parts: list[str], part: str | int, joiner: str) -> Any:
    if isinstance(part, int):
        return parts[part] if -len(parts) <= part < len(parts) else None
    if part == "all":
        return parts or None
    if part == "first":
        return parts[0] if parts else None
    if part == "rest":
        return joiner.join(parts[1:]) or None
    return parts[-1] if len(parts) >= 2 else None


def compile_split(t: DataTransformation, registry: Registry) -> Kernel:
    cfg = ConfigReader(t, ("separator", "part"))
    separator = cfg.get("separator", str, None)
    if separator == "":
        raise cfg.error("separator", "must not be empty (leave it out to split on whitespace)")
    part = cfg.get("part", (int, str), "all")
    if isinstance(part, str) and part not in SPLIT_PARTS:
        raise cfg.error("part", f"must be an index or one of {', '.join(SPLIT_PARTS)}; got '{part}'")
    joiner = " " if separator is None else separator

    def split(value: Any) -> Any:
        if not isinstance(value, str):
            raise FieldFailure(f"is {a_type(value)}; split needs a string", value)
        parts = [p.strip() for p in value.split(separator)]
        return _pick([p for p in parts if p], part, joiner)

    return Kernel(split)


def _flatten_object(value: dict[str, Any], separator: str, prefix: str, out: dict[str, Any]) -> dict[str, Any]:
    for key, item in value.items():
        name = f"{prefix}{separator}{key}" if prefix else str(key)
        if isinstance(item, dict) and item:
            _flatten_object(item, separator, name, out)
        else:
            out[name] = item
    return out


def compile_flatten(t: DataTransformation, registry: Registry) -> Kernel:
    cfg = ConfigReader(t, ("path", "separator"))
    path = cfg.get("path", str, None)
    try:
        inside = scalar_reader(parse_path(path)) if path is not None else None
    except ValueError as exc:
        raise cfg.error("path", str(exc)) from None
    separator = cfg.get("separator", str, None)

    def flatten(value: Any) -> Any:
        if inside is not None:
            value = inside(value)
        if separator is not None and isinstance(value, dict):
            return _flatten_object(value, separator, "", {})
        return value

    return Kernel(flatten)
