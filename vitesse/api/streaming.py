"""Stream an integration's run as Server-Sent Events: replay from the log, then live, then close.

Each event goes out as `event: <name>`, `id: <n>`, `data: <json>` (the JSON always carries
`integration_id`). A client that reconnects with `Last-Event-ID: n` gets the events after n and then the
live ones. The stream closes once the run has finished and everything is sent; it stays open (with
heartbeat comments) while the run is paused for review, so the approval's events follow. A client
that goes away only stops its own stream: the run is a separate task.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from sse_starlette import EventSourceResponse, ServerSentEvent

from vitesse.api.events import REPLAY_PAGE, Signal, StoredEvent
from vitesse.persistence import RunState

if TYPE_CHECKING:
    from vitesse.api.hub import Hub

RETRY_MS = 2000
SEND_TIMEOUT_S = 30.0


def to_sse(event: StoredEvent, *, retry: int | None = None) -> ServerSentEvent:
    data = json.dumps(event.data, ensure_ascii=False, separators=(",", ":"))
    return ServerSentEvent(data=data, event=event.event, id=str(event.seq), retry=retry)


async def run_events(hub: Hub, integration_id: str, after: int) -> AsyncIterator[ServerSentEvent]:
    """Yield the events after `after`, then live events until the run is over (see the module docstring)."""
    watcher = hub.broker.subscribe(integration_id)
    last = after
    retry_hint: int | None = RETRY_MS
    try:
        while True:
            was_active = hub.runs.active(integration_id)
            async for event in _replay(hub, integration_id, last):
                yield to_sse(event, retry=retry_hint)
                last, retry_hint = event.seq, None
            if not was_active and await hub.runs.state(integration_id) != RunState.PAUSED:
                return
            while True:
                item = await watcher.next()
                if item is Signal.CLOSED:
                    return
                if isinstance(item, Signal):
                    break  # ended or lagged: read the log again, then decide
                if item.seq <= last:
                    continue
                if item.seq != last + 1:
                    break  # a gap: the log has what we missed
                yield to_sse(item, retry=retry_hint)
                last, retry_hint = item.seq, None
    finally:
        hub.broker.unsubscribe(integration_id, watcher)


async def _replay(hub: Hub, integration_id: str, after: int) -> AsyncIterator[StoredEvent]:
    while True:
        page = await hub.events.after(integration_id, after, REPLAY_PAGE)
        for event in page:
            yield event
            after = event.seq
        if len(page) < REPLAY_PAGE:
            return


def stream_response(hub: Hub, integration_id: str, after: int, status: int = 200) -> EventSourceResponse:
    """The SSE response for one integration, with heartbeats every `hub.sse_ping_s` seconds."""
    return EventSourceResponse(
        run_events(hub, integration_id, after),
        status_code=status,
        ping=hub.sse_ping_s,
        send_timeout=SEND_TIMEOUT_S,
        headers={"Cache-Control": "no-store"},
    )
