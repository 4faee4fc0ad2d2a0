"""Serve Vitesse over HTTP: the guide's REST API under /api/v1/vitesse, runs streamed as SSE, MCP at /mcp.

`create_app(settings)` builds the Starlette app, `serve(settings, host, port)` runs it with uvicorn, and
`token_create(...)` prints a token for it (the CLI's `vitesse token create`).
"""

from vitesse.api.app import create_app, serve
from vitesse.api.auth import Principal, create_token, decode_token, jwt_secret
from vitesse.api.openapi import openapi_document
from vitesse.api.tokens import create_api_key_token, token_create

__all__ = [
    "Principal",
    "create_api_key_token",
    "create_app",
    "create_token",
    "decode_token",
    "jwt_secret",
    "openapi_document",
    "serve",
    "token_create",
]
