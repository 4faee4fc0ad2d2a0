"""Run integrations in the background on the checkpointed graph (thread id = integration id).

The API's side of the runs: start one (its first event is logged before the request returns), know
which are in flight, wait for one to settle, cancel, and at start-up resume the runs a stopped server
left running. The runs themselves execute on the worker's loop (`vitesse.api.worker`, driven by
`vitesse.api.driver`); their events come back to this loop for the live watchers.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import dataclasses
import logging
import time
from collections.abc import Mapping
from typing import Any

from langgraph.types import Command

from vitesse.api.driver import RunDriver, scrub, secret_values
from vitesse.api.events import Broker, EventLog, Signal, StoredEvent
from vitesse.api.metrics import Metrics
from vitesse.api.problems import conflict
from vitesse.api.worker import RunWorker
from vitesse.config import Settings
from vitesse.graph.context import Context, Services
from vitesse.persistence import RunState, thread_config
from vitesse.schemas import DeploymentConfig

log = logging.getLogger("vitesse.api.runs")
CONTEXT_FIELDS = frozenset(f.name for f in dataclasses.fields(Context)) - {"services"}
SHUTDOWN_WAIT_S = 10.0
NEVER_STARTED_S = 0.5

__all__ = ["CONTEXT_FIELDS", "RunManager", "build_context", "graph_input", "scrub", "secret_values"]


def build_context(knobs: Mapping[str, Any], services: Services) -> Context:
    """A run's Context from stored knobs; knobs this graph version does not know are left out."""
    return Context(**{k: v for k, v in knobs.items() if k in CONTEXT_FIELDS}, services=services)


def graph_input(stored: Mapping[str, Any]) -> dict[str, Any]:
    """Turn stored (JSON) inputs back into the graph's input, the deployment config as its model."""
    values = dict(stored)
    if isinstance(values.get("deployment_config"), Mapping):
        values["deployment_config"] = DeploymentConfig.model_validate(values["deployment_config"])
    return values


@dataclasses.dataclass
class _Run:
    future: concurrent.futures.Future[RunState]
    driver: RunDriver
    settled: asyncio.Event


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
        worker: RunWorker,
    ) -> None:
        self.graph = graph
        """This loop's compiled graph: read snapshots with it (runs use the worker's)."""
        self.sessions = sessions
        self.settings = settings
        self.broker = broker
        self.events = events
        self.metrics = metrics
        self.worker = worker
        self._loop = asyncio.get_running_loop()
        self._runs: dict[str, _Run] = {}
        self._states: dict[str, RunState] = {}
        """Run states this process saw settle (the database has them too); spares a query per stream."""

    def active(self, integration_id: str) -> bool:
        return integration_id in self._runs

    @property
    def in_flight(self) -> int:
        return len(self._runs)

    async def state(self, integration_id: str) -> RunState | None:
        from vitesse.persistence import get_graph_run

        if self.active(integration_id):
            return RunState.RUNNING
        if integration_id in self._states:
            return self._states[integration_id]
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
        self._states.pop(integration_id, None)
        await self._announce(integration_id, phase, message)
        self._launch(integration_id, payload, tenant, knobs)

    async def _announce(self, iid: str, phase: str, message: str) -> None:
        data = {"event": "stage", "integration_id": iid, "stage": "run", "phase": phase, "message": message}
        self._publish(iid, await self.events.append(iid, "stage", data, self.sessions))

    def _launch(self, iid: str, payload: Any, tenant: str, knobs: Mapping[str, Any]) -> None:
        services = Services(settings=self.settings, sessions=self.worker.sessions, tenant=tenant)
        driver = RunDriver(
            iid,
            graph=self.worker.graph,
            sessions=self.worker.sessions,
            settings=self.settings,
            events=self.events,
            publish=self._publish_from_worker,
        )
        future = self.worker.submit(driver.run(payload, build_context(knobs, services)))
        run = _Run(future, driver, asyncio.Event())
        self._runs[iid] = run
        # Called on the worker's thread; events published before it are already queued on this loop.
        future.add_done_callback(lambda _: self._loop.call_soon_threadsafe(self._settle, iid, run))
        self.metrics.runs_started += 1

    def _publish_from_worker(self, iid: str, stored: StoredEvent) -> None:
        self._loop.call_soon_threadsafe(self._publish, iid, stored)

    def _publish(self, iid: str, stored: StoredEvent) -> None:
        self.broker.publish(iid, stored)
        self.metrics.events_published += 1

    def _settle(self, iid: str, run: _Run) -> None:
        if self._runs.get(iid) is run:
            del self._runs[iid]
        if not run.future.cancelled():
            error = run.future.exception()
            if error is None:
                self._states[iid] = run.future.result()
                self.metrics.runs_finished += 1
            else:
                log.error("run %s ended on an unexpected %s", iid, type(error).__name__)
        run.settled.set()
        self.broker.publish(iid, Signal.ENDED)

    async def wait(self, integration_id: str, timeout: float) -> None:
        """Wait until the integration's run finishes or pauses (or the timeout passes)."""
        run = self._runs.get(integration_id)
        if run is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(run.settled.wait(), timeout)

    async def _stop(self, runs: list[_Run], timeout: float) -> None:
        for run in runs:
            run.future.cancel()
        deadline = time.monotonic() + timeout
        for run in runs:
            # A run cancelled before its coroutine started never runs at all; one that started ends its `finally`.
            while not run.driver.finished.is_set() and time.monotonic() < deadline:
                if not run.driver.started.is_set() and time.monotonic() > deadline - timeout + NEVER_STARTED_S:
                    break
                await asyncio.sleep(0.02)

    async def cancel(self, integration_id: str) -> None:
        """Stop a run (the integration is being deleted) and tell its watchers to go."""
        run = self._runs.get(integration_id)
        if run is not None:
            await self._stop([run], SHUTDOWN_WAIT_S)
        self.broker.publish(integration_id, Signal.CLOSED)
        self.events.forget(integration_id)
        self._states.pop(integration_id, None)

    async def shutdown(self, timeout: float = SHUTDOWN_WAIT_S) -> None:
        """Close every stream and cancel every run; they stay marked running and resume on the next start."""
        self.broker.close_all()
        await self._stop(list(self._runs.values()), timeout)

    async def recover(self) -> list[str]:
        """Resume the runs a previous server left running; returns their integration ids."""
        from vitesse.persistence import list_graph_runs

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
            self._states[iid] = state
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
