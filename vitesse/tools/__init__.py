"""List Vitesse's tools once, for both faces: the graph binds them as LangChain tools, the MCP server registers them.

Each tool is a plain typed `async def` whose docstring is the description a model reads; the arguments a
model fills come before `*`, the dependencies a face supplies (settings, sessions, tenant …) after it
(see `vitesse.tools._faces`). The deploy tools live in `vitesse.tools.deploy`; they join `TOOLS` by name
when that module is installed.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from vitesse.tools._faces import ToolFn, args_model, describe, original, with_dependencies
from vitesse.tools.apis import ingest_api
from vitesse.tools.http_probe import http_probe
from vitesse.tools.lifecycle import create_integration, get_integration, list_integrations, review_integration
from vitesse.tools.mapping import propose_mapping, run_guardian
from vitesse.tools.sync import sync_integration

__all__ = ["DEPLOY_TOOL_NAMES", "TOOLS", "as_langchain_tools", "get_tool", "original", "tool_names"]

DEPLOY_TOOL_NAMES = ("deploy_integration", "get_deployment_status", "destroy_deployment", "get_deployment_logs")
DEPLOY_MODULE = "vitesse.tools.deploy"


def _deploy_tools() -> list[ToolFn]:
    """The deploy tools that exist in `vitesse.tools.deploy` (none while that module is absent)."""
    try:
        module = importlib.import_module(DEPLOY_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name != DEPLOY_MODULE:
            raise
        return []
    return [getattr(module, name) for name in DEPLOY_TOOL_NAMES if callable(getattr(module, name, None))]


TOOLS: list[ToolFn] = [
    create_integration,
    get_integration,
    list_integrations,
    review_integration,
    sync_integration,
    ingest_api,
    propose_mapping,
    run_guardian,
    *_deploy_tools(),
    http_probe,
]
"""Every tool, in the order a model meets them; the one list both faces are built from."""


def tool_names() -> list[str]:
    """Return the names of the tools in `TOOLS`."""
    return [fn.__name__ for fn in TOOLS]


def get_tool(name: str) -> ToolFn:
    """Return the tool function called `name`; the error lists the known names."""
    for fn in TOOLS:
        if fn.__name__ == name:
            return fn
    raise KeyError(f"No tool {name!r}; known tools: {', '.join(tool_names())}")


def as_langchain_tools(
    dependencies: Mapping[str, Any] | Callable[[], Mapping[str, Any]] | None = None,
    names: Iterable[str] | None = None,
) -> list[Any]:
    """Return `TOOLS` as LangChain `StructuredTool`s for the graph, dependencies filled by name.

    Args:
        dependencies: Values for the tools' keyword-only dependencies (`settings`, `sessions`, `tenant` …),
            or a callable returning them at call time (a node builds them from `Runtime[Context]`).
        names: Only these tools (e.g. the deploy tools and `http_probe` for a node's agent); all when None.

    Returns:
        One StructuredTool per chosen function, in the order of `TOOLS` (or of `names`); each tool's
        `coroutine` wraps the function itself (`original(tool.coroutine) is fn`) and returns JSON-ready dicts.
    """
    from langchain_core.tools import StructuredTool

    provide = dependencies if dependencies is not None else {}
    chosen = TOOLS if names is None else [get_tool(name) for name in names]
    tools = []
    for fn in chosen:
        bound = with_dependencies(fn, provide)
        tools.append(
            StructuredTool.from_function(
                coroutine=_json_result(bound),
                name=fn.__name__,
                description=describe(fn),
                args_schema=args_model(fn),
            )
        )
    return tools


def _json_result(bound: ToolFn) -> ToolFn:
    import functools

    @functools.wraps(bound)
    async def call(**arguments: Any) -> Any:
        result = await bound(**arguments)
        return result.model_dump(mode="json") if hasattr(result, "model_dump") else result

    return call
