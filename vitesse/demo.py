"""Run `vitesse demo`: the whole loop offline on the bundled example APIs, with embedded defaults.

Two sandboxes generated from the example specs (Acme Shop, Orbit CRM) serve on loopback ports;
the graph ingests both specs, maps shop customers to CRM contacts starting from a deliberately
naive mapping, proves it with shadow calls, heals it, deploys the sync runtime as a local process,
runs one sync into the CRM sandbox, and prints the mapping, the health report and the counts.
State lives in a SQLite file under the data directory; the deployment is destroyed at the end
unless `--keep` is given.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any

from rich.console import Console
from rich.table import Table

from vitesse.config import Settings
from vitesse.examples import CRM_SPEC, SHOP_SPEC
from vitesse.graph.context import Context
from vitesse.orchestrator import VitesseOrchestrator
from vitesse.schemas import DeploymentConfig, DeploymentTarget, IntegrationInstance

INTENT = "Sync Acme Shop customers into Orbit CRM contacts"


def run_demo(args: argparse.Namespace, settings: Settings, *, out: Console, err: Console) -> int:
    """Run the demo; returns the process exit code."""
    settings = settings.model_copy(update={"allow_loopback": True})
    started = time.perf_counter()
    result = asyncio.run(_demo(settings, err, keep=bool(getattr(args, "keep", False))))
    instance, sync_report = result
    elapsed = time.perf_counter() - started
    if args.json:
        payload = instance.model_dump(mode="json", exclude={"source_spec", "dest_spec"})
        payload["sync"] = sync_report
        payload["seconds"] = round(elapsed, 2)
        print(json.dumps(payload, indent=2, default=str))
    else:
        render(instance, sync_report, out)
        out.print(f"[dim]done in {elapsed:.1f}s[/]")
    return 0 if instance.status.value in ("active", "ready") else 1


async def _demo(settings: Settings, err: Console, *, keep: bool) -> tuple[IntegrationInstance, dict[str, Any]]:
    from vitesse.graph.ingestor import ingest_path
    from vitesse.sandbox import start_sandbox

    shop_spec, crm_spec = ingest_path(SHOP_SPEC, settings=settings), ingest_path(CRM_SPEC, settings=settings)
    with start_sandbox(shop_spec, seed=7) as shop, start_sandbox(crm_spec, seed=8) as crm:
        err.print(f"[cyan]sandboxes[/] shop {shop.base_url}  crm {crm.base_url}")
        orchestrator = VitesseOrchestrator(settings=settings)
        deployment = DeploymentConfig(
            target=DeploymentTarget.PROCESS,
            schedule_interval_s=None,
            env={
                "VITESSE_SOURCE_BASE_URL": shop.base_url,
                "VITESSE_DEST_BASE_URL": crm.base_url,
                "SOURCE_API_KEY": "demo-shop-key",
                "DEST_API_KEY": "demo-crm-token",
            },
        )
        instance = await orchestrator.create_integration(
            source_api_url=str(SHOP_SPEC),
            source_api_name="Acme Shop",
            dest_api_url=str(CRM_SPEC),
            dest_api_name="Orbit CRM",
            user_intent=INTENT,
            deployment_config=deployment,
            created_by="demo",
            run_context=Context(naive_first_mapping=True, test_count=100),
            on_event=lambda event: show_event(err, event),
        )
        sync_report: dict[str, Any] = {}
        if instance.deployment_url:
            sync_report = await _sync_once(instance.deployment_url, err)
            sync_report["crm_contacts_after_sync"] = await _count(crm.base_url, "/contacts")
        if not keep and instance.deployment_config is not None:
            await _destroy(settings, instance.id, err)
        return instance, sync_report


async def _count(base_url: str, collection: str) -> int:
    import httpx

    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.get(f"{base_url}/__sandbox/records", params={"collection": collection})
        return int(response.json().get("count", 0))


async def _sync_once(url: str, err: Console) -> dict[str, Any]:
    """Run one sync on the deployed runtime (waiting for the one it starts with) and return its counts."""
    import httpx

    err.print(f"[cyan]sync[/] POST {url}/sync")
    async with httpx.AsyncClient(timeout=120) as client:
        for _ in range(240):  # bounded: at most about a minute
            response = await client.post(f"{url}/sync")
            if response.status_code != 409:
                break
            await asyncio.sleep(0.25)
        status = (await client.get(f"{url}/status")).json()
    totals = status.get("counts", {}).get("since_start", {})
    return {
        "records_read": totals.get("read", 0),
        "records_written": totals.get("written", 0),
        "duplicates_suppressed": totals.get("duplicates", 0),
        "skipped_unchanged": totals.get("skipped", 0),
        "failed": totals.get("failed", 0),
        "dead_letters": status.get("dead_letters", 0),
    }


async def _destroy(settings: Settings, integration_id: str, err: Console) -> None:
    from vitesse.deployers import DeployerFactory

    deployer = DeployerFactory.create_deployer("process", {}, settings=settings)
    await deployer.destroy(integration_id)
    err.print("[cyan]cleanup[/] deployment destroyed (use --keep to leave it running)")


def show_event(err: Console, event: dict[str, Any]) -> None:
    """Print one graph event as a progress line on stderr."""
    kind = event.get("event")
    if kind == "stage":
        mark = "→" if event.get("phase") == "started" else "✓"
        err.print(f"  {mark} {event['stage']}: {event.get('message', '')}", highlight=False)
    elif kind == "health":
        verdict = "[green]pass[/]" if event["passed"] else "[red]below 70[/]"
        err.print(f"  ♥ health {event['overall_score']:.1f} {verdict} ({event['against']})")
        for issue in event.get("critical_issues", [])[:4]:
            err.print(f"      - {issue}", highlight=False)
    elif kind == "heal":
        err.print(f"  ⟲ heal attempt {event['attempt']}")
    elif kind == "deployed":
        err.print(f"  ⇪ deployed on {event['target']}: {event.get('url')}")
    elif kind == "review_needed":
        err.print("  ? review needed")


def render(instance: IntegrationInstance, sync_report: dict[str, Any], out: Console) -> None:
    """Print the mapping table, the health report and the deployment and sync counts."""
    out.print(f"[bold]{instance.name}[/]  status: [bold]{instance.status.value}[/]")
    mapping = instance.mapping_logic
    if mapping is not None:
        table = Table(title=f"Mapping {mapping.source_endpoint} → {mapping.dest_endpoint} (v{mapping.version})")
        for column in ("destination", "source", "transform", "confidence"):
            table.add_column(column)
        for t in mapping.transformations:
            table.add_row(t.dest_field, ", ".join(t.source_fields), t.transform_type.value, f"{t.confidence:.2f}")
        out.print(table)
    health = instance.health_score
    if health is not None:
        out.print(
            f"health {health.overall_score:.1f}/100 — success {health.success_rate:.1f}%, "
            f"coverage {health.endpoint_coverage:.1f}%, p95 {health.p95_ms:.0f} ms, against {health.against}"
        )
        for issue in health.critical_issues:
            out.print(f"  - {issue}", highlight=False)
    if instance.deployment_url:
        out.print(f"deployed: {instance.deployment_url}")
    if sync_report:
        out.print("sync: " + ", ".join(f"{k}={v}" for k, v in sync_report.items() if not isinstance(v, dict)))
