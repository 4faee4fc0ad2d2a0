"""Score a proof: success rate, endpoint coverage, latency percentiles and the overall health.

`overall_score = success_rate * 0.7 + endpoint_coverage * 0.3`, every term from 0 to 100, and a proof
passes at 70 or more (`GuardianOptions.pass_score`).

success_rate
    The share of calls whose final answer was a success. A 429 that was waited out (as `Retry-After`
    asks) and retried is recorded but not judged, so rate limiting never lowers the score by itself;
    only a call still refused with 429 after every retry counts as failed, and the report then blames
    the rate limit, not the mapping (no heal feedback comes from it). A write the destination accepted
    but whose record lost a field in the transform engine counts as failed (category `transform`): the
    integration would lose data.

endpoint_coverage
    The share of the mapping's endpoints and of the destination's required fields that at least one
    successful call exercised. The items are the mapping's two endpoints (the source list endpoint and
    the destination write endpoint; an endpoint counts when one call to it succeeded) and each required
    field of the destination's request body (top-level required properties, or of each record in a
    bulk body; a field counts when one successful write carried a value for it). Coverage is
    100 × covered items / all items.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from vitesse.graph.guardian.feedback import value_at
from vitesse.schemas import Endpoint, HealthScore, TestResult

__all__ = ["coverage", "percentile", "required_dest_fields", "score_health", "success_rate"]


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100) with linear interpolation between closest ranks; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def success_rate(judged: Sequence[TestResult]) -> float:
    """Percent of the judged calls (each call's final result, retried 429s left out) that succeeded."""
    if not judged:
        return 0.0
    return 100.0 * sum(1 for r in judged if r.success) / len(judged)


def required_dest_fields(endpoint: Endpoint, wrapper: str | None = None) -> list[str]:
    """The destination's required request fields (per record when the body is a bulk wrapper)."""
    prefix = (wrapper.rstrip(".") + ".") if wrapper else ""
    fields = []
    for f in endpoint.body_fields():
        if not f.required or f.read_only:
            continue
        path = f.path[len(prefix) :] if prefix and f.path.startswith(prefix) else f.path
        if path and path not in fields:
            fields.append(path)
    return fields


def coverage(
    endpoints: Sequence[str], succeeded: set[str], required: Sequence[str], accepted: Iterable[dict[str, Any]]
) -> float:
    """Percent of endpoints and required fields exercised by a successful call (module docstring)."""
    items = len(endpoints) + len(required)
    if not items:
        return 100.0
    covered = sum(1 for e in endpoints if e in succeeded)
    missing = set(required)
    for payload in accepted:
        missing = {f for f in missing if value_at(payload, f) is None}
        if not missing:
            break
    covered += len(required) - len(missing)
    return 100.0 * covered / items


def score_health(
    results: Sequence[TestResult],
    endpoint_coverage: float,
    *,
    judged: Sequence[TestResult] | None = None,
    against: str = "sandbox",
    critical: list[str] | None = None,
    warnings: list[str] | None = None,
) -> HealthScore:
    """Assemble the HealthScore of a proof from all its calls, the judged ones (default: all) and coverage."""
    rate = success_rate(results if judged is None else judged)
    timed = [r.response_time_ms for r in results if r.status_code is not None]
    return HealthScore(
        overall_score=HealthScore.combine(rate, endpoint_coverage),
        success_rate=round(rate, 2),
        endpoint_coverage=round(endpoint_coverage, 2),
        p50_ms=round(percentile(timed, 50), 3),
        p95_ms=round(percentile(timed, 95), 3),
        total_tests=len(results),
        passed_tests=sum(1 for r in results if r.success),
        critical_issues=critical or [],
        warnings=warnings or [],
        against=against,
    )
