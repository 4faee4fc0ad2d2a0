"""Run Vitesse's MCP server: `python -m vitesse.mcp_server [--transport stdio|streamable-http]`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from vitesse.mcp_server.server import run_mcp


def build_parser() -> argparse.ArgumentParser:
    """Return the command line of the MCP server (the flags `vitesse mcp` takes too)."""
    parser = argparse.ArgumentParser(prog="vitesse mcp", description="Serve Vitesse's tools over MCP.")
    parser.add_argument(
        "--transport", choices=("stdio", "streamable-http"), default="stdio",
        help="stdio for Claude Desktop and IDEs (default); streamable-http to serve on HOST:PORT/PATH.",
    )  # fmt: skip
    parser.add_argument("--host", default="127.0.0.1", help="Interface for streamable HTTP (default 127.0.0.1).")
    parser.add_argument("--port", type=int, default=8765, help="Port for streamable HTTP (default 8765).")
    parser.add_argument("--path", default="/mcp", help="URL path of the MCP endpoint (default /mcp).")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the flags, read the settings from the environment, and serve until interrupted."""
    from vitesse.config import Settings
    from vitesse.errors import ConfigError

    args = build_parser().parse_args(argv)
    try:
        settings = Settings()
    except ConfigError as exc:
        print(f"vitesse mcp: {exc}", file=sys.stderr)
        return 2
    try:
        run_mcp(settings, transport=args.transport, host=args.host, port=args.port, path=args.path)
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
