"""The `vitesse map` face: ingest both specs, map, and print JSON or a rich table."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.table import Table

from vitesse.config import Settings
from vitesse.graph.mapper.llm import make_chat_model, propose_mapping_llm
from vitesse.graph.mapper.options import MapperOptions
from vitesse.schemas import MappingLogic

JSON_FIELDS = {
    "source_endpoint": True, "dest_endpoint": True, "source_records_at": True, "dest_array_wrapper": True,
    "transformations": True, "unmapped_dest": True, "unmapped_source": True, "complexity_score": True,
    "version": True, "produced_by": True, "rationale": True, "alternatives": True,
}  # fmt: skip


def mapping_json(mapping: MappingLogic) -> dict[str, Any]:
    """Return the MappingLogic as the JSON the CLI prints (`--json`)."""
    return json.loads(mapping.model_dump_json(include=JSON_FIELDS))


def render_mapping(mapping: MappingLogic, console: Console | None = None) -> None:
    """Print the mapping as a table, then the required destination fields left unmapped."""
    console = console or Console()
    table = Table(title=f"{mapping.source_endpoint} → {mapping.dest_endpoint}  (complexity {mapping.complexity_score})")
    for column in ("destination", "source", "transform", "conf.", "why"):
        table.add_column(column, overflow="fold")
    for t in mapping.transformations:
        dest = f"[bold]{t.dest_field}[/bold]" if t.required else t.dest_field
        sources = "\n".join(t.source_fields) or "—"
        table.add_row(dest, sources, t.transform_type.value, f"{t.confidence:.2f}", t.rationale)
    console.print(table)
    missing = [u for u in mapping.unmapped_dest if u.required]
    if missing:
        gaps = Table(title="Required destination fields left unmapped")
        for column in ("field", "reason", "best candidates"):
            gaps.add_column(column, overflow="fold")
        for u in missing:
            gaps.add_row(u.dest_field, u.reason, ", ".join(f"{p} ({s:.2f})" for p, s in u.candidates) or "—")
        console.print(gaps)
    lookups = [u.dest_field for u in mapping.unmapped_dest if u.reason == "needs_lookup"]
    if lookups:
        console.print(f"Need a lookup in the destination: {', '.join(lookups)}")
    console.print(f"[dim]{mapping.rationale} · produced by {mapping.produced_by}[/dim]")


async def run_map(
    source: str,
    dest: str,
    *,
    intent: str = "",
    source_endpoint: str | None = None,
    dest_endpoint: str | None = None,
    llm: bool = False,
    as_json: bool = False,
    settings: Settings | None = None,
    console: Console | None = None,
) -> MappingLogic:
    """Ingest SOURCE and DEST (paths or URLs), map them, print the result; return the mapping.

    Args:
        source: the source spec (file path, spec URL or API base URL).
        dest: the destination spec.
        intent: the plain-language intent used to pick endpoints.
        source_endpoint: `--source-endpoint`, e.g. "GET /v1/customers".
        dest_endpoint: `--dest-endpoint`, e.g. "POST /contacts".
        llm: rerank with the configured chat model (falls back to offline without OPENAI_API_KEY).
        as_json: print the MappingLogic JSON instead of tables.
        settings: process settings (network policy, LLM key).
        console: where to print (stdout by default).
    """
    from vitesse.graph.ingestor import ingest

    settings = settings or Settings()
    source_spec = await ingest(source, settings=settings)
    dest_spec = await ingest(dest, settings=settings)
    model = make_chat_model(settings) if llm else None
    options = MapperOptions(llm_timeout_s=settings.llm_timeout_s)
    mapping = await propose_mapping_llm(
        source_spec, dest_spec, intent, source_endpoint=source_endpoint, dest_endpoint=dest_endpoint,
        options=options, chat_model=model, settings=settings if llm else _no_llm(settings),
    )  # fmt: skip
    console = console or Console()
    if as_json:
        console.print_json(json.dumps(mapping_json(mapping)))
    else:
        render_mapping(mapping, console)
    return mapping


def _no_llm(settings: Settings) -> Settings:
    return settings.model_copy(update={"openai_api_key": None})
