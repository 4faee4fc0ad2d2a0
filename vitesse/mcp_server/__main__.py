"""Run Vitesse's MCP server: `python -m vitesse.mcp_server [--transport stdio|streamable-http]`.

`vitesse mcp` is the same command: the CLI adds `add_mcp_arguments` to its sub-parser and calls `cmd_mcp`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from vitesse.mcp_server.server import run_mcp


def add_mcp_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the server's flags to a parser (this module's own, or the `vitesse mcp` sub-parser)."""
    parser.add_argument(
        "--transport", choices=("stdio", "streamable-http"), default="stdio",
        help="stdio for Claude Desktop and IDEs (default); streamable-http to serve on HOST:PORT/PATH.",
    )  # fmt: skip
    parser.add_argument("--host", default="127.0.0.1", help="Interface for streamable HTTP (default 127.0.0.1).")
    parser.add_argument("--port", type=int, default=8765, help="Port for streamable HTTP (default 8765).")
    parser.add_argument("--path", default="/mcp", help="URL path of the MCP endpoint (default /mcp).")
    return parser


def cmd_mcp(args: argparse.Namespace, settings: Any) -> int:
    """Serve until interrupted with the parsed flags; returns the exit code."""
    try:
        run_mcp(settings, transport=args.transport, host=args.host, port=args.port, path=args.path)
    except KeyboardInterrupt:
        pass
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the flags, read the settings from the environment, and serve until interrupted."""
    from vitesse.config import Settings
    from vitesse.errors import ConfigError

    parser = argparse.ArgumentParser(prog="python -m vitesse.mcp_server", description="Serve Vitesse over MCP.")
    args = add_mcp_arguments(parser).parse_args(argv)
    try:
        settings = Settings()
    except ConfigError as exc:
        print(f"vitesse mcp: {exc}", file=sys.stderr)
        return 2
    return cmd_mcp(args, settings)


if __name__ == "__main__":
    sys.exit(main())
