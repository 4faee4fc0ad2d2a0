"""Name the progress a client can watch: small typed events with past-tense names.

Nodes emit them through LangGraph's stream writer (`stream_mode="custom"`); the CLI, the HTTP API
and the MCP server only render them. `as_dict()` adds `event`, the name clients switch on.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from langgraph.config import get_stream_writer


@dataclass
class Event:
    integration_id: str

    @property
    def name(self) -> str:
        return EVENT_NAMES[type(self)]

    def as_dict(self) -> dict[str, Any]:
        return {"event": self.name, **asdict(self)}


@dataclass
class StageStarted(Event):
    stage: str
    message: str = ""
    phase: str = "started"


@dataclass
class StageFinished(Event):
    stage: str
    message: str = ""
    counts: dict[str, Any] = field(default_factory=dict)
    phase: str = "finished"


@dataclass
class ProgressReported(Event):
    stage: str
    percent: float
    message: str = ""


@dataclass
class HealthMeasured(Event):
    overall_score: float
    success_rate: float
    endpoint_coverage: float
    passed: bool
    critical_issues: list[str] = field(default_factory=list)
    against: str = "sandbox"


@dataclass
class TestResultsRecorded(Event):
    __test__ = False
    total: int
    passed: int
    by_category: dict[str, int] = field(default_factory=dict)


@dataclass
class HealRequested(Event):
    attempt: int
    issues: list[str] = field(default_factory=list)


@dataclass
class ReviewNeeded(Event):
    reason: str
    critical_issues: list[str] = field(default_factory=list)


@dataclass
class Deployed(Event):
    target: str
    status: str
    url: str | None = None


@dataclass
class RunFinished(Event):
    status: str
    overall_score: float | None = None
    error: str | None = None


EVENT_NAMES: dict[type[Event], str] = {
    StageStarted: "stage",
    StageFinished: "stage",
    ProgressReported: "progress",
    HealthMeasured: "health",
    TestResultsRecorded: "test_result",
    HealRequested: "heal",
    ReviewNeeded: "review_needed",
    Deployed: "deployed",
    RunFinished: "done",
}


def emit(event: Event) -> None:
    """Send an event to whoever streams the run (a no-op outside a streaming run)."""
    try:
        writer = get_stream_writer()
    except RuntimeError:  # called outside a graph run
        return
    writer(event.as_dict())
