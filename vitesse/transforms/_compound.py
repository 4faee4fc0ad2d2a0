"""Compile the many-source and record-level transform types: collect, nest, custom, format, expression.

Config schemas (besides the common `default`, `keep_null`, `each`):

- collect: `as` — string (default) | list | object; `separator` (string only, default " ");
  `keys` (object only; one per source field, default each source's last name). `[]` sources
  contribute all their values; nulls (and blank strings, when joining) are skipped.
- nest: `keys` — one per source field, dotted keys build nested objects (default each source's
  last name). Null values are left out; all null gives no value.
- custom: `function` (required, a registry name), `params` (object of keyword arguments),
  `lists` (true: `[]` sources arrive as whole lists instead of their first value).
- format, one of three forms: `template` (see `_template`); `decimals` (0–12) with `as` string
  (default) | number, rounding half up; or dates with `from` (auto | unix | unix_ms | iso8601 |
  strftime pattern; default auto: numbers and digit strings are epoch seconds, or milliseconds from
  1e11 up, other strings ISO 8601), `to` (iso8601 | date | unix | unix_ms | strftime pattern;
  default iso8601, written with `Z` for UTC), `timezone` (of the output, default UTC) and
  `source_timezone` (of naive inputs, default `timezone`).
- expression: `expression` — JMESPath over the whole source record (`source_fields` only document
  what it reads). JMESPath looks up data; it cannot call Python.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import jmespath
from jmespath.exceptions import JMESPathError
from jmespath.functions import Functions
from jmespath.lexer import Lexer

from vitesse.errors import TransformError
from vitesse.schemas import DataTransformation
from vitesse.transforms._config import ConfigReader, Kernel, Registry
from vitesse.transforms._dates import READ_FORMATS, WRITE_FORMATS, check_pattern, converter, get_zone
from vitesse.transforms._paths import Segments, conflict, parse_path, writer
from vitesse.transforms._registry import get_transform
from vitesse.transforms._template import compile_template
from vitesse.transforms._values import FieldFailure, stringify, to_decimal


def _last_names(t: DataTransformation) -> list[str]:
    return [path.rsplit(".", 1)[-1].removesuffix("[]") for path in t.source_fields]


def _keys(cfg: ConfigReader, t: DataTransformation) -> list[str]:
    keys = cfg.str_list("keys", None)
    keys = [str(k) for k in keys] if keys is not None else _last_names(t)
    if len(keys) != len(t.source_fields):
        raise cfg.error("keys", f"has {len(keys)} keys for {len(t.source_fields)} source fields; give one per field")
    return keys


def _flat(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if isinstance(value, list):
            out.extend(v for v in value if v is not None)
        elif value is not None:
            out.append(value)
    return out


def compile_collect(t: DataTransformation, registry: Registry) -> Kernel:
    cfg = ConfigReader(t, ("as", "separator", "keys"))
    mode = cfg.get("as", str, "string", choices=("string", "list", "object"))
    if mode != "string" and cfg.has("separator"):
        raise cfg.error("separator", "only applies to as: string")
    if mode != "object" and cfg.has("keys"):
        raise cfg.error("keys", "only applies to as: object")
    if mode == "object":
        keys = _keys(cfg, t)
        return Kernel(lambda values: {k: v for k, v in zip(keys, values, strict=True) if v is not None} or None,
                      kind="many", aggregate=True)  # fmt: skip
    if mode == "list":
        return Kernel(lambda values: _flat(values) or None, kind="many", aggregate=True)
    separator = cfg.get("separator", str, " ")

    def join(values: list[Any]) -> Any:
        texts = []
        for value in values:
            if type(value) is str:
                if value and not value.isspace():
                    texts.append(value)
            elif value is not None:
                for item in value if isinstance(value, list) else (value,):
                    text = stringify(item) if item is not None else ""
                    if text and not text.isspace():
                        texts.append(text)
        return separator.join(texts) or None

    return Kernel(join, kind="many", aggregate=True)


def compile_nest(t: DataTransformation, registry: Registry) -> Kernel:
    cfg = ConfigReader(t, ("keys",))
    keys = _keys(cfg, t)
    paths: list[Segments] = []
    for key in keys:
        try:
            segments = parse_path(key)
        except ValueError as exc:
            raise cfg.error("keys", str(exc)) from None
        if any(arr for _, arr in segments):
            raise cfg.error("keys", f"key '{key}' has [] (nest builds one object; use each for arrays)")
        for other in paths:
            if conflict(segments, other):
                raise cfg.error("keys", f"key '{key}' clashes with another key ({conflict(segments, other)})")
        paths.append(segments)
    writers = [writer(p) for p in paths]

    def nest(values: list[Any]) -> Any:
        out: dict[str, Any] = {}
        for write, value in zip(writers, values, strict=True):
            if value is not None:
                write(out, value)
        return out or None

    return Kernel(nest, kind="many")


def _check_params(cfg: ConfigReader, name: str, fn: Callable[..., Any], arity: int, params: dict[str, Any]) -> None:
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        signature = None
    if signature is not None:
        bare = [p.replace(annotation=inspect.Parameter.empty) for p in signature.parameters.values()]
        signature = signature.replace(parameters=bare, return_annotation=inspect.Signature.empty)
    try:
        if signature is not None:
            signature.bind(*([None] * arity), **params)
        check = getattr(fn, "check_params", None)
        if check is not None:
            check(**params)
    except (TypeError, ValueError) as exc:
        raise cfg.error("params", f"does not fit {name}{signature or ''} with {arity} source field(s): {exc}") from None


def compile_custom(t: DataTransformation, registry: Registry) -> Kernel:
    cfg = ConfigReader(t, ("function", "params", "lists"))
    name = cfg.get("function", str)
    try:
        fn = get_transform(name, registry)
    except TransformError as exc:
        raise cfg.error("function", f"is invalid: {exc}") from None
    params: dict[str, Any] = cfg.get("params", dict, {})
    lists = cfg.get("lists", bool, False)
    arity = len(t.source_fields)
    _check_params(cfg, name, fn, arity, params)
    if arity == 0:
        return Kernel(lambda: fn(**params), kind="none", always=True)
    if arity == 1 and not lists:
        return Kernel((lambda value: fn(value, **params)) if params else fn)
    return Kernel(lambda values: fn(*values, **params), kind="many", aggregate=lists)


def _compile_number(t: DataTransformation) -> Kernel:
    cfg = ConfigReader(t, ("decimals", "as"))
    decimals = cfg.get("decimals", int)
    if not 0 <= decimals <= 12:
        raise cfg.error("decimals", f"must be between 0 and 12, not {decimals}")
    as_text = cfg.get("as", str, "string", choices=("string", "number")) == "string"
    step = Decimal(1).scaleb(-decimals)

    def round_number(value: Any) -> Any:
        try:
            number = to_decimal(value).quantize(step, rounding=ROUND_HALF_UP)
        except InvalidOperation:
            raise FieldFailure("is too large to round", value) from None
        if as_text:
            return format(number, "f")
        return int(number) if decimals == 0 else float(number)

    return Kernel(round_number)


def _date_format(cfg: ConfigReader, key: str, names: tuple[str, ...], default: str) -> str:
    fmt: str = cfg.get(key, str, default)
    if fmt not in names:
        try:
            check_pattern(fmt)
        except ValueError as exc:
            raise cfg.error(key, f"must be one of {', '.join(names)} or a strftime pattern: {exc}") from None
    return fmt


def _compile_dates(t: DataTransformation) -> Kernel:
    cfg = ConfigReader(t, ("from", "to", "timezone", "source_timezone"))
    read = _date_format(cfg, "from", READ_FORMATS, "auto")
    write = _date_format(cfg, "to", WRITE_FORMATS, "iso8601")
    zones = {key: cfg.get(key, str, None) for key in ("timezone", "source_timezone")}
    for key, zone in zones.items():
        try:
            get_zone(zone) if zone is not None else None
        except ValueError as exc:
            raise cfg.error(key, str(exc)) from None
    return Kernel(converter(read, write, zones["timezone"] or "UTC", zones["source_timezone"]))


def compile_format(t: DataTransformation, registry: Registry) -> Kernel:
    config = t.transform_config or {}
    forms: list[str] = [key for key in ("template", "decimals") if key in config]
    if any(key in config for key in ("from", "to", "timezone", "source_timezone")):
        forms.append("from/to")
    if len(forms) > 1:
        raise ConfigReader(t, config).error(forms[1], f"cannot be combined with '{forms[0]}' in one format")
    if forms == ["template"]:
        return compile_template(t, ConfigReader(t, ("template",)))
    if len(t.source_fields) != 1:
        raise ConfigReader(t, config).error(
            None, f"date and number formats take exactly 1 source field, not {len(t.source_fields)}"
        )
    return _compile_number(t) if forms == ["decimals"] else _compile_dates(t)


JMESPATH_FUNCTIONS = frozenset(Functions.FUNCTION_TABLE)


def _function_names(node: Any) -> list[str]:
    found = [node["value"]] if node.get("type") == "function_expression" else []
    for child in node.get("children", ()):
        if isinstance(child, dict):
            found.extend(_function_names(child))
    return found


def _refuse_deprecated_literals(cfg: ConfigReader, text: str) -> None:
    # jmespath only warns about `bare` string literals, and its parse cache hides the warning the second
    # time: the lexer (uncached) decides, so the same text is refused every time.
    with warnings.catch_warnings():
        warnings.simplefilter("error", PendingDeprecationWarning)
        try:
            list(Lexer().tokenize(text))
        except PendingDeprecationWarning:
            raise cfg.error("expression", "uses a deprecated `bare` string literal; quote strings as 'text'") from None
        except (JMESPathError, ValueError):
            pass  # the parser below words the syntax error


def compile_expression(t: DataTransformation, registry: Registry) -> Kernel:
    cfg = ConfigReader(t, ("expression",))
    text = cfg.get("expression", str)
    _refuse_deprecated_literals(cfg, text)
    try:
        compiled = jmespath.compile(text)
    except (JMESPathError, ValueError, RecursionError) as exc:
        raise cfg.error("expression", f"is not valid JMESPath: {str(exc)[:200]}") from None
    unknown = sorted(set(_function_names(compiled.parsed)) - JMESPATH_FUNCTIONS)
    if unknown:
        known = ", ".join(sorted(JMESPATH_FUNCTIONS))
        raise cfg.error("expression", f"is not valid JMESPath: unknown function {unknown[0]}() (known: {known})")
    return Kernel(compiled.search, kind="record", always=True)
