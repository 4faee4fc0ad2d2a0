"""Sum up a finished proof: the HealthScore with its critical issues and warnings, and the report.

Critical issues are what keeps the integration from working: fields the destination refused (or that
broke in the transform engine), then calls that failed for another reason (auth, 404, 5xx, network,
timeouts), and last, for a score below the pass mark, what happens next (heal, then review). Warnings
say what the calls reached (sandbox or live), how rate limits were handled (never held against the
mapping), endpoints answering slowly (p95 over `slow_p95_ms`), and schema breaches the destination let through.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from vitesse.graph.guardian.health import coverage, percentile, required_dest_fields, score_health
from vitesse.graph.guardian.report import GuardianReport
from vitesse.graph.guardian.sentences import below_pass_sentence, call_problem_sentence, slow_sentence
from vitesse.schemas import TestCategory, TestResult

if TYPE_CHECKING:
    from vitesse.graph.guardian.proof import _Proof
    from vitesse.graph.guardian.sides import Side

__all__ = ["summarise"]

MAX_CRITICAL = 12


def summarise(proof: _Proof) -> GuardianReport:
    """Build the GuardianReport of a finished proof."""
    reads = [r for o in proof.reads.outcomes for r in o.results]
    writes = [r for o in proof.writes for r in o.results]
    results = reads + writes
    issues = proof.feedback.issues()
    critical = [issue.message for issue in issues]
    final_reads = [o.result for o in proof.reads.outcomes]
    final_writes = [o.result for o in proof.writes]
    critical += _call_problems(proof.source, final_reads) + _call_problems(proof.dest, final_writes, fields_named=True)
    warnings = _where(proof) + _rate_limits(proof, results) + _auth_gaps(proof) + list(proof.reads.warnings)
    warnings += _slow(proof.source, reads, proof.options.slow_p95_ms)
    warnings += _slow(proof.dest, writes, proof.options.slow_p95_ms)
    warnings += [issue.message for issue in proof.feedback.issues(refused=False)]
    if not proof.reads.records and proof.reads.outcomes and proof.reads.outcomes[-1].result.success:
        warnings.append(f"{proof.source.name} returned no records; only synthetic records were written.")
    endpoints = [_key(proof.source), _key(proof.dest)]
    succeeded = {f"{r.method} {r.endpoint}" for r in results if r.success}
    required = required_dest_fields(proof.dest.target.endpoint, proof.wrapper)
    covered = coverage(endpoints, succeeded, required, proof.accepted)
    judged = [o.result for o in [*proof.reads.outcomes, *proof.writes]]
    health = score_health(
        results, covered, judged=judged, against=_against(proof), critical=critical[:MAX_CRITICAL], warnings=warnings
    )
    health.feedback = issues
    if health.overall_score < proof.options.pass_score:
        health.critical_issues.append(
            below_pass_sentence(health.overall_score, proof.options.pass_score, proof.options.max_heal_attempts)
        )
    return GuardianReport(health=health, test_results=results, feedback=issues, pass_score=proof.options.pass_score)


def _key(side: Side) -> str:
    return f"{side.target.endpoint.method.value} {side.target.endpoint.path}"


def _against(proof: _Proof) -> str:
    return "live" if proof.source.target.live or proof.dest.target.live else "sandbox"


def _where(proof: _Proof) -> list[str]:
    lines = [f"Source reads went to {proof.source.where()}; destination writes went to {proof.dest.where()}."]
    for named, side in ((proof.mapping.source_endpoint, proof.source), (proof.mapping.dest_endpoint, proof.dest)):
        if named.strip() != _key(side):
            lines.append(f"The mapping names {named} but the proof used {_key(side)} of {side.name}.")
    return lines


def _call_problems(side: Side, results: list[TestResult], fields_named: bool = False) -> list[str]:
    """One sentence per kind of failure that is not about a field (the field issues say those).

    `results` are the judged ones (each call's final result): a 429 waited out and retried is not a problem.
    """
    failed: Counter[str] = Counter()
    example: dict[str, str | None] = {}
    for r in results:
        if r.success or r.category in (TestCategory.OK, TestCategory.TRANSFORM):
            continue
        if r.category is TestCategory.SCHEMA and fields_named and (r.fields or r.status_code is None):
            continue
        failed[r.category.value] += 1
        example.setdefault(r.category.value, r.error_message)
    total = len(results)
    endpoint = _key(side)
    return [
        call_problem_sentence(category, side.name, endpoint, count, total, example.get(category))
        for category, count in failed.most_common()
    ]


def _slow(side: Side, results: list[TestResult], limit_ms: float) -> list[str]:
    """A warning when the side's endpoint answered slowly (95th percentile of the calls that got an answer)."""
    timed = [r.response_time_ms for r in results if r.status_code is not None]
    p95 = percentile(timed, 95)
    return [slow_sentence(side.name, _key(side), p95, limit_ms, len(timed))] if p95 > limit_ms else []


def _rate_limits(proof: _Proof, results: list[TestResult]) -> list[str]:
    limited = [r for r in results if r.category is TestCategory.RATE_LIMIT]
    if not limited:
        return []
    held = proof.source.gate.held_s + proof.dest.gate.held_s
    given_up = sum(1 for o in [*proof.reads.outcomes, *proof.writes] if o.result.category is TestCategory.RATE_LIMIT)
    text = (
        f"Rate limits: {len(limited)} answers were 429; Vitesse waited as Retry-After asked "
        f"(calls held back {held:.2f} s in all, at most {proof.options.max_retry_wait_s:g} s per wait) and retried. "
        "429s that were waited out are not counted against the mapping"
    )
    if given_up:
        text += f"; {given_up} calls were still rate-limited after {proof.options.max_rate_limit_retries} retries"
    return [text + "."]


def _auth_gaps(proof: _Proof) -> list[str]:
    out = []
    for side in (proof.source, proof.dest):
        if side.auth.missing:
            names = ", ".join(side.auth.missing)
            out.append(f"No credentials were given for {names} of {side.name}; its calls were sent without them.")
    return out
