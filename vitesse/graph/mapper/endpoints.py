"""Pick the source list endpoint and the destination create/upsert endpoint from the intent."""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process

from vitesse.errors import MappingError
from vitesse.graph.mapper.options import EndpointChoice
from vitesse.graph.mapper.tokens import normalise
from vitesse.schemas import APISpecification, Endpoint

SOURCE_ACTIONS = {"list": 1.0, "search": 0.55}
DEST_ACTIONS = {"create": 1.0, "upsert": 0.85, "update": 0.25}
_INTO = re.compile(r"\s(?:to|into|->|→|onto|towards)\s", re.I)
_FROM = re.compile(r"\sfrom\s", re.I)


def split_intent(intent: str) -> tuple[set[str], set[str]]:
    """Return the words naming the source side and the destination side of an intent."""
    text = f" {intent.strip()} "
    if _INTO.search(text):
        src, dst = _INTO.split(text, maxsplit=1)
    elif _FROM.search(text):
        dst, src = _FROM.split(text, maxsplit=1)
    else:
        src = dst = text
    return _words(src), _words(dst)


def _words(text: str) -> set[str]:
    return {w for token in re.findall(r"[A-Za-z0-9_\-]+", text) for w in normalise(token)}


def _resource_words(ep: Endpoint) -> set[str]:
    return set(normalise(ep.resource or "")) or set(normalise(ep.path.rstrip("/").rsplit("/", 1)[-1]))


def _path_cost(ep: Endpoint) -> float:
    params = ep.path.count("{")
    segments = len([s for s in ep.path.split("/") if s and not s.startswith("{")])
    return 0.12 * params + 0.015 * segments + (0.5 if ep.deprecated else 0.0)


def score_endpoint(ep: Endpoint, words: set[str], actions: dict[str, float]) -> float:
    """Score one endpoint for a side of the intent: action, resource named in the intent, path simplicity."""
    action = actions.get(ep.action or "", 0.0)
    if action == 0.0:
        return 0.0
    resource = _resource_words(ep)
    named = len(resource & words) / len(resource) if resource else 0.0
    context = {w for t in ep.tags + [ep.operation_id or ""] for w in normalise(t)}
    hint = 0.1 if context & words else 0.0
    return round(action * (0.4 + 0.6 * named) + hint - _path_cost(ep), 4)


def _rank(spec: APISpecification, words: set[str], actions: dict[str, float]) -> list[tuple[float, Endpoint]]:
    scored = [(score_endpoint(ep, words, actions), ep) for ep in spec.endpoints]
    scored = [x for x in scored if x[0] > 0]
    scored.sort(key=lambda x: (-x[0], x[1].path, x[1].method.value))
    return scored


def resolve_endpoint(spec: APISpecification, ref: str, actions: dict[str, float]) -> Endpoint:
    """Find an explicitly named endpoint (`GET /v1/customers`, `/customers` or an operationId)."""
    ref = ref.strip()
    method, _, path = ref.partition(" ")
    if not path:
        same = [ep for ep in spec.endpoints if ep.path == ref or ep.operation_id == ref]
        same.sort(key=lambda ep: -actions.get(ep.action or "", 0.0))
        if same:
            return same[0]
    found = spec.find_endpoint(ref)
    if found is not None:
        return found
    keys = [ep.key for ep in spec.endpoints]
    close = [k for k, _, _ in process.extract(ref, keys, scorer=fuzz.WRatio, limit=3)]
    raise MappingError(f"{spec.name} has no endpoint {ref!r}; closest: {', '.join(close) or 'none'}")


def select_endpoints(
    source: APISpecification,
    dest: APISpecification,
    intent: str,
    *,
    source_endpoint: str | None = None,
    dest_endpoint: str | None = None,
) -> EndpointChoice:
    """Pick the source list endpoint and destination create endpoint; explicit choices always win.

    Raises:
        MappingError: an explicit endpoint does not exist, or a side has no list/create endpoint at all.
    """
    src_words, dst_words = split_intent(intent)
    src_ranked = _rank(source, src_words, SOURCE_ACTIONS)
    dst_ranked = _rank(dest, dst_words, DEST_ACTIONS)
    src = resolve_endpoint(source, source_endpoint, SOURCE_ACTIONS) if source_endpoint else _first(src_ranked, source)
    dst = resolve_endpoint(dest, dest_endpoint, DEST_ACTIONS) if dest_endpoint else _first(dst_ranked, dest)
    why = _explain(src, dst, src_words, dst_words, bool(source_endpoint), bool(dest_endpoint))
    return EndpointChoice(
        source_endpoint=src.key,
        dest_endpoint=dst.key,
        source_records_at=src.records_at,
        dest_array_wrapper=dst.request_body.array_wrapper if dst.request_body else None,
        rationale=why,
        source_alternatives=[ep.key for _, ep in src_ranked if ep.key != src.key][:5],
        dest_alternatives=[ep.key for _, ep in dst_ranked if ep.key != dst.key][:5],
        explicit=bool(source_endpoint or dest_endpoint),
    )


def _first(ranked: list[tuple[float, Endpoint]], spec: APISpecification) -> Endpoint:
    if not ranked:
        raise MappingError(
            f"{spec.name} has no endpoint that lists or creates records; name one with source_endpoint/dest_endpoint"
        )
    return ranked[0][1]


def _explain(src: Endpoint, dst: Endpoint, sw: set[str], dw: set[str], src_given: bool, dst_given: bool) -> str:
    def side(ep: Endpoint, words: set[str], given: bool) -> str:
        if given:
            return f"{ep.key} (given)"
        named = sorted(_resource_words(ep) & words)
        why = f"names '{' '.join(named)}'" if named else "best available"
        return f"{ep.key} ({ep.action} of {ep.resource}; intent {why})"

    return f"source {side(src, sw, src_given)}; destination {side(dst, dw, dst_given)}"
