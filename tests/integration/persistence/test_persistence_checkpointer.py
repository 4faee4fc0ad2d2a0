"""The checkpointer on a SQLite file and on PostgreSQL: a real 2-node graph saves, reloads and is pruned."""

from __future__ import annotations

import operator
from pathlib import Path
from typing import Annotated, Any, TypedDict

import psycopg
import pytest
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.graph import END, START, StateGraph
from pydantic import BaseModel

from vitesse.config import Settings
from vitesse.errors import PersistenceError
from vitesse.persistence import open_checkpointer, prune_checkpoints, psycopg_uri, thread_config
from vitesse.schemas import APISpecification, Endpoint, HttpMethod, IntegrationStatus


class Outsider(BaseModel):
    """A type that is not on the checkpoint allowlist unless a test adds it."""

    value: str


class RunState(TypedDict, total=False):
    runs: Annotated[int, operator.add]
    spec: APISpecification
    status: IntegrationStatus
    extra: Any


SPEC = APISpecification(
    name="shop", spec_version="3.1.0", endpoints=[Endpoint(method=HttpMethod.GET, path="/customers")]
)


def build_graph(saver: Any, extra: Any = None) -> Any:
    async def ingest(state: RunState) -> dict[str, Any]:
        return {"runs": 1, "spec": SPEC, "extra": extra}

    async def finish(state: RunState) -> dict[str, Any]:
        return {"status": IntegrationStatus.READY if state["runs"] >= 1 else IntegrationStatus.FAILED}

    builder = StateGraph(RunState)
    builder.add_node("ingest", ingest)
    builder.add_node("finish", finish)
    builder.add_edge(START, "ingest")
    builder.add_edge("ingest", "finish")
    builder.add_edge("finish", END)
    return builder.compile(checkpointer=saver)


@pytest.fixture(params=["sqlite", "postgres"])
def saver_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    url = f"sqlite:///{tmp_path / 'app.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_database")
    return Settings(database_url=url, data_dir=tmp_path / "data", environment="test")


async def _history(saver: Any, thread_id: str) -> list[str]:
    return [t.config["configurable"]["checkpoint_id"] async for t in saver.alist(thread_config(thread_id))]


async def test_the_saver_matches_the_backend(saver_settings, tmp_path):
    async with open_checkpointer(saver_settings) as saver:
        expected = AsyncPostgresSaver if saver_settings.is_postgres else AsyncSqliteSaver
        assert isinstance(saver, expected)
    if not saver_settings.is_postgres:
        assert (tmp_path / "app-checkpoints.db").exists()


async def test_a_graph_run_is_checkpointed_per_integration_and_read_back(saver_settings, request):
    thread = f"integration-{request.node.callspec.id}-roundtrip"
    async with open_checkpointer(saver_settings) as saver:
        graph = build_graph(saver)
        await graph.ainvoke({"runs": 0}, thread_config(thread))
        await graph.ainvoke({"runs": 0}, thread_config(thread))
    # A new saver (a restarted process) reads the same thread back.
    async with open_checkpointer(saver_settings) as saver:
        state = await build_graph(saver).aget_state(thread_config(thread))
        other = await build_graph(saver).aget_state(thread_config(thread + "-other"))
    assert state.values["runs"] == 2
    assert state.values["spec"] == SPEC and isinstance(state.values["spec"], APISpecification)
    # AsyncPostgresSaver stores str values inline as JSON, so a str enum at the top of the state comes back as
    # its plain value there; it still compares equal.
    assert state.values["status"] == IntegrationStatus.READY
    assert other.values == {}


async def test_pruning_keeps_the_newest_checkpoints_and_the_state(saver_settings, request):
    thread, bystander = (f"prune-{request.node.callspec.id}-{n}" for n in (1, 2))
    async with open_checkpointer(saver_settings) as saver:
        graph = build_graph(saver)
        for _ in range(3):
            await graph.ainvoke({"runs": 0}, thread_config(thread))
        await graph.ainvoke({"runs": 0}, thread_config(bystander))
        before, bystander_before = await _history(saver, thread), await _history(saver, bystander)
        blobs_before = await _blob_count(saver_settings, thread)

        deleted = await prune_checkpoints(saver, thread, keep_last=2)

        after = await _history(saver, thread)
        assert deleted == len(before) - 2 > 0
        assert after == before[:2]  # the two newest, newest first
        assert await _history(saver, bystander) == bystander_before
        assert await _blob_count(saver_settings, thread) <= blobs_before
        for checkpoint_id in after:  # every kept checkpoint still loads in full
            config = thread_config(thread, checkpoint_id=checkpoint_id)
            assert (await graph.aget_state(config)).values["spec"] == SPEC
        assert await prune_checkpoints(saver, thread, keep_last=2) == 0

        result = await graph.ainvoke({"runs": 0}, thread_config(thread))  # the thread goes on after pruning
        assert result["runs"] == 4


async def _blob_count(settings: Settings, thread: str) -> int:
    if not settings.is_postgres:
        return 0
    async with await psycopg.AsyncConnection.connect(psycopg_uri(settings.sqlalchemy_url)) as conn:
        cur = await conn.execute("SELECT count(*) FROM checkpoint_blobs WHERE thread_id = %s", (thread,))
        return (await cur.fetchone())[0]


async def test_postgres_pruning_frees_blobs_no_checkpoint_refers_to(pg_database, tmp_path):
    settings = Settings(database_url=pg_database, data_dir=tmp_path, environment="test")
    thread = "prune-blobs"
    async with open_checkpointer(settings) as saver:
        graph = build_graph(saver)
        for _ in range(4):
            await graph.ainvoke({"runs": 0}, thread_config(thread))
        before = await _blob_count(settings, thread)
        await prune_checkpoints(saver, thread, keep_last=1)
        after = await _blob_count(settings, thread)
        assert after < before
        assert (await graph.aget_state(thread_config(thread))).values["runs"] == 4


async def test_types_off_the_allowlist_come_back_as_plain_data(saver_settings, request):
    """Deserialisation is narrowed: our schema types are rebuilt, an unknown class is not (unless allowed)."""
    thread = f"allowlist-{request.node.callspec.id}"
    async with open_checkpointer(saver_settings) as saver:
        await build_graph(saver, extra=Outsider(value="x")).ainvoke({"runs": 0}, thread_config(thread))
        blocked = (await build_graph(saver).aget_state(thread_config(thread))).values
    async with open_checkpointer(saver_settings, extra_allowed=[Outsider]) as saver:
        allowed = (await build_graph(saver).aget_state(thread_config(thread))).values
    assert isinstance(blocked["spec"], APISpecification)
    assert not isinstance(blocked["extra"], Outsider)
    assert allowed["extra"] == Outsider(value="x")


async def test_keep_last_below_one_is_refused(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'a.db'}", data_dir=tmp_path, environment="test")
    async with open_checkpointer(settings) as saver:
        with pytest.raises(PersistenceError, match="keep_last"):
            await prune_checkpoints(saver, "t", keep_last=0)


async def test_an_unreachable_postgres_gives_a_persistence_error_without_the_password(tmp_path):
    settings = Settings(
        database_url="postgresql://vitesse:hunter2-secret@127.0.0.1:1/vitesse", data_dir=tmp_path, environment="test"
    )
    with pytest.raises(PersistenceError, match="checkpoints") as caught:
        async with open_checkpointer(settings, connect_timeout=1):
            pass
    assert "hunter2-secret" not in str(caught.value)
