"""Run integrations in the background on the checkpointed graph, one asyncio task per integration.

Thread id = integration id. Every event a run emits is scrubbed of the integration's credentials,
appended to the event log and handed to live watchers. A run paused at review or finished leaves
its task; a server that stops mid-run leaves it marked running, and the next start resumes it from
its last checkpoint (`recover`).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from langgraph.types import Command

from vitesse.api.events import Broker, EventLog, Signal, StoredEvent
from vitesse.api.metrics import Metrics
from vitesse.api.problems import conflict
from vitesse.config import Settings
from vitesse.graph.context import Context, Services
from vitesse.net import mask_secrets
from vitesse.persistence import RunState, thread_config
from vitesse.schemas import DeploymentConfig, IntegrationStatus

log = logging.getLogger("vitesse.api.runs")
CONTEXT_FIELDS = frozenset(f.name for f in dataclasses.fields(Context)) - {"services"}
SHUTDOWN_WAIT_S = 10.0


def build_context(knobs: Mapping[str, Any], services: Services) -> Context:
    """A run's Context from stored knobs; knobs this graph version does not know are left out."""
    return Context(**{k: v for k, v in knobs.items() if k in CONTEXT_FIELDS}, services=services)


def graph_input(stored: Mapping[str, Any]) -> dict[str, Any]:
    """Turn stored (JSON) inputs back into the graph's input, the deployment config as its model."""
    values = dict(stored)
    if isinstance(values.get("deployment_config"), Mapping):
        values["deployment_config"] = DeploymentConfig.model_validate(values["deployment_config"])
    return values


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
    return [str(v) for m in maps if m for v in m.values() if v is not None and len(str(v)) >= 4]


class RunManager:
    """Start, resume, watch and cancel runs."""

    def __init__(
        self,
        *,
        graph: Any,
        sessions: Any,
        settings: Settings,
        broker: Broker,
        events: EventLog,
        metrics: Metrics,
    ) -> None:
        self.graph = graph
        self.sessions = sessions
        self.settings = settings
        self.broker = broker
        self.events = events
        self.metrics = metrics
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._settled: dict[str, asyncio.Event] = {}

    def active(self, integration_id: str) -> bool:
        task = self._tasks.get(integration_id)
        return task is not None and not task.done()

    @property
    def in_flight(self) -> int:
        return sum(1 for t in self._tasks.values() if not t.done())

    async def state(self, integration_id: str) -> RunState | None:
        from vitesse.persistence import get_graph_run

        async with self.sessions() as session:
            row = await get_graph_run(session=session, integration_id=integration_id)
        return None if row is None else row.state

    async def knobs(self, integration_id: str) -> dict[str, Any]:
        from vitesse.persistence import get_graph_run

        async with self.sessions() as session:
            row = await get_graph_run(session=session, integration_id=integration_id)
        return dict(row.context) if row is not None else {}

    async def save_knobs(self, integration_id: str, knobs: Mapping[str, Any]) -> None:
        """Keep new run settings for the integration's later runs (no-op when it has no run row)."""
        from vitesse.persistence import get_graph_run

        async with self.sessions() as session, session.begin():
            row = await get_graph_run(session=session, integration_id=integration_id)
            if row is not None:
                row.context = dict(knobs)

    async def start(
        self,
        integration_id: str,
        payload: Any,
        *,
        tenant: str,
        knobs: Mapping[str, Any],
        actor: str | None = None,
        inputs: Mapping[str, Any] | None = None,
        phase: str = "started",
        message: str = "",
    ) -> None:
        """Start (or continue) a run in the background; 409 when one is already running.

        Its first event (`stage` run/<phase>) is logged before this returns, so a client that asks for the
        events right after the request gets one at once.
        """
        from vitesse.persistence import save_graph_run

        if self.active(integration_id):
            raise conflict(f"Integration {integration_id!r} has a run in progress: wait for it or watch its events")
        async with self.sessions() as session, session.begin():
            await save_graph_run(
                session=session,
                integration_id=integration_id,
                state=RunState.RUNNING,
                tenant=tenant,
                inputs=inputs,
                context=dict(knobs),
                actor=actor,
            )
        await self._announce(integration_id, phase, message)
        self._launch(integration_id, payload, tenant, knobs)

    async def _announce(self, iid: str, phase: str, message: str) -> None:
        data = {"event": "stage", "integration_id": iid, "stage": "run", "phase": phase, "message": message}
        await self._record(iid, "stage", data)

    def _launch(self, iid: str, payload: Any, tenant: str, knobs: Mapping[str, Any]) -> None:
        services = Services(settings=self.settings, sessions=self.sessions, tenant=tenant)
        context = build_context(knobs, services)
        self._settled[iid] = asyncio.Event()
        self._tasks[iid] = asyncio.create_task(self._drive(iid, payload, context), name=f"vitesse-run-{iid}")
        self.metrics.runs_started += 1

    async def _drive(self, iid: str, payload: Any, context: Context) -> None:
        state: RunState | None = None
        secrets = await self._secrets(iid)
        try:
            async for mode, chunk in self.graph.astream(
                payload, thread_config(iid), context=context, stream_mode=["custom", "updates"]
            ):
                if mode == "custom" and isinstance(chunk, Mapping) and "event" in chunk:
                    await self._relay(iid, scrub(dict(chunk), secrets))
            snapshot = await self.graph.aget_state(thread_config(iid))
            state = RunState.PAUSED if snapshot.next else RunState.FINISHED
        except asyncio.CancelledError:
            raise  # the run stays marked running: the next server start resumes it
        except Exception as exc:
            state = RunState.FINISHED
            await self._fail(iid, exc, secrets)
        finally:
            await self._settle(iid, state)

    async def _relay(self, iid: str, data: dict[str, Any]) -> None:
        name = str(data["event"])
        if name == "done" and data.get("error"):
            await self._record(iid, "error", {"event": "error", "integration_id": iid, "message": data["error"]})
        await self._record(iid, name, data)

    async def _record(self, iid: str, name: str, data: Mapping[str, Any]) -> StoredEvent:
        stored = await self.events.append(iid, name, {**data, "integration_id": iid})
        self.broker.publish(iid, stored)
        self.metrics.events_published += 1
        return stored

    async def _fail(self, iid: str, exc: Exception, secrets: list[str]) -> None:
        from vitesse.persistence import update_integration

        message = mask_secrets(f"the run stopped on an internal error: {type(exc).__name__}: {exc}", secrets)
        log.error("run %s failed: %s", iid, message)
        with contextlib.suppress(Exception):
            async with self.sessions() as session, session.begin():
                await update_integration(
                    session=session, integration_id=iid, tenant=None, status=IntegrationStatus.FAILED, error=message
                )
        with contextlib.suppress(Exception):
            await self._record(iid, "error", {"event": "error", "integration_id": iid, "message": message})
            await self._record(
                iid, "done", {"event": "done", "status": "failed", "overall_score": None, "error": message}
            )

    async def _settle(self, iid: str, state: RunState | None) -> None:
        from vitesse.persistence import save_graph_run

        if state is not None:
            try:
                async with self.sessions() as session, session.begin():
                    await save_graph_run(session=session, integration_id=iid, state=state)
            except Exception as exc:  # the integration may have been deleted meanwhile
                log.debug("could not record the end of run %s: %s", iid, exc)
            self.metrics.runs_finished += 1
        self._tasks.pop(iid, None)
        settled = self._settled.pop(iid, None)
        if settled is not None:
            settled.set()
        self.broker.publish(iid, Signal.ENDED)

    async def _secrets(self, iid: str) -> list[str]:
        from vitesse.persistence import credential_key, load_credentials

        try:
            async with self.sessions() as session:
                stored = await load_credentials(
                    session=session, integration_id=iid, tenant=None, key=credential_key(self.settings)
                )
        except Exception:  # no row yet, or a key mismatch: nothing to mask with
            return []
        return secret_values(stored.source_auth, stored.dest_auth)

    async def wait(self, integration_id: str, timeout: float) -> None:
        """Wait until the integration's run finishes or pauses (or the timeout passes)."""
        settled = self._settled.get(integration_id)
        if settled is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(settled.wait(), timeout)

    async def cancel(self, integration_id: str) -> None:
        """Stop a run (the integration is being deleted) and tell its watchers to go."""
        task = self._tasks.get(integration_id)
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self.broker.publish(integration_id, Signal.CLOSED)
        self.events.forget(integration_id)

    async def shutdown(self, timeout: float = SHUTDOWN_WAIT_S) -> None:
        """Close every stream and cancel every run; they stay marked running and resume on the next start."""
        self.broker.close_all()
        tasks = [t for t in self._tasks.values() if not t.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=timeout)

    async def recover(self) -> list[str]:
        """Resume the runs a previous server left running; returns their integration ids."""
        from vitesse.persistence import RunState, list_graph_runs

        async with self.sessions() as session:
            rows = await list_graph_runs(session=session, state=RunState.RUNNING)
        resumed = []
        for row in rows:
            if await self._resume_one(row.integration_id, row.tenant, dict(row.inputs), dict(row.context)):
                resumed.append(row.integration_id)
        return resumed

    async def _resume_one(self, iid: str, tenant: str, inputs: dict[str, Any], knobs: dict[str, Any]) -> bool:
        from vitesse.persistence import save_graph_run

        snapshot = await self.graph.aget_state(thread_config(iid))
        if not snapshot.values and inputs:
            payload: Any = graph_input(inputs)
        elif snapshot.next and not _interrupted(snapshot):
            payload = None
        else:
            state = RunState.PAUSED if snapshot.next else RunState.FINISHED
            async with self.sessions() as session, session.begin():
                await save_graph_run(session=session, integration_id=iid, state=state)
            return False
        log.info("resuming run %s after a restart", iid)
        await self._announce(iid, "resumed", "resumed after a server restart")
        self._launch(iid, payload, tenant, knobs)
        return True


def _interrupted(snapshot: Any) -> bool:
    return any(getattr(task, "interrupts", ()) for task in snapshot.tasks)


def review_command(decision: Mapping[str, Any]) -> Command[Any]:
    return Command(resume=dict(decision))


def goto_command(node: str, update: Mapping[str, Any]) -> Command[Any]:
    return Command(goto=node, update=dict(update))


def as_list(values: Iterable[str]) -> list[str]:
    return sorted(set(values))
