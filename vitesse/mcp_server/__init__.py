"""Serve Vitesse's lifecycle over MCP: the shared tools, the integration resources and a guiding prompt."""

from vitesse.mcp_server.server import build_mcp_server, run_mcp
from vitesse.mcp_server.state import AppContext

__all__ = ["AppContext", "build_mcp_server", "run_mcp"]
