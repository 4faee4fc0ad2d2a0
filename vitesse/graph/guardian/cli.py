"""The `vitesse test` face: ingest both specs, map them, prove the mapping, print the health report.

`run_test_command` does the work and returns the exit code (0 when the proof passes, 1 when it does
not); `render_report` prints a report with rich; `--json` prints `report_json` alone on stdout.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from rich.console import Console
from rich.table import Table

from vitesse.config import Settings
from vitesse.errors import ConfigError, GuardianError
from vitesse.graph.guardian.proof import run_guardian
from vitesse.graph.guardian.report import GuardianOptions, GuardianReport
from vitesse.graph.guardian.target import Target
from vitesse.schemas import APISpecification, MappingLogic

__all__ = ["parse_credentials", "render_report", "report_json", "run_test_command"]


def parse_credentials(items: list[str] | None) -> dict[str, str]:
    """Read `NAME=VALUE` credential flags; `NAME=env:VAR` takes the value from the environment."""
    out: dict[str, str] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ConfigError(f"a credential must look like NAME=VALUE or NAME=env:VARIABLE, not {name.strip()!r}=…")
        if value.startswith("env:"):
            variable = value[4:]
            if variable not in os.environ:
                raise ConfigError(f"the environment variable {variable} named by credential {name.strip()} is not set")
            value = os.environ[variable]
        out[name.strip()] = value
    return out


def report_json(report: GuardianReport, mapping: MappingLogic | None = None) -> dict[str, Any]:
    """The `--json` document: `health_score`, `passed`, `test_results`, `feedback` and the proved `mapping`."""
    payload = report.to_json()
    if mapping is not None:
        payload["mapping"] = json.loads(mapping.model_dump_json())
    return payload


def render_report(report: GuardianReport, console: Console | None = None) -> None:
    """Print the health report: the score line, the critical issues, warnings, and calls per category."""
    console = console or Console()
    h = report.health
    verdict = "[bold green]PASS[/]" if report.passed else "[bold red]FAIL[/]"
    console.print(
        f"{verdict} health {h.overall_score:.1f}/100 (pass ≥ {report.pass_score:g}) · success {h.success_rate:.1f}% · "
        f"coverage {h.endpoint_coverage:.1f}% · p50 {h.p50_ms:.1f} ms · p95 {h.p95_ms:.1f} ms · "
        f"{h.passed_tests}/{h.total_tests} calls ok · against {h.against}",
        highlight=False,
    )
    if h.critical_issues:
        console.print("[bold red]Critical issues[/]")
        for line in h.critical_issues:
            console.print(f"  • {line}", highlight=False, markup=False)
    if h.warnings:
        console.print("[yellow]Warnings[/]")
        for line in h.warnings:
            console.print(f"  • {line}", highlight=False, markup=False)
    console.print(_calls_table(report))


def _calls_table(report: GuardianReport) -> Table:
    table = Table(title="Shadow calls")
    for column in ("method", "endpoint", "category", "calls", "p50 ms", "example"):
        table.add_column(column, overflow="fold")
    groups: dict[tuple[str, str, str], list[Any]] = {}
    for r in report.test_results:
        groups.setdefault((r.method, r.endpoint, r.category.value), []).append(r)
    for (method, endpoint, category), results in sorted(groups.items()):
        times = sorted(r.response_time_ms for r in results)
        example = next((r.error_message for r in results if r.error_message), "") or ""
        table.add_row(method, endpoint, category, str(len(results)), f"{times[len(times) // 2]:.1f}", example[:90])
    return table


def _target(spec: APISpecification, ref: str, base_url: str | None, creds: dict[str, str], writes: bool) -> Target:
    endpoint = spec.find_endpoint(ref)
    if endpoint is None:
        raise GuardianError(f"{spec.title or spec.name} has no endpoint {ref!r}")
    return Target(spec, endpoint, base_url=base_url, credentials=creds, allow_writes=writes)


async def run_test_command(
    source: str,
    dest: str,
    *,
    intent: str = "",
    source_endpoint: str | None = None,
    dest_endpoint: str | None = None,
    test_count: int = 100,
    faults: list[str] | None = None,
    as_json: bool = False,
    source_base_url: str | None = None,
    dest_base_url: str | None = None,
    allow_writes: bool = False,
    source_credentials: list[str] | None = None,
    dest_credentials: list[str] | None = None,
    concurrency: int = 10,
    seed: int = 1,
    settings: Settings | None = None,
    console: Console | None = None,
) -> int:
    """Ingest SOURCE and DEST, map them (the Mapper's proposal), prove the mapping, print the report.

    Args:
        source: the source spec (file path, spec URL or API base URL).
        dest: the destination spec.
        intent: plain-language intent that picks the endpoints.
        source_endpoint: `--source-endpoint` (`GET /customers`).
        dest_endpoint: `--dest-endpoint` (`POST /contacts`).
        test_count: `--test-count`, at least this many calls.
        faults: `--fault key=value` flags for the sandboxes (`rate_limit=0.2`, `latency=20..200`, `methods=POST`).
        as_json: print only the JSON report on stdout.
        source_base_url: call the live source API here instead of its sandbox (reads only).
        dest_base_url: write to the live destination API here (needs `allow_writes`).
        allow_writes: `--allow-writes`, permit writes to a live destination.
        source_credentials: `--source-credential NAME=VALUE` (NAME: a scheme name, token, api_key …).
        dest_credentials: `--dest-credential NAME=VALUE`.
        concurrency: most calls in flight.
        seed: seed of the synthetic records and sandboxes.
        settings: process settings (SSRF policy for live calls).
        console: where to print (stdout by default).

    Returns:
        0 when the proof passes (score ≥ 70), 1 when it does not.
    """
    from vitesse.graph.ingestor import ingest
    from vitesse.graph.mapper import propose_mapping
    from vitesse.sandbox.faults import parse_fault_flags

    settings = settings or Settings()
    console = console or Console()
    plan = parse_fault_flags(faults) if faults else None
    src_spec = await ingest(source, settings=settings)
    dst_spec = await ingest(dest, settings=settings)
    mapping = propose_mapping(src_spec, dst_spec, intent, source_endpoint=source_endpoint, dest_endpoint=dest_endpoint)
    src = _target(src_spec, mapping.source_endpoint, source_base_url, parse_credentials(source_credentials), False)
    dst = _target(dst_spec, mapping.dest_endpoint, dest_base_url, parse_credentials(dest_credentials), allow_writes)
    options = GuardianOptions(
        test_count=test_count, concurrency=concurrency, seed=seed,
        faults=plan.model_dump(exclude_defaults=True) if plan else None,
    )  # fmt: skip
    report = await run_guardian(mapping, src, dst, options=options, settings=settings)
    if as_json:
        sys.stdout.write(json.dumps(report_json(report, mapping), indent=2, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    else:
        console.print(
            f"Proving {mapping.source_endpoint} of {src_spec.name} → {mapping.dest_endpoint} of {dst_spec.name}"
        )
        render_report(report, console)
    return 0 if report.passed else 1
