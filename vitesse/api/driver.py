"""Drive one run on the worker's loop: stream the graph, scrub and log each event, hand it to the API's loop.

Events the graph emits are scrubbed of the integration's credential values, appended to the event log
(numbered), then handed over for live watchers. When the graph stops, the run is recorded as paused
(waiting at review) or finished; a run that is cancelled (the server stops) stays recorded as running, so
the next server resumes it. A run that fails unexpectedly ends with `error` and `done` events.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

from vitesse.api.events import EventLog, StoredEvent
from vitesse.config import Settings
from vitesse.graph.context import Context
from vitesse.net import mask_secrets
from vitesse.persistence import RunState, thread_config
from vitesse.schemas import IntegrationStatus

log = logging.getLogger("vitesse.api.runs")
Publish = Callable[[str, StoredEvent], None]


def scrub(value: Any, secrets: list[str]) -> Any:
    """Mask every credential value wherever it appears in an event."""
    if not secrets:
        return value
    if isinstance(value, str):
        return mask_secrets(value, secrets)
    if isinstance(value, Mapping):
        return {k: scrub(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v, secrets) for v in value]
    return value


def secret_values(*maps: Mapping[str, Any] | None) -> list[str]:
    """The values worth masking (four characters or more) of credential mappings."""
    return [str(v) for m in maps if m for v in m.values() if v is not None and len(str(v)) >= 4]


class RunDriver:
    """One run of one integration, on the worker's loop."""

    def __init__(
        self, iid: str, *, graph: Any, sessions: Any, settings: Settings, events: EventLog, publish: Publish
    ) -> None:
        self.iid = iid
        self.graph = graph
        self.sessions = sessions
        self.settings = settings
        self.events = events
        self.publish = publish
        self.started = threading.Event()
        self.finished = threading.Event()
        """Set when the coroutine is over (also after a cancellation), for waiters on other threads."""

    async def run(self, payload: Any, context: Context) -> RunState:
        self.started.set()
        try:
            state = await self._stream(payload, context)
            await self._save(state)
            return state
        finally:
            self.finished.set()

    async def _stream(self, payload: Any, context: Context) -> RunState:
        secrets: list[str] = []
        try:
            secrets = await self._secrets()
            async for mode, chunk in self.graph.astream(
                payload, thread_config(self.iid), context=context, stream_mode=["custom", "updates"]
            ):
                if mode == "custom" and isinstance(chunk, Mapping) and "event" in chunk:
                    await self._relay(scrub(dict(chunk), secrets))
            snapshot = await self.graph.aget_state(thread_config(self.iid))
        except asyncio.CancelledError:
            raise  # the run stays recorded as running: the next server resumes it
        except Exception as exc:
            await self._fail(exc, secrets)
            return RunState.FINISHED
        return RunState.PAUSED if snapshot.next else RunState.FINISHED

    async def _relay(self, data: dict[str, Any]) -> None:
        name = str(data["event"])
        if name == "done" and data.get("error"):
            await self._record("error", {"event": "error", "message": data["error"]})
        await self._record(name, data)

    async def _record(self, name: str, data: Mapping[str, Any]) -> None:
        stored = await self.events.append(self.iid, name, {**data, "integration_id": self.iid}, self.sessions)
        self.publish(self.iid, stored)

    async def _fail(self, exc: Exception, secrets: list[str]) -> None:
        from vitesse.persistence import update_integration

        message = mask_secrets(f"the run stopped on an internal error: {type(exc).__name__}: {exc}", secrets)
        log.error("run %s failed: %s", self.iid, message)
        with contextlib.suppress(Exception):
            async with self.sessions() as session, session.begin():
                await update_integration(
                    session=session,
                    integration_id=self.iid,
                    tenant=None,
                    status=IntegrationStatus.FAILED,
                    error=message,
                )
        with contextlib.suppress(Exception):
            await self._record("error", {"event": "error", "message": message})
            await self._record("done", {"event": "done", "status": "failed", "overall_score": None, "error": message})

    async def _save(self, state: RunState) -> None:
        from vitesse.persistence import save_graph_run

        try:
            async with self.sessions() as session, session.begin():
                await save_graph_run(session=session, integration_id=self.iid, state=state)
        except Exception as exc:  # the integration may have been deleted meanwhile
            log.debug("could not record the end of run %s: %s", self.iid, exc)

    async def _secrets(self) -> list[str]:
        from vitesse.persistence import credential_key, load_credentials

        try:
            async with self.sessions() as session:
                stored = await load_credentials(
                    session=session, integration_id=self.iid, tenant=None, key=credential_key(self.settings)
                )
        except Exception:  # no row, or a key mismatch: nothing to mask with
            return []
        return secret_values(stored.source_auth, stored.dest_auth)
