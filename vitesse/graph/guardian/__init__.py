"""Prove a mapping before it is deployed: synthetic records, shadow calls, a health score, heal feedback.

`run_guardian(mapping, source, dest)` reads the source (its sandbox by default), writes transformed
synthetic records to the destination (its sandbox by default; a live API only with `allow_writes`),
and returns a `GuardianReport`: the `HealthScore` (defined in `vitesse.graph.guardian.health`), every
call's `TestResult`, and the `FieldIssue`s the Mapper heals from.
"""

from vitesse.graph.guardian.health import coverage, percentile, required_dest_fields, score_health, success_rate
from vitesse.graph.guardian.proof import run_guardian
from vitesse.graph.guardian.report import GuardianOptions, GuardianReport
from vitesse.graph.guardian.target import Target

__all__ = [
    "GuardianOptions",
    "GuardianReport",
    "Target",
    "coverage",
    "percentile",
    "required_dest_fields",
    "run_guardian",
    "score_health",
    "success_rate",
]
