"""Vitesse mcp_server."""
