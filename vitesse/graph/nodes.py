"""The graph's nodes: short verbs that call an engine and return a partial state update.

Every node reports progress as typed events (`vitesse.graph.events`) and records what changed in
the database when the run has one (`vitesse.graph.record`). Side effects are keyed by integration
id and mapping version, so a replay from a checkpoint does not repeat them.
"""

from __future__ import annotations

from typing import Any

from langgraph.config import get_config
from langgraph.runtime import Runtime
from langgraph.types import Command, interrupt

from vitesse.errors import VitesseError
from vitesse.graph import events as ev
from vitesse.graph.context import Context
from vitesse.graph.record import load_auth, record_proof, record_status
from vitesse.graph.state import State
from vitesse.schemas import (
    DataTransformation,
    IntegrationInstance,
    IntegrationStatus,
    MappingLogic,
    TransformType,
)


def integration_id(state: State) -> str:
    """The integration's id: given in the input, else the run's thread id."""
    if state.integration_id:
        return state.integration_id
    try:
        return str(get_config()["configurable"]["thread_id"])
    except (RuntimeError, KeyError):
        return "unnamed"


async def ingest_source(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Read the source API's spec."""
    return await _ingest("source", state.source_api_url, state.source_spec_url, state.source_api_name, state, runtime)


async def ingest_dest(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Read the destination API's spec."""
    return await _ingest("dest", state.dest_api_url, state.dest_spec_url, state.dest_api_name, state, runtime)


async def _ingest(
    side: str, url: str, spec_url: str | None, name: str, state: State, runtime: Runtime[Context]
) -> dict[str, Any]:
    from vitesse.graph.ingestor import ingest

    iid = integration_id(state)
    services = runtime.context.resolved_services()
    ev.emit(ev.StageStarted(iid, f"ingest_{side}", f"reading {name or url}"))
    try:
        spec = await ingest(url, spec_url=spec_url, settings=services.settings, name=name or None)
    except VitesseError as exc:
        ev.emit(ev.StageFinished(iid, f"ingest_{side}", f"failed: {exc}"))
        return {"error": f"{side} API: {exc}"}
    ev.emit(ev.StageFinished(iid, f"ingest_{side}", spec.title or spec.name, {"endpoints": len(spec.endpoints)}))
    await record_status(runtime, iid, IntegrationStatus.DISCOVERING, **{f"{side}_spec": spec})
    return {f"{side}_spec": spec}


def route_after_ingest(state: State) -> str:
    """Stop a run whose specs could not be read; map otherwise."""
    return "finish" if state.error else "map"


async def map_fields(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Propose a mapping, or revise the current one from the Guardian's feedback."""
    from vitesse.graph.mapper import heal_mapping, propose_mapping, propose_mapping_llm

    iid = integration_id(state)
    assert state.source_spec is not None and state.dest_spec is not None
    context = runtime.context
    healing = state.mapping is not None and bool(state.feedback)
    ev.emit(ev.StageStarted(iid, "map", "healing the mapping" if healing else "matching fields"))
    try:
        if healing and state.mapping is not None:
            mapping = heal_mapping(state.mapping, state.feedback, state.source_spec, state.dest_spec)
        elif context.use_llm and context.resolved_services().settings.llm_enabled:
            mapping = await propose_mapping_llm(
                state.source_spec,
                state.dest_spec,
                state.user_intent,
                source_endpoint=state.source_endpoint,
                dest_endpoint=state.dest_endpoint,
            )
        else:
            mapping = propose_mapping(
                state.source_spec,
                state.dest_spec,
                state.user_intent,
                source_endpoint=state.source_endpoint,
                dest_endpoint=state.dest_endpoint,
            )
            if context.naive_first_mapping:
                mapping = naive_copy(mapping)
    except VitesseError as exc:
        return {"error": f"mapping: {exc}", "status": IntegrationStatus.FAILED}
    ev.emit(
        ev.StageFinished(
            iid,
            "map",
            f"{len(mapping.transformations)} fields mapped (version {mapping.version}, {mapping.produced_by})",
            {"transformations": len(mapping.transformations), "unmapped_required": len(mapping.unmapped_required)},
        )
    )
    await record_status(runtime, iid, IntegrationStatus.MAPPING, mapping_logic=mapping, healed=healing)
    return {"mapping": mapping, "status": IntegrationStatus.MAPPING, "feedback": []}


def naive_copy(mapping: MappingLogic) -> MappingLogic:
    """Turn every transformation into a plain copy: the first mapping a careless integrator writes."""
    copies = [
        DataTransformation(
            source_fields=t.source_fields[:1],
            dest_field=t.dest_field,
            transform_type=TransformType.DIRECT,
            confidence=t.confidence,
            rationale="naive copy (demo: the heal loop repairs what this gets wrong)",
            required=t.required,
        )
        for t in mapping.transformations
        if t.source_fields
    ]
    return mapping.model_copy(update={"transformations": copies, "rationale": "naive first mapping"})


async def prove(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Run the Guardian: shadow calls against the sandboxes (or the live APIs the user named)."""
    from vitesse.graph.guardian.proof import run_guardian
    from vitesse.graph.guardian.report import GuardianOptions
    from vitesse.graph.guardian.target import Target

    iid = integration_id(state)
    assert state.mapping is not None and state.source_spec is not None and state.dest_spec is not None
    context = runtime.context
    services = context.resolved_services()
    source_ep = state.source_spec.find_endpoint(state.mapping.source_endpoint)
    dest_ep = state.dest_spec.find_endpoint(state.mapping.dest_endpoint)
    if source_ep is None or dest_ep is None:
        return {"error": "the mapping names an endpoint the specs do not have", "status": IntegrationStatus.FAILED}
    ev.emit(ev.StageStarted(iid, "guardian", f"{context.test_count} shadow calls"))
    live = state.source_base_url or state.dest_base_url
    source_auth, dest_auth = await load_auth(runtime, iid) if live else ({}, {})
    report = await run_guardian(
        state.mapping,
        Target(spec=state.source_spec, endpoint=source_ep, base_url=state.source_base_url, credentials=source_auth),
        Target(
            spec=state.dest_spec,
            endpoint=dest_ep,
            base_url=state.dest_base_url,
            credentials=dest_auth,
            allow_writes=state.allow_live_writes,
        ),
        options=GuardianOptions(
            test_count=context.test_count,
            seed=context.seed,
            pass_score=context.pass_score,
            faults=context.sandbox_faults,
            max_heal_attempts=max(0, context.max_heal_attempts - state.heal_attempts),
        ),
        settings=services.settings,
    )
    health = report.health
    passed = sum(1 for r in report.test_results if r.success)
    categories: dict[str, int] = {}
    for result in report.test_results:
        categories[result.category.value] = categories.get(result.category.value, 0) + 1
    ev.emit(ev.TestResultsRecorded(iid, len(report.test_results), passed, categories))
    ev.emit(
        ev.HealthMeasured(
            iid,
            health.overall_score,
            health.success_rate,
            health.endpoint_coverage,
            health.overall_score >= context.pass_score,
            health.critical_issues,
            health.against,
        )
    )
    await record_proof(runtime, iid, state.mapping, report.test_results, health)
    return {
        "health": health,
        "test_results": report.test_results,
        "feedback": report.feedback,
        "status": IntegrationStatus.TESTING,
    }


def route_after_guardian(state: State, runtime: Runtime[Context]) -> str:
    """Deploy a mapping that passed; send a failing one back to the Mapper while attempts remain."""
    if state.error:
        return "finish"
    score = state.health.overall_score if state.health else 0.0
    if score >= runtime.context.pass_score:
        return "review" if runtime.context.require_review and not state.review else "deploy"
    return "heal" if state.heal_attempts < runtime.context.max_heal_attempts else "review"


async def heal(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Count a heal attempt and say what goes back to the Mapper."""
    iid = integration_id(state)
    issues = [issue.message for issue in state.feedback][:10]
    ev.emit(ev.HealRequested(iid, state.heal_attempts + 1, issues))
    return {"heal_attempts": 1}


async def review(state: State, runtime: Runtime[Context]) -> Command[str]:
    """Pause for a person: approve the mapping as is, give an edited one (re-tested), or abort."""
    iid = integration_id(state)
    health = state.health
    critical = health.critical_issues if health else []
    await record_status(runtime, iid, IntegrationStatus.REVIEW)
    # On resume this node runs again from its start, so watchers see ReviewNeeded once per pause and resume.
    score = health.overall_score if health else 0.0
    if score >= runtime.context.pass_score:
        reason = f"the APIs changed; the new mapping scores {score:.1f}: approve it before the deployment changes"
    else:
        reason = f"health score {score:.1f} is below the pass score after {state.heal_attempts} heal attempts"
    ev.emit(ev.ReviewNeeded(iid, reason, critical))
    decision = interrupt(
        {
            "integration_id": iid,
            "reason": reason,
            "mapping": state.mapping.model_dump(mode="json") if state.mapping else None,
            "health": health.model_dump(mode="json") if health else None,
            "critical_issues": critical,
            "how_to_resume": {"action": "approve | edit | abort", "mapping": "for edit", "reason": "for abort"},
        }
    )
    return _decide(decision, state)


def _decide(decision: Any, state: State) -> Command[str]:
    decision = decision if isinstance(decision, dict) else {"action": str(decision)}
    action = str(decision.get("action", "")).lower()
    record = {"action": action, "reason": decision.get("reason"), "by": decision.get("by")}
    if action == "approve":
        return Command(goto="deploy", update={"review": record})
    if action == "edit" and decision.get("mapping"):
        mapping = MappingLogic.model_validate(decision["mapping"])
        base = state.mapping.version if state.mapping else 0
        mapping = mapping.model_copy(update={"version": max(mapping.version, base + 1), "produced_by": "human"})
        return Command(goto="guardian", update={"review": record, "mapping": mapping, "feedback": []})
    reason = decision.get("reason") or "aborted at review"
    return Command(goto="finish", update={"review": record, "status": IntegrationStatus.FAILED, "error": reason})


async def deploy(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Deploy the sync runtime when a target was asked for; else the integration is ready to deploy."""
    iid = integration_id(state)
    if state.deployment_config is None:
        return {"status": IntegrationStatus.READY}
    from vitesse.graph.deploy_step import deploy_integration_runtime

    ev.emit(ev.StageStarted(iid, "deploy", f"target {state.deployment_config.target.value}"))
    try:
        deployment = await deploy_integration_runtime(state, iid, runtime.context.resolved_services())
    except VitesseError as exc:
        return {"error": f"deploy: {exc}", "status": IntegrationStatus.FAILED}
    ev.emit(ev.Deployed(iid, state.deployment_config.target.value, deployment.get("status", ""), deployment.get("url")))
    await record_status(
        runtime, iid, IntegrationStatus.ACTIVE, deployment=deployment, deployment_config=state.deployment_config
    )
    return {"deployment": deployment, "status": IntegrationStatus.ACTIVE}


async def finish(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Assemble the IntegrationInstance the run returns and record the final status."""
    iid = integration_id(state)
    error = state.error or None  # a fresh thread stores the prepare node's "" as it is
    status = IntegrationStatus.FAILED if error else state.status
    if status in (IntegrationStatus.TESTING, IntegrationStatus.MAPPING, IntegrationStatus.DISCOVERING):
        status = IntegrationStatus.READY
    instance = IntegrationInstance(
        id=iid,
        name=f"{state.source_api_name or 'source'} → {state.dest_api_name or 'destination'}",
        source_api_name=state.source_api_name,
        dest_api_name=state.dest_api_name,
        source_api_url=state.source_api_url,
        dest_api_url=state.dest_api_url,
        user_intent=state.user_intent,
        status=status,
        source_spec=state.source_spec,
        dest_spec=state.dest_spec,
        mapping_logic=state.mapping,
        health_score=state.health,
        deployment_config=state.deployment_config,
        deployment_url=(state.deployment or {}).get("url"),
        container_id=(state.deployment or {}).get("external_id"),
        created_by=state.created_by,
        error=error,
    )
    await record_status(runtime, iid, status, error=error, final=True)
    score = state.health.overall_score if state.health else None
    ev.emit(ev.RunFinished(iid, status.value, score, error))
    return {"integration": instance, "status": status, "error": error}


__all__ = [
    "deploy",
    "finish",
    "heal",
    "ingest_dest",
    "ingest_source",
    "map_fields",
    "prove",
    "review",
    "route_after_guardian",
    "route_after_ingest",
]
