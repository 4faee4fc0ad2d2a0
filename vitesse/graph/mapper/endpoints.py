"""Pick the source list endpoint and the destination create/upsert endpoint from the intent."""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process

from vitesse.errors import MappingError
from vitesse.graph.mapper.intent import IntentSide, read_intent, split_text
from vitesse.graph.mapper.options import EndpointChoice
from vitesse.graph.mapper.tokens import normalise
from vitesse.schemas import APISpecification, Endpoint

SOURCE_ACTIONS = {"list": 1.0, "search": 0.55}
DEST_ACTIONS = {"create": 1.0, "upsert": 0.85, "update": 0.25}
HEAD_WEIGHT, CARRIED_WEIGHT, MODIFIER_WEIGHT, CONTAINER_WEIGHT = 1.0, 0.9, 0.6, 0.5
"""How strongly a word of the intent names an endpoint's resource, by the part of the phrase it comes from."""
CONTAINER_BONUS = 0.35
"""For a path that nests the named resource under a container the intent also names (`/projects/{id}/issues`)."""
VERB_HINT = 0.05
"""For a destination whose operation name holds the intent's verb (`Post …` → `/chat.postMessage`)."""


def split_intent(intent: str) -> tuple[set[str], set[str]]:
    """Return the words naming the source side and the destination side of an intent."""
    src, dst = split_text(intent)
    return _words(src), _words(dst)


def _words(text: str) -> set[str]:
    return {w for token in re.findall(r"[A-Za-z0-9_\-]+", text) for w in normalise(token)}


def _resource_words(ep: Endpoint) -> set[str]:
    return set(normalise(ep.resource or "")) or set(normalise(ep.path.rstrip("/").rsplit("/", 1)[-1]))


def _static_segments(ep: Endpoint) -> list[str]:
    return [s for s in ep.path.split("/") if s and not s.startswith("{")]


def _path_cost(ep: Endpoint) -> float:
    params = ep.path.count("{")
    return 0.12 * params + 0.015 * len(_static_segments(ep)) + (0.5 if ep.deprecated else 0.0)


def _word_weights(side: IntentSide, carried: frozenset[str]) -> dict[str, float]:
    """Weigh each word by how surely it names the records on this side."""
    weights: dict[str, float] = {}
    own = MODIFIER_WEIGHT if not side.container else CONTAINER_WEIGHT
    for word in side.modifiers | (side.head if side.container else frozenset()):
        weights[word] = own
    for word in carried:
        weights[word] = max(weights.get(word, 0.0), HEAD_WEIGHT if side.container else CARRIED_WEIGHT)
    if not side.container:
        for word in side.head:
            weights[word] = HEAD_WEIGHT
    return weights


def _named(ep: Endpoint, weights: dict[str, float]) -> float:
    resource = _resource_words(ep)
    named = sum(weights.get(w, 0.0) for w in resource) / len(resource) if resource else 0.0
    if named == 0.0:  # operation-style paths (`/chat.postMessage`): a record word inside the last segment
        last = _static_segments(ep)[-1:] or [""]
        named = 0.7 * max((weights.get(w, 0.0) for w in normalise(last[0])), default=0.0)
    return named


def _names_any(spec: APISpecification, words: frozenset[str]) -> bool:
    """Return True when the words name the resource of some endpoint that takes records."""
    return any(words & _resource_words(ep) for ep in spec.endpoints if DEST_ACTIONS.get(ep.action or "", 0.0))


def _alike(a: str, b: str) -> bool:
    short, long = sorted((a, b), key=len)
    return a == b or (len(short) >= 4 and long.startswith(short))


def _contained(ep: Endpoint, side: IntentSide) -> bool:
    """Return True when a path segment above the resource names a container the intent names."""
    names = side.modifiers | (side.head if side.container else frozenset())
    resource = _resource_words(ep)
    parents = {w for seg in _static_segments(ep)[:-1] for w in normalise(seg)} - resource
    return any(_alike(p, n) for p in parents for n in names)


def score_endpoint(
    ep: Endpoint,
    side: IntentSide,
    actions: dict[str, float],
    carried: frozenset[str] = frozenset(),
    verb: str | None = None,
) -> float:
    """Score one endpoint for a side of the intent: action, resource named, containers named, path simplicity.

    `carried` are the source's record words, given for the destination when its phrase names no records of
    its own (`… into a GitLab project`, `… to Slack`): the records keep their kind.
    """
    action = actions.get(ep.action or "", 0.0)
    if action == 0.0:
        return 0.0
    named = _named(ep, _word_weights(side, carried))
    context = {w for t in ep.tags + [ep.operation_id or ""] for w in normalise(t)}
    hint = 0.1 if context & side.words else 0.0
    if named > 0 and _contained(ep, side):
        hint += CONTAINER_BONUS
    if verb and verb in normalise(_static_segments(ep)[-1] if _static_segments(ep) else ""):
        hint += VERB_HINT
    return round(action * (0.4 + 0.6 * named) + hint - _path_cost(ep), 4)


def _rank(
    spec: APISpecification, side: IntentSide, actions: dict[str, float], carried: frozenset[str] = frozenset(),
    verb: str | None = None,
) -> list[tuple[float, Endpoint]]:  # fmt: skip
    scored = [(score_endpoint(ep, side, actions, carried, verb), ep) for ep in spec.endpoints]
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
    src_side, dst_side, verb = read_intent(intent)
    carried = src_side.head if dst_side.container or not _names_any(dest, dst_side.head) else frozenset()
    src_ranked = _rank(source, src_side, SOURCE_ACTIONS)
    dst_ranked = _rank(dest, dst_side, DEST_ACTIONS, carried, verb)
    src = resolve_endpoint(source, source_endpoint, SOURCE_ACTIONS) if source_endpoint else _first(src_ranked, source)
    dst = resolve_endpoint(dest, dest_endpoint, DEST_ACTIONS) if dest_endpoint else _first(dst_ranked, dest)
    src_words, dst_words = set(src_side.words), set(dst_side.words | src_side.head)
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
        source_guessed=not source_endpoint and not _named_words(src, src_words),
        dest_guessed=not dest_endpoint and not _named_words(dst, dst_words),
    )


def _first(ranked: list[tuple[float, Endpoint]], spec: APISpecification) -> Endpoint:
    if not ranked:
        raise MappingError(
            f"{spec.name} has no endpoint that lists or creates records; name one with source_endpoint/dest_endpoint"
        )
    return ranked[0][1]


def _named_words(ep: Endpoint, words: set[str]) -> list[str]:
    """The intent's words that name this endpoint's resource (none: it was the best available guess)."""
    return sorted(_resource_words(ep) & words)


def _explain(src: Endpoint, dst: Endpoint, sw: set[str], dw: set[str], src_given: bool, dst_given: bool) -> str:
    def side(ep: Endpoint, words: set[str], given: bool) -> str:
        if given:
            return f"{ep.key} (given)"
        named = _named_words(ep, words)
        why = f"names '{' '.join(named)}'" if named else "best available"
        return f"{ep.key} ({ep.action} of {ep.resource}; intent {why})"

    return f"source {side(src, sw, src_given)}; destination {side(dst, dw, dst_given)}"
