"""Run the agent graph for callers: the guide's `VitesseOrchestrator(context).create_integration(...)`.

It adds no logic of its own: it opens the database and the checkpointer, stores credentials
encrypted, starts or resumes a run on the checkpointed graph (thread id = integration id), relays
the run's events to an optional callback (by default the context's `on_event`), and returns the
IntegrationInstance the run produced (a paused one says why in `review_reason`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any
from uuid import uuid4

from langgraph.types import Command

from vitesse.config import Settings
from vitesse.errors import NotFoundError
from vitesse.graph.context import Context, Services
from vitesse.graph.drift import DriftReport, compare_specs
from vitesse.graph.graph import build_graph
from vitesse.schemas import DeploymentConfig, IntegrationInstance, IntegrationStatus

EventSink = Callable[[dict[str, Any]], Awaitable[None] | None]


class VitesseOrchestrator:
    """Create, review and inspect integrations by running the graph."""

    def __init__(self, context: Any = None, *, settings: Settings | None = None, tenant: str = "default") -> None:
        base = getattr(context, "settings", None)
        self.settings = settings or (base if isinstance(base, Settings) else Settings())
        self.tenant = tenant
        self.on_event: EventSink | None = getattr(context, "on_event", None)
        """The context's event sink (`AgentContext.on_event`): where a run's events go when a call names none."""

    @asynccontextmanager
    async def _open(self) -> AsyncIterator[tuple[Any, Services]]:
        from vitesse.persistence import create_engine_from_settings, init_db, open_checkpointer, session_factory

        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine_from_settings(self.settings)
        try:
            await init_db(engine)
            async with open_checkpointer(self.settings) as saver:
                services = Services(settings=self.settings, sessions=session_factory(engine), tenant=self.tenant)
                yield build_graph(checkpointer=saver), services
        finally:
            await engine.dispose()

    async def create_integration(
        self,
        *,
        source_api_url: str,
        source_api_name: str,
        dest_api_url: str,
        dest_api_name: str,
        user_intent: str,
        deployment_config: DeploymentConfig | None = None,
        created_by: str | None = None,
        source_endpoint: str | None = None,
        dest_endpoint: str | None = None,
        source_spec_url: str | None = None,
        dest_spec_url: str | None = None,
        source_auth: Mapping[str, Any] | None = None,
        dest_auth: Mapping[str, Any] | None = None,
        source_base_url: str | None = None,
        dest_base_url: str | None = None,
        allow_live_writes: bool = False,
        integration_id: str | None = None,
        run_context: Context | None = None,
        on_event: EventSink | None = None,
    ) -> IntegrationInstance:
        """Ingest, map, prove, heal and (when asked) deploy; returns the integration as the run left it."""
        iid = integration_id or f"integ_{uuid4().hex[:12]}"
        inputs = {
            "integration_id": iid,
            "source_api_url": source_api_url,
            "source_api_name": source_api_name,
            "dest_api_url": dest_api_url,
            "dest_api_name": dest_api_name,
            "user_intent": user_intent,
            "source_endpoint": source_endpoint,
            "dest_endpoint": dest_endpoint,
            "source_spec_url": source_spec_url,
            "dest_spec_url": dest_spec_url,
            "deployment_config": deployment_config,
            "created_by": created_by,
            "source_base_url": source_base_url,
            "dest_base_url": dest_base_url,
            "allow_live_writes": allow_live_writes,
        }
        async with self._open() as (graph, services):
            await self._create_row(services, iid, inputs, source_auth, dest_auth, created_by)
            return await self._run(graph, services, iid, inputs, run_context, on_event)

    async def review_integration(
        self,
        integration_id: str,
        *,
        action: str,
        mapping: Mapping[str, Any] | None = None,
        reason: str | None = None,
        by: str | None = None,
        run_context: Context | None = None,
        on_event: EventSink | None = None,
    ) -> IntegrationInstance:
        """Resume a run paused for review: approve, edit (with a mapping) or abort (with a reason)."""
        decision = {"action": action, "mapping": dict(mapping) if mapping else None, "reason": reason, "by": by}
        async with self._open() as (graph, services):
            snapshot = await graph.aget_state(_config(integration_id))
            if not snapshot.next:
                raise NotFoundError(f"integration {integration_id} is not waiting for a review")
            return await self._run(graph, services, integration_id, Command(resume=decision), run_context, on_event)

    async def resume_integration(
        self, integration_id: str, *, run_context: Context | None = None, on_event: EventSink | None = None
    ) -> IntegrationInstance:
        """Finish a run that stopped part-way (a crash, a restart): it goes on from its last checkpoint."""
        async with self._open() as (graph, services):
            snapshot = await graph.aget_state(_config(integration_id))
            if not snapshot.values:
                raise NotFoundError(f"no integration {integration_id}")
            if snapshot.next and snapshot.next != ("review",):
                return await self._run(graph, services, integration_id, None, run_context, on_event)
            return await _current(graph, integration_id)

    async def recheck_integration(
        self, integration_id: str, *, run_context: Context | None = None, on_event: EventSink | None = None
    ) -> tuple[DriftReport, IntegrationInstance]:
        """Re-ingest both APIs; on drift, re-map and re-test, and pause for review before a deployment changes."""
        from vitesse.graph.ingestor import ingest

        async with self._open() as (graph, services):
            values = (await graph.aget_state(_config(integration_id))).values or {}
            old_source, old_dest, mapping = values.get("source_spec"), values.get("dest_spec"), values.get("mapping")
            if old_source is None or old_dest is None or mapping is None:
                raise NotFoundError(f"integration {integration_id} has no finished mapping to recheck")
            settings = services.settings
            new_source = await ingest(
                values["source_api_url"], spec_url=values.get("source_spec_url"), settings=settings
            )
            new_dest = await ingest(values["dest_api_url"], spec_url=values.get("dest_spec_url"), settings=settings)
            report = compare_specs(old_source, old_dest, new_source, new_dest, mapping)
            if not report.changed:
                return report, await _current(graph, integration_id)
            context = run_context or Context()
            context.require_review = context.require_review or values.get("deployment") is not None
            inputs = {k: values.get(k) for k in _INPUT_KEYS}
            instance = await self._run(graph, services, integration_id, inputs, context, on_event)
            return report, instance

    async def deploy_integration(
        self, integration_id: str, deployment_config: DeploymentConfig, *, dry_run: str | None = None
    ) -> dict[str, Any]:
        """Deploy (or, with `dry_run=DIR`, only write out the files of) an integration's proven mapping."""
        from vitesse.graph.deploy_step import deploy_integration_runtime, runtime_config_for, stored_credentials
        from vitesse.graph.state import State

        async with self._open() as (graph, services):
            values = (await graph.aget_state(_config(integration_id))).values or {}
            if not values:
                raise NotFoundError(f"no integration {integration_id}")
            state = State(**{k: v for k, v in values.items() if k in State.__dataclass_fields__})
            state.deployment_config = deployment_config
            if dry_run:
                from vitesse.deployers.templates import render_templates

                stored = await stored_credentials(services, integration_id)
                env = dict(deployment_config.env)
                config = runtime_config_for(state, integration_id, services, env, stored.runtime_references())
                written = render_templates(
                    dry_run,
                    integration_id,
                    runtime_config=config.model_dump(mode="json", by_alias=True),
                    source_api_name=state.source_api_name,
                    dest_api_name=state.dest_api_name,
                    secret_names=sorted({"SOURCE_API_KEY", "DEST_API_KEY", *stored.runtime_secrets()}),
                    memory_mb=deployment_config.memory_mb,
                    cpu_cores=deployment_config.cpu_cores,
                )
                return {"dry_run": True, "files": [str(p) for p in written]}
            deployment = await deploy_integration_runtime(state, integration_id, services)
            await self._record_deployment(services, integration_id, deployment_config, deployment)
            return deployment

    async def _record_deployment(
        self, services: Services, iid: str, config: DeploymentConfig, deployment: dict[str, Any]
    ) -> None:
        from vitesse.persistence import update_integration, upsert_deployment

        async with services.sessions() as session, session.begin():
            await upsert_deployment(
                session=session,
                integration_id=iid,
                tenant=None,
                target=config.target,
                status=str(deployment.get("status")),
                url=deployment.get("url"),
                external_id=deployment.get("external_id"),
                config=config,
            )
            if deployment.get("status") == "running":
                await update_integration(
                    session=session, integration_id=iid, tenant=None, status=IntegrationStatus.ACTIVE
                )

    async def deployment_action(self, integration_id: str, action: str, *, lines: int = 100) -> dict[str, Any]:
        """Run `status`, `logs`, `destroy` or `sync` on an integration's deployment."""
        from vitesse.deployers import DeployerFactory
        from vitesse.persistence import get_deployment

        async with self._open() as (_graph, services):
            async with services.sessions() as session:
                row = await get_deployment(session=session, integration_id=integration_id, tenant=None)
            if row is None:
                raise NotFoundError(f"integration {integration_id} has no deployment (run `vitesse deploy` first)")
            deployer = DeployerFactory.create_deployer(row.target, {}, settings=services.settings)
            if action == "logs":
                return {"logs": await deployer.get_logs(integration_id, lines)}
            if action == "destroy":
                info = await deployer.destroy(integration_id)
            elif action == "sync":
                return await _sync(row.url)
            else:
                info = await deployer.get_status(integration_id)
            return info.model_dump(mode="json")

    async def get_integration(self, integration_id: str) -> IntegrationInstance:
        """Return the integration as its last checkpoint holds it."""
        async with self._open() as (graph, _services):
            return await _current(graph, integration_id)

    async def _create_row(
        self,
        services: Services,
        iid: str,
        inputs: Mapping[str, Any],
        source_auth: Mapping[str, Any] | None,
        dest_auth: Mapping[str, Any] | None,
        actor: str | None,
    ) -> None:
        from vitesse.persistence import create_integration, credential_key, get_integration, store_credentials

        instance = IntegrationInstance(
            id=iid,
            name=f"{inputs['source_api_name']} → {inputs['dest_api_name']}",
            source_api_name=inputs["source_api_name"],
            dest_api_name=inputs["dest_api_name"],
            source_api_url=inputs["source_api_url"],
            dest_api_url=inputs["dest_api_url"],
            user_intent=inputs["user_intent"],
            deployment_config=inputs["deployment_config"],
            created_by=actor,
        )
        async with services.sessions() as session, session.begin():
            if await get_integration(session=session, integration_id=iid, tenant=None) is None:
                await create_integration(session=session, instance=instance, tenant=services.tenant, actor=actor)
            if source_auth or dest_auth:
                await store_credentials(
                    session=session,
                    integration_id=iid,
                    tenant=None,
                    key=credential_key(services.settings),
                    source_auth=dict(source_auth or {}),
                    dest_auth=dict(dest_auth or {}),
                )

    async def _run(
        self,
        graph: Any,
        services: Services,
        iid: str,
        payload: Any,
        run_context: Context | None,
        on_event: EventSink | None,
    ) -> IntegrationInstance:
        context = run_context or Context()
        context.services = services
        on_event = on_event if on_event is not None else self.on_event
        async for mode, chunk in graph.astream(
            payload, _config(iid), context=context, stream_mode=["custom", "updates"], durability="sync"
        ):
            if mode == "custom" and on_event is not None:
                maybe = on_event(chunk)
                if maybe is not None:
                    await maybe
        await self._prune(graph, iid, services)
        return await _current(graph, iid)

    @staticmethod
    async def _prune(graph: Any, iid: str, services: Services) -> None:
        """Keep the last N checkpoints of the thread (VITESSE_CHECKPOINT_KEEP_LAST) so tables stay bounded."""
        from vitesse.persistence import prune_checkpoints

        if graph.checkpointer is not None and services.settings.checkpoint_keep_last > 0:
            await prune_checkpoints(graph.checkpointer, iid, services.settings.checkpoint_keep_last)


async def _sync(url: str | None) -> dict[str, Any]:
    """Ask a deployed runtime to sync now; return its report."""
    import httpx

    if not url:
        raise NotFoundError("the deployment has no URL to reach its runtime")
    async with httpx.AsyncClient(timeout=300, trust_env=False) as client:
        response = await client.post(f"{url.rstrip('/')}/sync")
    body = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
    return {"status_code": response.status_code, **body}


_INPUT_KEYS = (
    "integration_id", "source_api_url", "source_api_name", "dest_api_url", "dest_api_name", "user_intent",
    "source_endpoint", "dest_endpoint", "source_spec_url", "dest_spec_url", "source_base_url", "dest_base_url",
    "allow_live_writes", "deployment_config", "created_by",
)  # fmt: skip


def _config(integration_id: str) -> dict[str, Any]:
    return {"configurable": {"thread_id": integration_id}}


async def _current(graph: Any, integration_id: str) -> IntegrationInstance:
    snapshot = await graph.aget_state(_config(integration_id))
    values = snapshot.values or {}
    if not values:
        raise NotFoundError(f"no integration {integration_id}")
    instance = values.get("integration")
    if isinstance(instance, IntegrationInstance) and not snapshot.next:
        return instance
    status = IntegrationStatus.REVIEW if snapshot.next else values.get("status", IntegrationStatus.INITIALIZING)
    return IntegrationInstance(
        id=integration_id,
        name=f"{values.get('source_api_name', '')} → {values.get('dest_api_name', '')}",
        source_api_name=values.get("source_api_name", ""),
        dest_api_name=values.get("dest_api_name", ""),
        user_intent=values.get("user_intent", ""),
        status=status,
        mapping_logic=values.get("mapping"),
        health_score=values.get("health"),
        deployment_config=values.get("deployment_config"),
        error=values.get("error"),
        review_reason=_review_reason(snapshot) if snapshot.next else None,
    )


def _review_reason(snapshot: Any) -> str | None:
    """Why the run paused: the `reason` of the review node's interrupt payload."""
    for task in snapshot.tasks:
        for pending in getattr(task, "interrupts", ()):
            if isinstance(pending.value, Mapping) and pending.value.get("reason"):
                return str(pending.value["reason"])
    return None
