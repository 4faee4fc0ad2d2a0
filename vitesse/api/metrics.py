"""Count what the API does and render it in the Prometheus text format for `GET /metrics`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Metrics:
    requests: Counter[tuple[str, int]] = field(default_factory=Counter)
    """Requests by (method, status)."""
    runs_started: int = 0
    runs_finished: int = 0
    events_published: int = 0

    def count_request(self, method: str, status: int) -> None:
        self.requests[(method, status)] += 1

    def render(self, *, runs_in_flight: int, watchers: int) -> str:
        """Return the metrics as Prometheus exposition text."""
        lines = [
            "# HELP vitesse_http_requests_total HTTP requests answered, by method and status.",
            "# TYPE vitesse_http_requests_total counter",
        ]
        for (method, status), count in sorted(self.requests.items()):
            lines.append(f'vitesse_http_requests_total{{method="{method}",status="{status}"}} {count}')
        for name, kind, value, text in (
            ("vitesse_runs_started_total", "counter", self.runs_started, "Graph runs started or resumed."),
            ("vitesse_runs_settled_total", "counter", self.runs_finished, "Graph runs that finished or paused."),
            ("vitesse_events_published_total", "counter", self.events_published, "Run events stored and sent."),
            ("vitesse_runs_in_flight", "gauge", runs_in_flight, "Graph runs executing now."),
            ("vitesse_sse_watchers", "gauge", watchers, "Clients streaming run events now."),
        ):
            lines += [f"# HELP {name} {text}", f"# TYPE {name} {kind}", f"{name} {value}"]
        return "\n".join(lines) + "\n"
