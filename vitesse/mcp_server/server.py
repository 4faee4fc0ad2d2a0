"""Build Vitesse's MCP server: the lifecycle tools, the integration resources and the guiding prompt.

`build_mcp_server(settings)` returns an `MCPServer` whose lifespan opens the database, the orchestrator
and the deployers; `run_mcp(settings, transport)` serves it over stdio (Claude Desktop, IDEs) or
streamable HTTP. The HTTP API mounts `server.streamable_http_app(streamable_http_path="/")` at `/mcp`
and runs `server.session_manager.run()` in its own lifespan.
"""

from __future__ import annotations

from typing import Any, Literal

from mcp.server.mcpserver import MCPServer

from vitesse.config import Settings
from vitesse.mcp_server.masking import mask_tool_secrets
from vitesse.mcp_server.prompts import register_prompts
from vitesse.mcp_server.resources import register_resources
from vitesse.mcp_server.state import DEFAULT_TENANT, AppContext, make_lifespan, remember_request
from vitesse.mcp_server.tools import register_tools

SERVER_NAME = "vitesse"
INSTRUCTIONS = """\
Vitesse builds API integrations: it reads two OpenAPI/Swagger APIs, maps the source's fields onto the
destination's, proves the mapping with shadow calls against sandboxes generated from both specs, heals
what fails, and deploys a sync runtime. Explore with ingest_api, propose_mapping and run_guardian; build
with create_integration (it does all of it and reports progress; give deployment_target to deploy the
proven runtime); a run that pauses with status 'review' waits for review_integration; an active
integration syncs with sync_integration and is watched with the deployment tools.
Resources vitesse://integrations/{id}[/mapping|/health|/events] show an integration's state.
"""
Transport = Literal["stdio", "streamable-http"]


def build_mcp_server(settings: Settings | None = None, *, tenant: str = DEFAULT_TENANT) -> MCPServer[AppContext]:
    """Build the server; nothing is opened until its lifespan runs (a client connects, or the app starts).

    Args:
        settings: Process settings (database, data dir, network policy); read from the environment when None.
        tenant: The tenant of requests that carry none (stdio); the HTTP app sets `request.state.tenant`.

    Returns:
        The MCPServer with every tool of `vitesse.tools.TOOLS`, the resources and the prompt registered.
    """
    from vitesse import tools

    settings = settings or Settings()
    mcp: MCPServer[AppContext] = MCPServer(
        SERVER_NAME,
        title="Vitesse",
        description="Autonomous integration factory: read two APIs, map, prove, heal, deploy.",
        instructions=INSTRUCTIONS,
        version=_version(),
        lifespan=make_lifespan(settings, tenant),
        middleware=[remember_request, mask_tool_secrets],
        log_level="WARNING",
    )
    register_tools(mcp, tools.TOOLS)
    register_resources(mcp)
    register_prompts(mcp)
    return mcp


def run_mcp(
    settings: Settings | None = None,
    transport: Transport = "stdio",
    host: str = "127.0.0.1",
    port: int = 8765,
    path: str = "/mcp",
) -> None:
    """Serve the MCP server until interrupted: stdio (default) or streamable HTTP on host:port at `path`.

    This is what `vitesse mcp [--transport stdio|streamable-http] [--host H] [--port P]` calls.
    """
    server = build_mcp_server(settings)
    if transport == "stdio":
        server.run("stdio")
        return
    if transport != "streamable-http":
        raise ValueError(f"Unknown transport {transport!r}: use stdio or streamable-http")
    server.run("streamable-http", host=host, port=port, streamable_http_path=path)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("vitesse")
    except PackageNotFoundError:
        return "0"


def tool_handler(server: MCPServer[Any], name: str) -> Any:
    """Return the function registered for a tool (tests follow it to `vitesse.tools.TOOLS`)."""
    tool = server._tool_manager.get_tool(name)
    if tool is None:
        raise KeyError(f"No tool {name!r} on this server")
    return tool.fn
