"""Wire the agent graph: ingest both APIs in parallel, map, prove, heal or review, deploy, finish.

```
START ─ prepare ─┬─ ingest_source ─┐
                 └─ ingest_dest ───┴─ ingested ─ map ─ guardian ─┬─ deploy ─ finish ─ END
                                                  ▲              ├─ heal ─► map   (score < pass, attempts left)
                                                  │              └─ review: interrupt — approve → deploy,
                                                                    edit → guardian, abort → finish
```
"""

from __future__ import annotations

from typing import Any

from langgraph.graph import END, START, StateGraph

from vitesse.graph import nodes
from vitesse.graph.context import Context
from vitesse.graph.state import InputState, OutputState, State
from vitesse.schemas import IntegrationStatus


def build_graph(checkpointer: Any = None) -> Any:
    """Compile the graph; pass a checkpointer (SQLite or Postgres saver) for durable, resumable runs."""
    builder = StateGraph(State, context_schema=Context, input_schema=InputState, output_schema=OutputState)
    builder.add_node("ingest_source", nodes.ingest_source)
    builder.add_node("ingest_dest", nodes.ingest_dest)
    builder.add_node("map", nodes.map_fields)
    builder.add_node("guardian", nodes.prove)
    builder.add_node("heal", nodes.heal)
    builder.add_node("review", nodes.review, destinations=("deploy", "guardian", "finish"))
    builder.add_node("deploy", nodes.deploy)
    builder.add_node("finish", nodes.finish)
    builder.add_node("prepare", _prepare)
    builder.add_edge(START, "prepare")
    builder.add_edge("prepare", "ingest_source")
    builder.add_edge("prepare", "ingest_dest")
    builder.add_node("ingested", _ingested)
    builder.add_edge(["ingest_source", "ingest_dest"], "ingested")
    builder.add_conditional_edges("ingested", nodes.route_after_ingest, {"map": "map", "finish": "finish"})
    builder.add_conditional_edges("map", _route_after_map, {"guardian": "guardian", "finish": "finish"})
    builder.add_conditional_edges(
        "guardian",
        nodes.route_after_guardian,
        {"heal": "heal", "deploy": "deploy", "review": "review", "finish": "finish"},
    )
    builder.add_edge("heal", "map")
    builder.add_edge("deploy", "finish")
    builder.add_edge("finish", END)
    return builder.compile(checkpointer=checkpointer, name="vitesse")


async def _prepare(state: State) -> dict[str, Any]:
    """Start a run clean: a thread that ran before (a recheck) keeps its specs and mapping, not its verdicts."""
    return {
        "heal_attempts": -1,
        "review": None,
        "error": "",
        "feedback": [],
        "integration": None,
        "status": IntegrationStatus.DISCOVERING,
    }


async def _ingested(state: State) -> dict[str, Any]:
    """Join point of the two parallel ingests."""
    return {"status": IntegrationStatus.FAILED if state.error else IntegrationStatus.DISCOVERING}


def _route_after_map(state: State) -> str:
    return "finish" if state.error else "guardian"


graph = build_graph()
"""The graph LangGraph Studio / `langgraph dev` loads (`langgraph.json`); the server brings its own saver."""
