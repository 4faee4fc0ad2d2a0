"""Keep the named functions a `custom` transformation can call.

A custom function receives the source values as positional arguments, in `source_fields` order
(missing values arrive as None; the function is not called when every value is missing), and the
transformation's `params` as keyword arguments. It returns the destination value (None: no value)
and signals bad input by raising ValueError or TypeError, which become the record's FieldError.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from vitesse.errors import TransformError

F = TypeVar("F", bound=Callable[..., Any])

CUSTOM_FUNCTIONS: dict[str, Callable[..., Any]] = {}
"""The process-wide registry: name → function. Built-ins are registered when the package is imported."""


def register_transform(name: str, *, registry: dict[str, Callable[..., Any]] | None = None) -> Callable[[F], F]:
    """Register the decorated function under `name` (replacing any function of that name).

    Args:
        name: the name transformations use in `{"function": name}`.
        registry: the map to register into; the process-wide `CUSTOM_FUNCTIONS` when None.

    Returns:
        A decorator that registers the function and returns it unchanged.
    """
    if not isinstance(name, str) or not name.strip():
        raise TransformError("A custom transform needs a non-empty name")
    target = CUSTOM_FUNCTIONS if registry is None else registry

    def decorate(fn: F) -> F:
        if not callable(fn):
            raise TransformError(f"Custom transform '{name}' must be callable")
        target[name] = fn
        return fn

    return decorate


def get_transform(name: str, registry: Mapping[str, Callable[..., Any]] | None = None) -> Callable[..., Any]:
    """Return the function registered as `name`, looking in `registry` first, then `CUSTOM_FUNCTIONS`.

    Raises:
        TransformError: no function has that name; the message lists the known names.
    """
    if registry is not None and name in registry:
        return registry[name]
    if name in CUSTOM_FUNCTIONS:
        return CUSTOM_FUNCTIONS[name]
    known = sorted(set(CUSTOM_FUNCTIONS) | set(registry or {}))
    raise TransformError(
        f"Unknown custom transform function '{name}'. Known functions: {', '.join(known)}. "
        "Register your own with @register_transform('name') or pass registry= to compile_mapping."
    )
