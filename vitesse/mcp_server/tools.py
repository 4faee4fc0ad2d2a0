"""Register `vitesse.tools.TOOLS` on the MCP server: the same functions, dependencies filled from the lifespan.

Each tool keeps its model-facing signature and description; the face adds the request `Context`, fills
the keyword-only dependencies (settings, sessions, tenant, actor, orchestrator, deployers, a progress
sink) by name, and turns Vitesse's errors into MCP tool errors whose message says what to do.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Iterable
from typing import Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations
from pydantic import ValidationError

from vitesse.errors import VitesseError
from vitesse.mcp_server.progress import ProgressSink
from vitesse.mcp_server.state import AppContext, request_identity
from vitesse.tools._faces import ToolFn, dependency_names, describe, model_parameters, return_annotation
from vitesse.tools._views import validation_problems

READ_ONLY = {
    "get_integration", "list_integrations", "ingest_api", "propose_mapping", "run_guardian",
    "get_deployment_status", "get_deployment_logs",
}  # fmt: skip
DESTRUCTIVE = {"destroy_deployment"}
OPEN_WORLD = {"create_integration", "ingest_api", "propose_mapping", "http_probe", "sync_integration"}
TITLES = {
    "create_integration": "Create an integration", "get_integration": "Show an integration",
    "list_integrations": "List integrations", "review_integration": "Review a paused integration",
    "sync_integration": "Sync now", "ingest_api": "Read an API", "propose_mapping": "Propose a field mapping",
    "run_guardian": "Prove a mapping", "deploy_integration": "Deploy the sync runtime",
    "get_deployment_status": "Deployment status", "destroy_deployment": "Remove a deployment",
    "get_deployment_logs": "Deployment logs", "http_probe": "Probe a URL",
}  # fmt: skip


def register_tools(mcp: MCPServer[Any], tools: Iterable[ToolFn]) -> None:
    """Add every tool function to the server under its own name and description."""
    for fn in tools:
        name = fn.__name__
        mcp.add_tool(
            mcp_face(fn),
            name=name,
            title=TITLES.get(name),
            description=describe(fn),
            annotations=ToolAnnotations(
                title=TITLES.get(name),
                read_only_hint=name in READ_ONLY,
                destructive_hint=name in DESTRUCTIVE,
                open_world_hint=name in OPEN_WORLD,
            ),
        )


def mcp_face(fn: ToolFn) -> ToolFn:
    """Return `fn` as an MCP tool handler: its own arguments plus the request context; `__wrapped__` is `fn`."""
    wanted = dependency_names(fn)

    @functools.wraps(fn)
    async def call(ctx: Context[AppContext, Any], **arguments: Any) -> Any:
        deps = dependencies(ctx, wanted)
        try:
            return await fn(**arguments, **deps)
        except VitesseError as exc:
            raise ToolError(exc.message) from exc
        except ValidationError as exc:
            raise ToolError(f"Invalid input: {validation_problems(exc)}") from exc

    params = [*model_parameters(fn), inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=Context)]
    call.__signature__ = inspect.Signature(params, return_annotation=return_annotation(fn))  # type: ignore[attr-defined]
    call.__annotations__ = {p.name: p.annotation for p in params} | {"return": return_annotation(fn)}
    return call


def dependencies(ctx: Context[AppContext, Any], wanted: frozenset[str]) -> dict[str, Any]:
    """Return the values of the dependencies a tool takes, from the lifespan and the request."""
    request_context = ctx.request_context
    app: AppContext = request_context.lifespan_context
    tenant, actor = request_identity(request_context, app)
    available: dict[str, Any] = {
        "settings": app.settings,
        "sessions": app.sessions,
        "tenant": tenant,
        "actor": actor,
        "deployers": app.deployers,
    }
    if "orchestrator" in wanted:
        available["orchestrator"] = app.orchestrator_for(tenant)
    if "on_event" in wanted:
        available["on_event"] = ProgressSink(ctx, app.events)
    return {name: value for name, value in available.items() if name in wanted}
