"""Validate a transformation's config once, and describe what each transform type compiles to."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from vitesse.errors import TransformError
from vitesse.schemas import DataTransformation

COMMON_KEYS = ("default", "keep_null", "each")
"""Keys every transform type accepts; see the package docstring for what they do."""
_UNSET: Any = object()
Registry = Mapping[str, Callable[..., Any]]


@dataclass(frozen=True, slots=True)
class Kernel:
    """What a transform type compiles to: a function and how the engine should feed it.

    `kind` says what `fn` receives: `one` the single source value, `many` a list with one value per
    source field, `record` the whole source record, `none` nothing. `aggregate` makes `[]` sources
    arrive as whole lists (collect) instead of their first non-null element. `identity` lets the
    engine skip the call. `always` runs `fn` even when every source is missing.
    """

    fn: Callable[..., Any]
    kind: Literal["one", "many", "record", "none"] = "one"
    aggregate: bool = False
    identity: bool = False
    always: bool = False


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _type_names(types: type | tuple[type, ...]) -> str:
    names = {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "an object",
    }
    items = types if isinstance(types, tuple) else (types,)
    return " or ".join(names.get(t, t.__name__) for t in items)


class ConfigReader:
    """Read a `transform_config` key by key; every problem is a TransformError naming the field and key."""

    def __init__(self, t: DataTransformation, allowed: Iterable[str]) -> None:
        self.dest = t.dest_field
        self.kind = t.transform_type.value
        self.config: dict[str, Any] = dict(t.transform_config or {})
        known = tuple(allowed) + COMMON_KEYS
        for key in self.config:
            if key not in known:
                raise self.error(key, f"is not a '{self.kind}' option (known keys: {', '.join(sorted(known))})")

    def error(self, key: str | None, why: str) -> TransformError:
        """Build the error for a bad key (or for the transformation as a whole when key is None)."""
        where = f"Transformation for '{self.dest}' ({self.kind})"
        return TransformError(f"{where}: config key '{key}' {why}" if key else f"{where}: {why}")

    def has(self, key: str) -> bool:
        return key in self.config

    def get(
        self,
        key: str,
        types: type | tuple[type, ...] | None = None,
        default: Any = _UNSET,
        choices: Iterable[Any] | None = None,
    ) -> Any:
        """Return the key's value, checked against types and choices; required when no default is given."""
        if key not in self.config:
            if default is _UNSET:
                raise self.error(key, "is required")
            return default
        value = self.config[key]
        if types is not None:
            wanted = types if isinstance(types, tuple) else (types,)
            bad_bool = isinstance(value, bool) and bool not in wanted
            if bad_bool or not isinstance(value, wanted):
                raise self.error(key, f"must be {_type_names(types)}, not {_short(value)}")
        if choices is not None:
            options = list(choices)
            if value not in options:
                raise self.error(key, f"must be one of {', '.join(map(str, options))}; got {_short(value)}")
        return value

    def str_list(self, key: str, default: Any = _UNSET) -> Any:
        """Return a list of strings (or numbers/booleans, which are compared as text)."""
        value = self.get(key, list, default)
        if value is not default and not all(isinstance(v, str | int | float) for v in value):
            raise self.error(key, "must be a list of strings")
        return value


def fresh(value: Any) -> Callable[[], Any]:
    """Return a factory of the value that hands out a new copy of containers each time."""
    if isinstance(value, dict | list):
        return lambda: copy.deepcopy(value)
    return lambda: value
