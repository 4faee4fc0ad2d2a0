"""The Guardian's knobs and its answer: `GuardianOptions` in, `GuardianReport` out."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydField

from vitesse.schemas import FieldIssue, HealthScore, TestCategory, TestResult

__all__ = ["GuardianOptions", "GuardianReport"]


class GuardianOptions(BaseModel):
    """How hard to prove a mapping."""

    model_config = ConfigDict(extra="forbid")

    test_count: int = PydField(default=100, ge=1, le=100_000)
    """At least this many calls: source reads (pages) plus destination writes."""
    concurrency: int = PydField(default=10, ge=1, le=1000)
    """Most calls in flight at once (one semaphore, one client)."""
    seed: int = 1
    """Seed of the synthetic records (and of the sandboxes Vitesse starts)."""
    pass_score: float = PydField(default=70.0, ge=0, le=100)
    max_heal_attempts: int = PydField(default=3, ge=0)
    """How often the run may still heal a failing mapping before it pauses for review (the report says so)."""
    slow_p95_ms: float = PydField(default=1000.0, gt=0)
    """An endpoint whose 95th-percentile response time is above this gets a latency warning."""
    max_retry_wait_s: float = PydField(default=5.0, ge=0)
    """Longest wait for one 429's Retry-After (longer asks are cut to this)."""
    timeout_s: float = PydField(default=10.0, gt=0)
    """Per-call timeout."""
    max_rate_limit_retries: int = PydField(default=5, ge=0, le=50)
    """How often one call is retried after 429s before it is given up (and reported, not judged)."""
    read_pages: int | None = PydField(default=None, ge=1)
    """Pages of the source list to read; default one tenth of `test_count` (at least one)."""
    page_size: int = PydField(default=10, ge=1, le=1000)
    """Records asked for per source page (bounded by the API's maximum)."""
    bulk_size: int = PydField(default=10, ge=1, le=1000)
    """Records per write when the destination takes bulk bodies (`dest_array_wrapper`)."""
    faults: dict[str, Any] | None = None
    """A fault plan (`vitesse.sandbox.faults.FaultPlan` fields) for the sandboxes Vitesse starts."""

    @property
    def pages(self) -> int:
        return self.read_pages or max(1, self.test_count // 10)


class GuardianReport(BaseModel):
    """The proof of one mapping: its health, every call, and the heal feedback for the Mapper."""

    health: HealthScore
    test_results: list[TestResult] = PydField(default_factory=list)
    feedback: list[FieldIssue] = PydField(default_factory=list)
    pass_score: float = 70.0

    @property
    def passed(self) -> bool:
        """True when the overall score reaches the pass score."""
        return self.health.overall_score >= self.pass_score

    def count(self, category: TestCategory) -> int:
        """How many calls ended in this category."""
        return sum(1 for r in self.test_results if r.category is category)

    def to_json(self) -> dict[str, Any]:
        """The CLI's `--json` shape: `health_score`, `test_results`, `feedback`, `passed`."""
        return {
            "health_score": self.health.model_dump(mode="json", exclude={"feedback"}),
            "passed": self.passed,
            "pass_score": self.pass_score,
            "test_results": [r.model_dump(mode="json") for r in self.test_results],
            "feedback": [f.model_dump(mode="json") for f in self.feedback],
        }
