"""Turn the graph's run events into MCP progress notifications, one per event, with a readable message.

The progress value counts events, so it only ever grows even when the heal loop sends the run back to
the Mapper; the total is unknown until the run's `done` event, which reports progress == total.
"""

from __future__ import annotations

from typing import Any

from vitesse.mcp_server.state import EventLog


class ProgressSink:
    """The `on_event` callback of a run started by a tool call: remembers each event and reports it."""

    def __init__(self, ctx: Any, log: EventLog) -> None:
        self._ctx = ctx
        self._log = log
        self.step = 0

    async def __call__(self, event: dict[str, Any]) -> None:
        self._log.add(event)
        self.step += 1
        total = float(self.step) if event.get("event") == "done" else None
        await self._ctx.report_progress(float(self.step), total, describe_event(event))


def describe_event(event: dict[str, Any]) -> str:
    """Say in a line what one run event means."""
    kind = event.get("event")
    if kind == "stage":
        verb = "started" if event.get("phase") == "started" else "done"
        detail = event.get("message") or ""
        return f"{event.get('stage')} {verb}" + (f": {detail}" if detail else "")
    if kind == "progress":
        return f"{event.get('stage')}: {float(event.get('percent') or 0):.0f}% {event.get('message') or ''}".strip()
    if kind == "test_result":
        return f"shadow calls: {event.get('passed')} of {event.get('total')} passed"
    if kind == "health":
        verdict = "passes" if event.get("passed") else "below the pass score"
        return f"health {float(event.get('overall_score') or 0):.1f} ({verdict}, against {event.get('against')})"
    if kind == "heal":
        return f"healing the mapping (attempt {event.get('attempt')})"
    if kind == "review_needed":
        return f"paused for review: {event.get('reason')}"
    if kind == "deployed":
        return f"deployed on {event.get('target')}" + (f" at {event['url']}" if event.get("url") else "")
    if kind == "done":
        score = event.get("overall_score")
        tail = f", health {float(score):.1f}" if score is not None else ""
        return f"finished: {event.get('status')}{tail}" + (f" ({event['error']})" if event.get("error") else "")
    return str(kind or "event")
