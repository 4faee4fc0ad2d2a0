"""Give one plain tool function its faces: the schema a model sees, and calls with dependencies filled in.

The convention every function in `vitesse.tools.TOOLS` follows: the arguments a model fills come first
(positional-or-keyword, typed, described with `Annotated[..., Field(description=...)]`); the dependencies
a face supplies (settings, database sessions, tenant, an event sink, an HTTP client …) are keyword-only,
after `*`, and all have defaults. A face hides the keyword-only parameters from the model and fills the
ones it has by name; the others keep their defaults, so every tool also runs with no face at all.
"""

from __future__ import annotations

import functools
import inspect
import re
import typing
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, create_model

ToolFn = Callable[..., Awaitable[Any]]
_ARG_LINE = re.compile(r"^(\s*)(\w+)(\s*\([^)]*\))?:")


def model_parameters(fn: ToolFn) -> list[inspect.Parameter]:
    """Return the parameters a model fills (everything before `*`), with their annotations resolved."""
    hints = typing.get_type_hints(fn, include_extras=True)
    params = []
    for param in inspect.signature(fn).parameters.values():
        if param.kind in (param.POSITIONAL_OR_KEYWORD, param.POSITIONAL_ONLY):
            params.append(param.replace(kind=param.KEYWORD_ONLY, annotation=hints.get(param.name, Any)))
    return params


def dependency_names(fn: ToolFn) -> frozenset[str]:
    """Return the keyword-only parameters: the dependencies a face may fill."""
    return frozenset(p.name for p in inspect.signature(fn).parameters.values() if p.kind == p.KEYWORD_ONLY)


def return_annotation(fn: ToolFn) -> Any:
    """Return the tool's resolved return type (a pydantic model for every Vitesse tool)."""
    return typing.get_type_hints(fn, include_extras=True).get("return", Any)


def describe(fn: ToolFn) -> str:
    """Return the docstring a model reads: the function's own, without the entries of its dependencies."""
    doc = inspect.cleandoc(fn.__doc__ or fn.__name__)
    hidden = dependency_names(fn)
    lines: list[str] = []
    skipping_indent: int | None = None
    for line in doc.splitlines():
        match = _ARG_LINE.match(line)
        indent = len(line) - len(line.lstrip())
        if skipping_indent is not None and (not line.strip() or indent > skipping_indent):
            continue
        skipping_indent = None
        if match and match.group(2) in hidden:
            skipping_indent = len(match.group(1))
            continue
        lines.append(line)
    return "\n".join(lines).strip()


def args_model(fn: ToolFn) -> type[BaseModel]:
    """Build the pydantic model of the arguments a model fills (what LangChain validates tool calls with)."""
    fields: dict[str, Any] = {}
    for param in model_parameters(fn):
        default = ... if param.default is inspect.Parameter.empty else param.default
        fields[param.name] = (param.annotation, default)
    name = "".join(part.title() for part in fn.__name__.split("_")) + "Input"
    return create_model(name, __config__=ConfigDict(extra="forbid"), **fields)


def with_dependencies(fn: ToolFn, provide: Callable[[], Mapping[str, Any]] | Mapping[str, Any]) -> ToolFn:
    """Return `fn` taking only its model-facing arguments; dependencies come from `provide` by name.

    `provide` is a mapping, or a callable returning one at call time. The result keeps `fn` as
    `__wrapped__`, so both faces can be traced back to the one definition.
    """
    wanted = dependency_names(fn)

    @functools.wraps(fn)
    async def call(**arguments: Any) -> Any:
        available = provide() if callable(provide) else provide
        deps = {name: value for name, value in available.items() if name in wanted and value is not None}
        return await fn(**arguments, **deps)

    params = model_parameters(fn)
    call.__signature__ = inspect.Signature(params, return_annotation=return_annotation(fn))  # type: ignore[attr-defined]
    call.__annotations__ = {p.name: p.annotation for p in params} | {"return": return_annotation(fn)}
    return call


def original(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Follow `__wrapped__` back to the plain tool function a face was built from."""
    unwrapped: Callable[..., Any] = inspect.unwrap(fn)
    return unwrapped
