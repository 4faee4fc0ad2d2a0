"""Render an APISpecification as a readable summary (rich tables: endpoints, auth, pagination)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from vitesse.schemas import APISpecification, Endpoint

MAX_ROWS = 60


def render_summary(spec: APISpecification, console: Console) -> None:
    """Print what a person needs to judge an API at a glance."""
    lists = [e for e in spec.endpoints if e.is_list]
    paged = [e for e in lists if e.pagination]
    console.print(f"[bold]{spec.title or spec.name}[/] {spec.api_version or ''}  (spec {spec.spec_version})")
    console.print(f"base URL: {spec.base_url or '—'}   digest: {spec.digest[:12]}")
    console.print(
        f"{len(spec.endpoints)} endpoints, {len(lists)} lists ({len(paged)} paginated), "
        f"{len(spec.schemas)} schemas, {len(spec.webhooks)} webhooks"
    )
    if spec.auth_schemes:
        auth = Table(title="Auth", show_lines=False)
        for column in ("name", "type", "where"):
            auth.add_column(column)
        for scheme in spec.auth_schemes:
            where = f"{scheme.location.value} {scheme.parameter_name}" if scheme.location else (scheme.scheme or "")
            if scheme.flows:
                where = ", ".join(f.flow for f in scheme.flows)
            auth.add_row(scheme.name, scheme.type.value, where)
        console.print(auth)
    table = Table(title="Endpoints")
    for column in ("method", "path", "resource/action", "records", "pagination", "auth"):
        table.add_column(column, overflow="fold")
    ranked = sorted(spec.endpoints, key=lambda e: (not e.is_list, e.path))
    for endpoint in ranked[:MAX_ROWS]:
        table.add_row(*_row(endpoint))
    console.print(table)
    if len(ranked) > MAX_ROWS:
        console.print(f"… and {len(ranked) - MAX_ROWS} more endpoints (use --json for all)")
    for warning in spec.warnings[:10]:
        console.print(f"[yellow]warning[/]: {warning}", highlight=False)


def _row(endpoint: Endpoint) -> tuple[str, ...]:
    pagination = "—"
    if endpoint.pagination:
        p = endpoint.pagination
        names = [n for n in (p.cursor_param, p.page_param, p.offset_param, p.limit_param, p.next_path) if n]
        pagination = f"{p.style.value} ({', '.join(names)})" if names else p.style.value
    return (
        endpoint.method.value,
        endpoint.path,
        f"{endpoint.resource or '?'}/{endpoint.action or '?'}",
        endpoint.records_at or "",
        pagination,
        "yes" if endpoint.auth_required else "no",
    )
