"""Map fields from a source endpoint to a destination endpoint: the intelligence of Vitesse.

`select_endpoints` picks the source list endpoint and the destination create/upsert endpoint from the
intent (explicit endpoints always win). `propose_mapping` scores every (destination, source) pair from
independent signals (names, synonyms, fuzzy spelling, descriptions, optional embeddings, types and
formats, structure), assigns them globally (Hungarian), adds the many-to-one and one-to-many cases,
chooses a transform per pair and lists what stays unmapped and why. `heal_mapping` revises a mapping
from the Guardian's `FieldIssue`s; `propose_mapping_llm` lets a chat model rerank and falls back to the
offline result.

`MappingLogic.complexity_score` (1–10) is defined in `vitesse.graph.mapper.complexity`.
"""

from __future__ import annotations

from vitesse.graph.mapper.complexity import complexity_score
from vitesse.graph.mapper.endpoints import select_endpoints
from vitesse.graph.mapper.heal import heal_mapping
from vitesse.graph.mapper.llm import propose_mapping_llm
from vitesse.graph.mapper.options import EndpointChoice, MapperOptions
from vitesse.graph.mapper.propose import MAPPER_VERSION, Prepared, build_logic, endpoints_of, match_fields
from vitesse.graph.mapper.render import render_mapping, run_map
from vitesse.schemas import APISpecification, MappingLogic

__all__ = [
    "MAPPER_VERSION",
    "EndpointChoice",
    "MapperOptions",
    "complexity_score",
    "heal_mapping",
    "propose_mapping",
    "propose_mapping_llm",
    "render_mapping",
    "run_map",
    "select_endpoints",
]


def propose_mapping(
    source: APISpecification,
    dest: APISpecification,
    intent: str = "",
    *,
    source_endpoint: str | None = None,
    dest_endpoint: str | None = None,
    options: MapperOptions | None = None,
) -> MappingLogic:
    """Propose the field mapping from the source's list endpoint to the destination's create endpoint.

    Args:
        source: the source API as the Ingestor read it.
        dest: the destination API.
        intent: plain-language intent ("Sync Shopify customers to the CRM's contacts").
        source_endpoint: an explicit source endpoint (`GET /v1/customers`, `/customers`); wins over the intent.
        dest_endpoint: an explicit destination endpoint.
        options: matcher knobs (threshold, embeddings …).

    Returns:
        A MappingLogic produced offline (`produced_by="offline"`, version 1).

    Raises:
        MappingError: no usable endpoint pair.
    """
    options = options or MapperOptions()
    choice = select_endpoints(source, dest, intent, source_endpoint=source_endpoint, dest_endpoint=dest_endpoint)
    src, dst = endpoints_of(source, dest, choice)
    prep = Prepared(src, dst, options)
    return build_logic(prep, match_fields(prep), choice)
