"""Run the `vitesse` command: demo, ingest, map, test, create, deploy, sync, status, mock, serve, mcp.

Each sub-command is a `cmd_<name>(args, settings) -> int` function; `build_parser()` wires them.
Errors Vitesse raises on purpose are printed as one clear line (exit code 2), never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

from rich.console import Console

from vitesse.config import Settings
from vitesse.errors import IngestError, VitesseError

Command = Callable[[argparse.Namespace, Settings], int]

out = Console(soft_wrap=True)
err = Console(stderr=True)


def _print_json(payload: Any) -> None:
    """Print JSON to stdout with nothing else on it (machine-readable output)."""
    sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


# --------------------------------------------------------------------------------------------
# ingest
# --------------------------------------------------------------------------------------------


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from vitesse.graph.ingestor import ingest
    from vitesse.graph.ingestor.summary import render_summary

    spec = asyncio.run(ingest(args.source, spec_url=args.spec_url, settings=settings, name=args.name))
    if args.json:
        payload = spec.materialize_fields().model_dump(mode="json", by_alias=True)
        for endpoint in payload["endpoints"] + payload["webhooks"]:
            if endpoint.get("pagination"):
                endpoint["pagination"] = {k: v for k, v in endpoint["pagination"].items() if v is not None}
        _print_json(payload)
    else:
        render_summary(spec, out)
    return 0


def _add_ingest(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("ingest", help="Read an OpenAPI/Swagger document and summarise the API.")
    p.add_argument("source", help="A spec URL, an API base URL (discovery), or a file path.")
    p.add_argument("--spec-url", help="Explicit spec URL when the base URL does not serve one.")
    p.add_argument("--name", help="A short name for the API (default: from the spec's title).")
    p.add_argument("--json", action="store_true", help="Print only the APISpecification JSON on stdout.")
    p.set_defaults(func=cmd_ingest)


# --------------------------------------------------------------------------------------------
# demo
# --------------------------------------------------------------------------------------------


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from vitesse.demo import run_demo

    return run_demo(args, settings, out=out, err=err)


def _add_demo(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("demo", help="Run the whole loop offline on the bundled example APIs.")
    p.add_argument("--json", action="store_true", help="Print only the final IntegrationInstance JSON on stdout.")
    p.add_argument("--keep", action="store_true", help="Leave the deployed runtime running.")
    p.set_defaults(func=cmd_demo)


# --------------------------------------------------------------------------------------------
# map
# --------------------------------------------------------------------------------------------


def cmd_map(args: argparse.Namespace, settings: Settings) -> int:
    from vitesse.graph.mapper import run_map

    asyncio.run(
        run_map(
            args.source,
            args.dest,
            intent=args.intent or "",
            source_endpoint=args.source_endpoint,
            dest_endpoint=args.dest_endpoint,
            llm=args.llm,
            as_json=args.json,
            settings=settings,
            console=out,
        )
    )
    return 0


def _add_map(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("map", help="Map fields from a source endpoint to a destination endpoint.")
    p.add_argument("source", help="The source API: anything `vitesse ingest` accepts.")
    p.add_argument("dest", help="The destination API.")
    p.add_argument("--intent", help='Plain language, e.g. "Sync Shopify customers to CRM contacts".')
    p.add_argument("--source-endpoint", help='e.g. "GET /v1/customers" (wins over the intent).')
    p.add_argument("--dest-endpoint", help='e.g. "POST /contacts".')
    p.add_argument("--llm", action=argparse.BooleanOptionalAction, default=False, help="Rerank with the LLM.")
    p.add_argument("--json", action="store_true", help="Print only the MappingLogic JSON on stdout.")
    p.set_defaults(func=cmd_map)


# --------------------------------------------------------------------------------------------
# test
# --------------------------------------------------------------------------------------------


def cmd_test(args: argparse.Namespace, settings: Settings) -> int:
    from vitesse.graph.guardian.cli import run_test_command

    settings = settings.model_copy(update={"allow_loopback": settings.allow_loopback or _loopback(args)})
    return asyncio.run(
        run_test_command(
            args.source,
            args.dest,
            intent=args.intent or "",
            source_endpoint=args.source_endpoint,
            dest_endpoint=args.dest_endpoint,
            test_count=args.test_count,
            faults=args.fault,
            as_json=args.json,
            source_base_url=args.source_base_url,
            dest_base_url=args.dest_base_url,
            allow_writes=args.allow_writes,
            source_credentials=args.source_credential,
            dest_credentials=args.dest_credential,
            concurrency=args.concurrency,
            seed=args.seed,
            settings=settings,
            console=out,
        )
    )


def _loopback(args: argparse.Namespace) -> bool:
    urls = [args.source_base_url or "", args.dest_base_url or ""]
    return any(u.startswith(("http://127.", "http://localhost", "http://[::1]")) for u in urls)


def _add_test(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("test", help="Map two APIs and prove the mapping with shadow calls (the Guardian).")
    p.add_argument("source", help="The source API: anything `vitesse ingest` accepts.")
    p.add_argument("dest", help="The destination API.")
    p.add_argument("--intent", help="Plain-language intent used to pick the endpoints.")
    p.add_argument("--source-endpoint", help='e.g. "GET /v1/customers".')
    p.add_argument("--dest-endpoint", help='e.g. "POST /contacts".')
    p.add_argument("--test-count", type=int, default=100, help="Shadow calls to make (default 100).")
    p.add_argument("--concurrency", type=int, default=10, help="Calls in flight at once (default 10).")
    p.add_argument("--seed", type=int, default=1, help="Seed of the synthetic data and sandboxes.")
    p.add_argument(
        "--fault", action="append", help="Sandbox fault, e.g. error_rate=0.1, rate_limit=0.2, latency=20..200."
    )
    p.add_argument("--source-base-url", help="Shadow-read a live source API instead of its sandbox.")
    p.add_argument("--dest-base-url", help="A live destination (writes need --allow-writes).")
    p.add_argument("--allow-writes", action="store_true", help="Allow shadow writes to a live destination.")
    p.add_argument("--source-credential", action="append", help="name=value credential for the source.")
    p.add_argument("--dest-credential", action="append", help="name=value credential for the destination.")
    p.add_argument("--json", action="store_true", help="Print only the health report JSON on stdout.")
    p.set_defaults(func=cmd_test)


# --------------------------------------------------------------------------------------------
# mock
# --------------------------------------------------------------------------------------------


def cmd_mock(args: argparse.Namespace, settings: Settings) -> int:
    from vitesse.sandbox import serve_mock

    serve_mock(args.spec, port=args.port, seed=args.seed, faults=args.fault)
    return 0


def _add_mock(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("mock", help="Serve a stateful sandbox of any spec on 127.0.0.1.")
    p.add_argument("spec", help="A spec file or URL.")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--fault", action="append", help="e.g. error_rate=0.1, rate_limit=0.2, latency=20..200.")
    p.set_defaults(func=cmd_mock)


# --------------------------------------------------------------------------------------------
# create
# --------------------------------------------------------------------------------------------


def cmd_create(args: argparse.Namespace, settings: Settings) -> int:
    from vitesse.demo import render, show_event
    from vitesse.graph.context import Context
    from vitesse.orchestrator import VitesseOrchestrator
    from vitesse.schemas import DeploymentConfig, DeploymentTarget

    deployment = DeploymentConfig(target=DeploymentTarget(args.target)) if args.target else None
    instance = asyncio.run(
        VitesseOrchestrator(settings=settings).create_integration(
            source_api_url=args.source,
            source_api_name=args.source_name or args.source,
            dest_api_url=args.dest,
            dest_api_name=args.dest_name or args.dest,
            user_intent=args.intent,
            source_endpoint=args.source_endpoint,
            dest_endpoint=args.dest_endpoint,
            source_spec_url=args.source_spec_url,
            dest_spec_url=args.dest_spec_url,
            source_auth=_auth_from(args.source_credential),
            dest_auth=_auth_from(args.dest_credential),
            deployment_config=deployment,
            created_by=args.created_by,
            run_context=Context(test_count=args.test_count, use_llm=args.llm),
            on_event=lambda event: show_event(err, event),
        )
    )
    if args.json:
        _print_json(instance.model_dump(mode="json", exclude={"source_spec", "dest_spec"}))
    else:
        render(instance, {}, out)
    return 0 if instance.status.value in ("ready", "active", "review") else 1


def _auth_from(items: list[str] | None) -> dict[str, str] | None:
    """Credentials as `name=value` flags, or `name=env:VAR` to read them from the environment."""
    import os

    if not items:
        return None
    auth: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise VitesseError(f"credential {name!r} must be name=value (e.g. api_key=env:SHOP_API_KEY)")
        auth[name] = os.environ.get(value[4:], "") if value.startswith("env:") else value
    return auth


def _add_create(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("create", help="Build an integration between two real APIs (ingest, map, prove, deploy).")
    p.add_argument("--source", required=True, help="Source API: spec URL, base URL or file.")
    p.add_argument("--dest", required=True, help="Destination API: spec URL, base URL or file.")
    p.add_argument("--intent", required=True, help='e.g. "Sync Stripe customers into Pipedrive persons".')
    p.add_argument("--source-name")
    p.add_argument("--dest-name")
    p.add_argument("--source-endpoint")
    p.add_argument("--dest-endpoint")
    p.add_argument("--source-spec-url")
    p.add_argument("--dest-spec-url")
    p.add_argument("--source-credential", action="append", help="name=value or name=env:VAR (repeatable).")
    p.add_argument("--dest-credential", action="append", help="name=value or name=env:VAR (repeatable).")
    p.add_argument("--target", choices=["process", "local", "eks", "ecs"], help="Deploy when the proof passes.")
    p.add_argument("--test-count", type=int, default=100)
    p.add_argument("--llm", action=argparse.BooleanOptionalAction, default=False)
    p.add_argument("--created-by")
    p.add_argument("--json", action="store_true", help="Print only the IntegrationInstance JSON on stdout.")
    p.set_defaults(func=cmd_create)


# --------------------------------------------------------------------------------------------
# deploy, sync, status, logs, destroy
# --------------------------------------------------------------------------------------------


def cmd_deploy(args: argparse.Namespace, settings: Settings) -> int:
    from vitesse.orchestrator import VitesseOrchestrator
    from vitesse.schemas import DeploymentConfig, DeploymentTarget

    settings = settings.model_copy(update={"allow_loopback": settings.allow_loopback or _loopback(args)})
    env = {}
    if args.source_base_url:
        env["VITESSE_SOURCE_BASE_URL"] = args.source_base_url
    if args.dest_base_url:
        env["VITESSE_DEST_BASE_URL"] = args.dest_base_url
    config = DeploymentConfig(
        target=DeploymentTarget(args.target),
        memory_mb=args.memory_mb,
        cpu_cores=args.cpu_cores,
        schedule_interval_s=args.schedule or None,
        env=env,
    )
    result = asyncio.run(
        VitesseOrchestrator(settings=settings).deploy_integration(args.integration, config, dry_run=args.dry_run)
    )
    _print_json(result)
    return 0


def _add_deploy(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("deploy", help="Deploy an integration's sync runtime (or write its files with --dry-run).")
    p.add_argument("integration", help="The integration id (from `vitesse create`).")
    p.add_argument("--target", choices=["process", "local", "eks", "ecs"], default="process")
    p.add_argument("--dry-run", metavar="DIR", help="Write the Dockerfile, manifests and task definition to DIR.")
    p.add_argument("--memory-mb", type=int, default=512)
    p.add_argument("--cpu-cores", type=float, default=0.5)
    p.add_argument("--schedule", type=int, default=300, help="Seconds between syncs (default 300; 0: on demand).")
    p.add_argument("--source-base-url", help="Where the runtime reads (default: the source spec's server).")
    p.add_argument("--dest-base-url", help="Where the runtime writes (default: the destination spec's server).")
    p.set_defaults(func=cmd_deploy)


def _deployment_command(action: str) -> Command:
    def run(args: argparse.Namespace, settings: Settings) -> int:
        from vitesse.orchestrator import VitesseOrchestrator

        result = asyncio.run(
            VitesseOrchestrator(settings=settings).deployment_action(
                args.integration, action, lines=getattr(args, "lines", 100)
            )
        )
        if action == "logs":
            sys.stdout.write(str(result.get("logs", "")))
        else:
            _print_json(result)
        return 0

    return run


def _add_deployment_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    helps = {
        "sync": "Run a sync now on the deployed runtime.",
        "status": "Show the deployment's status.",
        "logs": "Print the runtime's last log lines.",
        "destroy": "Stop and remove the deployment.",
    }
    for action, text in helps.items():
        p = sub.add_parser(action, help=text)
        p.add_argument("integration", help="The integration id.")
        if action == "logs":
            p.add_argument("--lines", type=int, default=100)
        p.set_defaults(func=_deployment_command(action))


# --------------------------------------------------------------------------------------------
# serve, token
# --------------------------------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from vitesse.api.app import serve

    serve(settings, host=args.host, port=args.port)
    return 0


def _add_serve(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("serve", help="Serve the HTTP API (REST under /api/v1/vitesse, SSE, MCP at /mcp).")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(func=cmd_serve)


def cmd_token(args: argparse.Namespace, settings: Settings) -> int:
    from vitesse.api.tokens import token_create

    return token_create(
        settings, subject=args.subject, tenant=args.tenant, api_key=args.api_key, expires_in_s=args.expires_in
    )


def _add_token(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("token", help="Create a token for the HTTP API.")
    actions = p.add_subparsers(dest="token_action", metavar="ACTION", required=True)
    create = actions.add_parser("create", help="Print a JWT (or, with --api-key, a stored API key); last line.")
    create.add_argument("--subject", required=True, help="Who the token is for.")
    create.add_argument("--tenant", default="default", help="Whose integrations it sees.")
    create.add_argument("--api-key", action="store_true", help="Issue a revocable API key instead of a JWT.")
    create.add_argument("--expires-in", type=int, default=86_400, help="JWT lifetime in seconds.")
    create.set_defaults(func=cmd_token)


# --------------------------------------------------------------------------------------------
# mcp
# --------------------------------------------------------------------------------------------


def cmd_mcp(args: argparse.Namespace, settings: Settings) -> int:
    from vitesse.mcp_server.__main__ import cmd_mcp as serve

    return serve(args, settings)


def _add_mcp(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    # The flags are declared here so `vitesse --help` does not import the MCP SDK (seconds of start-up).
    p = sub.add_parser("mcp", help="Serve Vitesse's tools over MCP (stdio or streamable HTTP).")
    p.add_argument("--transport", choices=("stdio", "streamable-http"), default="stdio")
    p.add_argument("--host", default="127.0.0.1", help="Streamable HTTP: the address to listen on.")
    p.add_argument("--port", type=int, default=8765, help="Streamable HTTP: the port.")
    p.add_argument("--path", default="/mcp", help="Streamable HTTP: the endpoint path.")
    p.set_defaults(func=cmd_mcp)


# --------------------------------------------------------------------------------------------
# wiring
# --------------------------------------------------------------------------------------------

ADDERS: list[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]] = [
    _add_demo,
    _add_create,
    _add_ingest,
    _add_map,
    _add_test,
    _add_mock,
    _add_deploy,
    _add_deployment_commands,
    _add_serve,
    _add_token,
    _add_mcp,
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vitesse", description="Autonomous integration factory.")
    parser.add_argument("--debug", action="store_true", help="Show tracebacks for unexpected errors.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in ADDERS:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 1
    try:
        settings = Settings()
        return int(args.func(args, settings))
    except IngestError as exc:
        err.print(f"[bold red]error[/] ({exc.reason.value}): {exc}", markup=True, highlight=False)
        for location in exc.tried:
            err.print(f"  tried {location}", highlight=False)
        return 2
    except VitesseError as exc:
        err.print(f"[bold red]error[/]: {exc}", markup=True, highlight=False)
        return 2
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, no traceback
        if getattr(args, "debug", False):
            raise
        err.print(f"[bold red]unexpected error[/]: {type(exc).__name__}: {exc} (run with --debug for details)")
        return 1


if __name__ == "__main__":
    sys.exit(main())
