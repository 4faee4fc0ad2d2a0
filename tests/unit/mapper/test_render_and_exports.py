"""The CLI face prints JSON or tables; the public API is pinned."""

from __future__ import annotations

import json

from rich.console import Console

import vitesse.graph.mapper as mapper
from vitesse.examples import CRM_SPEC, SHOP_SPEC
from vitesse.graph.mapper.render import mapping_json, render_mapping, run_map


def test_public_names_are_pinned():
    assert sorted(mapper.__all__) == sorted([
        "MAPPER_VERSION", "EndpointChoice", "MapperOptions", "complexity_score", "heal_mapping", "propose_mapping",
        "propose_mapping_llm", "render_mapping", "run_map", "select_endpoints",
    ])  # fmt: skip


def test_the_table_shows_mappings_and_lookups(shop, crm):
    console = Console(record=True, width=200)
    render_mapping(mapper.propose_mapping(shop, crm, "customers to contacts"), console)
    text = console.export_text()
    assert "given_name" in text and "first_name" in text and "owner_id" in text


async def test_run_map_prints_the_mapping_json(settings):
    console = Console(record=True, width=300)
    mapping = await run_map(str(SHOP_SPEC), str(CRM_SPEC), intent="customers to contacts", as_json=True,
                            settings=settings, console=console)  # fmt: skip
    printed = json.loads(console.export_text())
    assert printed == mapping_json(mapping)
    first = printed["transformations"][0]
    assert set(first) >= {
        "source_fields",
        "dest_field",
        "transform_type",
        "transform_config",
        "confidence",
        "rationale",
    }
    assert printed["source_endpoint"] == "GET /customers" and printed["produced_by"] == "offline"
