"""The "connect two APIs" prompt: walks a client through Vitesse's lifecycle with the server's tools."""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import MCPServer

CONNECT_TWO_APIS = """\
Connect two APIs with Vitesse.

Source API: {source_api}
Destination API: {dest_api}
Goal: {goal}

Work through these steps, telling me what you find at each one:
1. Read both APIs with `ingest_api` (a spec URL, base URL or file path). For a large API, call it again
   with `resource=` to see the endpoints and fields of the resource the goal is about.
2. Propose the mapping with `propose_mapping` (pass source_endpoint/dest_endpoint if the goal names them).
   Show me the `readable` lines and any `unmapped_required` destination fields.
3. Prove it with `run_guardian` (test_count 20 is a quick check). A score of 70 or more passes; otherwise
   read the `feedback` and explain what the mapping gets wrong.
4. When I agree, create the integration with `create_integration` (same APIs and goal; ask me for
   credentials only if the APIs need them, and never repeat them back). It reads, maps, proves and heals
   on its own; follow its progress.
5. If it pauses with status `review`, show me the critical issues and the mapping
   (resource vitesse://integrations/<id>/mapping), then call `review_integration` with the action I choose:
   approve, edit (with the corrected mapping) or abort (with my reason).
6. When it is `ready`, deploy it if I ask: `create_integration` again with `deployment_target` (`process`
   runs it on this machine) and the live base URLs; once `active`, `sync_integration` runs a sync now and
   `get_deployment_status` / `get_deployment_logs` / `destroy_deployment` watch and remove it.
Finish with a short summary: integration id, status, health score, and where it runs.
"""


def register_prompts(mcp: MCPServer[Any]) -> None:
    """Add the prompts to the server."""
    mcp.prompt(
        name="connect_two_apis",
        title="Connect two APIs",
        description="Guide the conversation through reading two APIs, mapping, proving, reviewing and deploying.",
    )(connect_two_apis)


def connect_two_apis(source_api: str, dest_api: str, goal: str = "") -> str:
    """Connect a source API to a destination API.

    Args:
        source_api: Where the source API's spec is: URL, base URL or file path.
        dest_api: Where the destination API's spec is.
        goal: What to sync, e.g. "customers into CRM contacts".
    """
    return CONNECT_TWO_APIS.format(
        source_api=source_api, dest_api=dest_api, goal=goal or "sync the source's main records into the destination"
    )
