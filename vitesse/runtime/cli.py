"""Parse the runtime's command line and serve it (or run one sync, or replay the dead letters, and exit)."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Sequence

from vitesse.errors import VitesseError
from vitesse.runtime.app import _client, create_runtime_app, open_store
from vitesse.runtime.config import RuntimeConfig, load_config
from vitesse.runtime.engine import SyncEngine
from vitesse.runtime.report import RunStatus, SyncReport


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m vitesse.runtime", description="Run a Vitesse sync.")
    parser.add_argument("--config", default=os.environ.get("VITESSE_RUNTIME_CONFIG"), help="the runtime's JSON config")
    parser.add_argument("--host", default=os.environ.get("VITESSE_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("VITESSE_PORT", "8080")))
    parser.add_argument("--once", action="store_true", help="run one sync, print its report as JSON and exit")
    parser.add_argument("--replay-dead-letters", action="store_true", help="replay the dead letters and exit")
    parser.add_argument("--log-level", default=os.environ.get("VITESSE_LOG_LEVEL", "info"))
    return parser


async def _run_once(config: RuntimeConfig, replay: bool) -> SyncReport:
    store = open_store(config, os.environ)
    try:
        async with _client(config) as client:
            engine = SyncEngine(config, store=store, client=client)
            return await (engine.replay_dead_letters() if replay else engine.run_once())
    finally:
        store.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the runtime; returns the process exit code (2: bad config, 1: a one-off run did not complete)."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "httpcore"):  # they log every URL, query-string credentials included
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if not args.config:
        print("error: give --config PATH (or set VITESSE_RUNTIME_CONFIG)", file=sys.stderr)
        return 2
    try:
        config = load_config(args.config)
        if args.once or args.replay_dead_letters:
            report = asyncio.run(_run_once(config, args.replay_dead_letters))
            print(json.dumps(report.to_dict(), indent=2))
            return 0 if report.status == RunStatus.COMPLETED else 1
        app = create_runtime_app(config)
    except VitesseError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    import uvicorn

    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level.lower(), access_log=False)
    return 0
