"""Keep each integration's event log (numbered, stored) and hand new events to the clients watching live.

The run appends an event to the database first and publishes it second, so a watcher that subscribes
before it replays the log misses nothing: whatever it did not read from the database reaches its queue.
A watcher that falls too far behind is told it lagged and reads the log again.
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict, deque
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

WATCHER_QUEUE = 1024
REPLAY_PAGE = 500
RECENT_PER_INTEGRATION = 2000
RECENT_INTEGRATIONS = 512


@dataclass(frozen=True)
class StoredEvent:
    seq: int
    event: str
    data: dict[str, Any]


class Signal(Enum):
    ENDED = "ended"
    """The run stopped (finished, paused, failed or cancelled): read the log and decide."""
    CLOSED = "closed"
    """The server is shutting down or the integration is gone: stop streaming."""
    LAGGED = "lagged"
    """Events were dropped for this watcher: read the log again."""


class Watcher:
    """One live client: a bounded queue of events and signals."""

    def __init__(self, maxsize: int = WATCHER_QUEUE) -> None:
        self._queue: asyncio.Queue[StoredEvent | Signal] = asyncio.Queue(maxsize)

    def push(self, item: StoredEvent | Signal) -> None:
        try:
            self._queue.put_nowait(item)
        except asyncio.QueueFull:
            # Too far behind: drop what is queued; the watcher reads the log again, then goes on live.
            while not self._queue.empty():
                self._queue.get_nowait()
            self._queue.put_nowait(Signal.LAGGED)
            if isinstance(item, Signal):
                self._queue.put_nowait(item)

    async def next(self) -> StoredEvent | Signal:
        return await self._queue.get()


class Broker:
    """Fan events out to every watcher of an integration."""

    def __init__(self) -> None:
        self._watchers: dict[str, set[Watcher]] = {}

    def subscribe(self, integration_id: str) -> Watcher:
        watcher = Watcher()
        self._watchers.setdefault(integration_id, set()).add(watcher)
        return watcher

    def unsubscribe(self, integration_id: str, watcher: Watcher) -> None:
        watchers = self._watchers.get(integration_id)
        if watchers is not None:
            watchers.discard(watcher)
            if not watchers:
                del self._watchers[integration_id]

    def publish(self, integration_id: str, item: StoredEvent | Signal) -> None:
        for watcher in list(self._watchers.get(integration_id, ())):
            watcher.push(item)

    def close_all(self) -> None:
        for integration_id in list(self._watchers):
            self.publish(integration_id, Signal.CLOSED)

    @property
    def count(self) -> int:
        return sum(len(w) for w in self._watchers.values())


def jsonable(data: Mapping[str, Any]) -> dict[str, Any]:
    """Return a plain-JSON copy (enums, dates and models become strings or objects)."""
    result: dict[str, Any] = orjson.loads(orjson.dumps(dict(data), default=str))
    return result


class _Recent:
    """The latest events of one integration, complete from `base` on (every seq above it is kept)."""

    def __init__(self, base: int) -> None:
        self.base = base
        self.events: deque[StoredEvent] = deque(maxlen=RECENT_PER_INTEGRATION)

    def add(self, event: StoredEvent) -> None:
        if len(self.events) == self.events.maxlen:
            self.base = self.events[0].seq
        self.events.append(event)

    def after(self, seq: int, limit: int) -> list[StoredEvent] | None:
        if seq < self.base:
            return None  # older than what is kept: read the database
        return [e for e in self.events if e.seq > seq][:limit]


class EventLog:
    """Number and store events per integration; read them back after a given id.

    Appends come from the API's loop (a run's first event) and from the worker's loop (the run's own
    events), never for one integration at once; the last numbers and the recent events are shared under a
    thread lock. Replays of recent events are served from memory, older ones from the database.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._recent: OrderedDict[str, _Recent] = OrderedDict()
        self._lock = threading.Lock()

    def _cached(self, integration_id: str) -> _Recent | None:
        with self._lock:
            recent = self._recent.get(integration_id)
            if recent is not None:
                self._recent.move_to_end(integration_id)
            return recent

    async def append(
        self, integration_id: str, event: str, data: Mapping[str, Any], sessions: Any = None
    ) -> StoredEvent:
        """Store an event under the next number of its integration (with the caller's loop's sessions)."""
        from vitesse.persistence import append_run_event, last_run_event_seq

        payload = jsonable(data)
        recent = self._cached(integration_id)
        async with (sessions or self._sessions)() as session, session.begin():
            last = recent.events[-1].seq if recent and recent.events else recent.base if recent else None
            if last is None:
                last = await last_run_event_seq(session=session, integration_id=integration_id)
            seq = last + 1
            await append_run_event(session=session, integration_id=integration_id, seq=seq, event=event, data=payload)
        stored = StoredEvent(seq, event, payload)
        with self._lock:
            self._recent.setdefault(integration_id, _Recent(base=last)).add(stored)
            self._recent.move_to_end(integration_id)
            while len(self._recent) > RECENT_INTEGRATIONS:
                self._recent.popitem(last=False)
        return stored

    async def after(self, integration_id: str, after: int, limit: int = REPLAY_PAGE) -> list[StoredEvent]:
        from vitesse.persistence import list_run_events

        recent = self._cached(integration_id)
        if recent is not None:
            with self._lock:
                kept = recent.after(after, limit)
            if kept is not None:
                return kept
        async with self._sessions() as session:
            rows = await list_run_events(session=session, integration_id=integration_id, after=after, limit=limit)
        return [StoredEvent(row.seq, row.event, dict(row.data)) for row in rows]

    async def last(self, integration_id: str) -> int:
        recent = self._cached(integration_id)
        if recent is not None:
            with self._lock:
                return recent.events[-1].seq if recent.events else recent.base
        from vitesse.persistence import last_run_event_seq

        async with self._sessions() as session:
            return await last_run_event_seq(session=session, integration_id=integration_id)

    def forget(self, integration_id: str) -> None:
        with self._lock:
            self._recent.pop(integration_id, None)
