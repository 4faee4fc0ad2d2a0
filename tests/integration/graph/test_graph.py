"""The agent graph end to end on the example APIs: happy path, heal path, review with approve/edit/abort."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from vitesse.config import Settings
from vitesse.examples import CRM_SPEC, SHOP_SPEC
from vitesse.graph.context import Context, Services
from vitesse.graph.graph import build_graph
from vitesse.schemas import IntegrationStatus

INTENT = "Sync Acme Shop customers into Orbit CRM contacts"


def inputs(iid: str) -> dict[str, Any]:
    return {
        "integration_id": iid,
        "source_api_url": str(SHOP_SPEC),
        "source_api_name": "Acme Shop",
        "dest_api_url": str(CRM_SPEC),
        "dest_api_name": "Orbit CRM",
        "user_intent": INTENT,
    }


@pytest.fixture
def services(tmp_path: Path) -> Services:
    return Services(settings=Settings(data_dir=tmp_path, allow_loopback=True, spec_cache=False))


async def run(graph: Any, payload: Any, iid: str, context: Context) -> tuple[list[dict[str, Any]], list[str]]:
    events: list[dict[str, Any]] = []
    nodes: list[str] = []
    config = {"configurable": {"thread_id": iid}}
    async for mode, chunk in graph.astream(payload, config, context=context, stream_mode=["custom", "updates"]):
        if mode == "custom":
            events.append(chunk)
        else:
            nodes.extend(chunk)
    return events, nodes


async def test_the_happy_path_maps_proves_and_ends_ready_for_deployment(services):
    graph = build_graph(checkpointer=InMemorySaver())
    context = Context(services=services, test_count=30)
    events, nodes = await run(graph, inputs("happy"), "happy", context)
    assert nodes[0] == "prepare" and sorted(nodes[1:3]) == ["ingest_dest", "ingest_source"]
    assert nodes[3:] == ["ingested", "map", "guardian", "deploy", "finish"]
    sequence = [(e["event"], e.get("stage"), e.get("phase")) for e in events]
    ingest = sorted(sequence[:4])
    assert ingest == [
        ("stage", "ingest_dest", "finished"),
        ("stage", "ingest_dest", "started"),
        ("stage", "ingest_source", "finished"),
        ("stage", "ingest_source", "started"),
    ]
    assert sequence[4:] == [
        ("stage", "map", "started"),
        ("stage", "map", "finished"),
        ("stage", "guardian", "started"),
        ("test_result", None, None),
        ("health", None, None),
        ("done", None, None),
    ]
    assert all(e["integration_id"] == "happy" for e in events)
    assert events[-1]["status"] == "ready" and events[-1]["overall_score"] >= 70
    state = (await graph.aget_state({"configurable": {"thread_id": "happy"}})).values
    integration = state["integration"]
    assert integration.status == IntegrationStatus.READY
    assert integration.health_score.overall_score >= 70
    assert integration.mapping_logic.dest_endpoint == "POST /contacts"


async def test_a_naive_first_mapping_is_healed_by_the_heal_edge(services):
    graph = build_graph(checkpointer=InMemorySaver())
    context = Context(services=services, test_count=30, naive_first_mapping=True)
    events, nodes = await run(graph, inputs("heal"), "heal", context)
    health_events = [e for e in events if e["event"] == "health"]
    assert len(health_events) >= 2
    assert health_events[0]["overall_score"] < 70 <= health_events[-1]["overall_score"]
    assert [e["event"] for e in events].count("heal") == len(health_events) - 1
    assert nodes.count("map") == len(health_events)
    state = (await graph.aget_state({"configurable": {"thread_id": "heal"}})).values
    assert state["heal_attempts"] == len(health_events) - 1
    assert state["integration"].status == IntegrationStatus.READY
    assert state["integration"].mapping_logic.version > 1


async def paused_run(services: Services, iid: str) -> tuple[Any, Context]:
    graph = build_graph(checkpointer=InMemorySaver())
    context = Context(services=services, test_count=20, naive_first_mapping=True, max_heal_attempts=0)
    events, nodes = await run(graph, inputs(iid), iid, context)
    assert nodes[-1] == "__interrupt__"
    assert [e["event"] for e in events][-1] == "review_needed"
    snapshot = await graph.aget_state({"configurable": {"thread_id": iid}})
    assert snapshot.next == ("review",)
    payload = snapshot.tasks[0].interrupts[0].value
    assert payload["critical_issues"] and payload["mapping"]["dest_endpoint"] == "POST /contacts"
    verdict = payload["critical_issues"][-1]
    assert "is below the pass mark of 70" in verdict
    assert "the graph pauses for a person to review" in verdict, "no heal attempt left (max_heal_attempts=0)"
    return graph, context


async def test_review_abort_fails_the_integration_with_the_reason(services):
    graph, context = await paused_run(services, "abort")
    await run(graph, Command(resume={"action": "abort", "reason": "wrong CRM"}), "abort", context)
    state = (await graph.aget_state({"configurable": {"thread_id": "abort"}})).values
    assert state["integration"].status == IntegrationStatus.FAILED
    assert state["integration"].error == "wrong CRM"


async def test_review_approve_goes_on_as_is(services):
    graph, context = await paused_run(services, "approve")
    _, nodes = await run(graph, Command(resume={"action": "approve"}), "approve", context)
    assert nodes[-2:] == ["deploy", "finish"]
    state = (await graph.aget_state({"configurable": {"thread_id": "approve"}})).values
    assert state["integration"].status == IntegrationStatus.READY
    assert state["review"]["action"] == "approve"


async def test_review_edit_retests_the_edited_mapping(services):
    from vitesse.graph.mapper import heal_mapping

    graph, context = await paused_run(services, "edit")
    values = (await graph.aget_state({"configurable": {"thread_id": "edit"}})).values
    fixed = heal_mapping(values["mapping"], values["feedback"], values["source_spec"], values["dest_spec"])
    events, nodes = await run(
        graph, Command(resume={"action": "edit", "mapping": fixed.model_dump(mode="json")}), "edit", context
    )
    assert "guardian" in nodes
    state = (await graph.aget_state({"configurable": {"thread_id": "edit"}})).values
    assert state["mapping"].produced_by == "human"
    assert state["health"].overall_score >= 70
    assert state["integration"].status == IntegrationStatus.READY
