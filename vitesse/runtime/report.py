"""What a run did (`SyncReport`) and the process's Prometheus metrics."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any


class RunStatus(str, Enum):
    COMPLETED = "completed"
    """Every record read was delivered, recognised as already there, skipped or dead-lettered."""
    PARTIAL = "partial"
    """Stopped by transient failures; the next run resumes where this one stopped."""
    FAILED = "failed"
    """Stopped by something a person must fix (credentials, endpoint, config); the state is kept."""
    STOPPED = "stopped"
    """Stopped on shutdown between pages; the next run resumes."""
    SKIPPED = "skipped"
    """Another replica holds the sync lease."""


@dataclass
class SyncReport:
    run_id: str
    kind: str = "sync"
    """sync or replay."""
    status: RunStatus = RunStatus.COMPLETED
    started_at: float = field(default_factory=time.time)
    finished_at: float | None = None
    resumed: bool = False
    """The run continued an earlier run that had stopped part-way."""
    pages: int = 0
    read: int = 0
    written: int = 0
    duplicates: int = 0
    """Deliveries the destination already had: 409 on create, or found by lookup after an ambiguous failure."""
    failed: int = 0
    """Records sent to the dead-letter store by this run."""
    skipped: int = 0
    """Unchanged since delivered, already dead-lettered, or older than the high-water mark."""
    pending: int = 0
    """Records left for the next run (transient failures outlasted the retries)."""
    error: str | None = None

    @property
    def duration_s(self) -> float:
        return (self.finished_at or time.time()) - self.started_at

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"] = self.status.value
        data["duration_s"] = round(self.duration_s, 3)
        return data


COUNTERS = ("read", "written", "failed", "duplicates", "skipped", "pending")
HELP = {
    "read": "Source records read.",
    "written": "Records the destination acknowledged.",
    "failed": "Records sent to the dead-letter store.",
    "duplicates": "Deliveries suppressed because the destination already had the record (409 or lookup).",
    "skipped": "Records skipped: unchanged since delivered, already dead-lettered, or older than the mark.",
    "pending": "Records left for a later run after transient failures.",
}


@dataclass
class Metrics:
    """Counters since the process started (Prometheus expects counters to reset on restart)."""

    totals: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTERS, 0))
    runs: dict[str, int] = field(default_factory=dict)

    def observe(self, report: SyncReport) -> None:
        for name in COUNTERS:
            self.totals[name] += int(getattr(report, name))
        key = f"{report.kind}:{report.status.value}"
        self.runs[key] = self.runs.get(key, 0) + 1

    def render(
        self, *, integration_id: str, dead_letters: int, last_success: float | None, lag_s: float | None, running: bool
    ) -> str:
        """Return the metrics in the Prometheus text format (version 0.0.4)."""
        label = f'integration="{_escape(integration_id)}"'
        lines: list[str] = []
        for name in COUNTERS:
            metric = f"vitesse_sync_records_{name}_total"
            lines += [f"# HELP {metric} {HELP[name]}", f"# TYPE {metric} counter"]
            lines.append(f"{metric}{{{label}}} {self.totals[name]}")
        lines += ["# HELP vitesse_sync_runs_total Sync runs by kind and outcome."]
        lines += ["# TYPE vitesse_sync_runs_total counter"]
        for key, count in sorted(self.runs.items()):
            kind, status = key.split(":")
            lines.append(f'vitesse_sync_runs_total{{{label},kind="{kind}",status="{status}"}} {count}')
        gauges = [
            ("dead_letters", "Open dead letters (refused records waiting for a replay).", dead_letters),
            ("lag_seconds", "Seconds since the last completed run started (how stale the destination may be).", lag_s),
            ("last_success_timestamp_seconds", "When the last completed run finished (Unix time).", last_success),
            ("running", "1 while a sync runs.", 1 if running else 0),
        ]
        for name, text, value in gauges:
            if value is None:
                continue
            metric = f"vitesse_sync_{name}"
            lines += [f"# HELP {metric} {text}", f"# TYPE {metric} gauge", f"{metric}{{{label}}} {_number(value)}"]
        return "\n".join(lines) + "\n"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.3f}"
