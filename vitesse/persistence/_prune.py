"""Keep only the newest checkpoints of a thread, so the checkpoint tables stop growing.

Only checkpoints older than the N newest of each namespace are removed, with their pending writes
(and, on PostgreSQL, the channel blobs no remaining checkpoint refers to). A run that saves meanwhile
writes newer checkpoints, which are never candidates. Graphs using LangGraph's `DeltaChannel` need
their snapshot ancestors and must not be pruned this way; Vitesse's graph does not use it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from psycopg import AsyncConnection
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from vitesse.errors import PersistenceError

_CHUNK = 500


async def prune_checkpoints(saver: BaseCheckpointSaver[Any], thread_id: str, keep_last: int) -> int:
    """Delete all but the `keep_last` newest checkpoints of a thread (per namespace).

    Call it between runs of the thread, e.g. when a run finishes.

    Args:
        saver: A saver from `open_checkpointer` (SQLite or PostgreSQL).
        thread_id: The thread, i.e. the integration id.
        keep_last: How many of the newest checkpoints to keep, at least 1 (`Settings.checkpoint_keep_last`).

    Returns:
        How many checkpoints were deleted.

    Raises:
        PersistenceError: `keep_last` is below 1 or the saver type is not supported.
    """
    if keep_last < 1:
        raise PersistenceError(f"keep_last must be 1 or more (the newest checkpoint is the thread), got {keep_last}")
    if isinstance(saver, AsyncPostgresSaver):
        return await _prune_postgres(saver, str(thread_id), keep_last)
    if isinstance(saver, AsyncSqliteSaver):
        return await _prune_sqlite(saver, str(thread_id), keep_last)
    raise PersistenceError(f"Cannot prune a {type(saver).__name__}: use a saver from open_checkpointer")


def doomed_checkpoints(rows: Sequence[tuple[str, str]], keep_last: int) -> dict[str, list[str]]:
    """Group `(namespace, checkpoint_id)` rows and return, per namespace, the ids past the newest `keep_last`.

    Checkpoint ids sort by creation time (LangGraph orders by them too).
    """
    by_ns: dict[str, list[str]] = defaultdict(list)
    for ns, checkpoint_id in rows:
        by_ns[ns].append(checkpoint_id)
    doomed = {ns: sorted(ids, reverse=True)[keep_last:] for ns, ids in by_ns.items()}
    return {ns: ids for ns, ids in doomed.items() if ids}


def _chunks(ids: list[str]) -> list[list[str]]:
    return [ids[i : i + _CHUNK] for i in range(0, len(ids), _CHUNK)]


async def _prune_sqlite(saver: AsyncSqliteSaver, thread_id: str, keep_last: int) -> int:
    await saver.setup()
    deleted = 0
    async with saver.lock:
        async with saver.conn.execute(
            "SELECT checkpoint_ns, checkpoint_id FROM checkpoints WHERE thread_id = ?", (thread_id,)
        ) as cursor:
            rows = [(str(r[0]), str(r[1])) for r in await cursor.fetchall()]
        for ns, ids in doomed_checkpoints(rows, keep_last).items():
            for chunk in _chunks(ids):
                marks = ",".join("?" * len(chunk))
                args = (thread_id, ns, *chunk)
                where = f"thread_id = ? AND checkpoint_ns = ? AND checkpoint_id IN ({marks})"
                await saver.conn.execute(f"DELETE FROM writes WHERE {where}", args)
                await saver.conn.execute(f"DELETE FROM checkpoints WHERE {where}", args)
                await saver.conn.execute(
                    "UPDATE checkpoints SET parent_checkpoint_id = NULL "
                    f"WHERE thread_id = ? AND checkpoint_ns = ? AND parent_checkpoint_id IN ({marks})",
                    args,
                )
                deleted += len(chunk)
        await saver.conn.commit()
    return deleted


@asynccontextmanager
async def _pg_connection(saver: AsyncPostgresSaver) -> AsyncIterator[AsyncConnection[Any]]:
    if isinstance(saver.conn, AsyncConnectionPool):
        async with saver.conn.connection() as conn:
            yield conn
    else:
        async with saver.lock:
            yield saver.conn


async def _prune_postgres(saver: AsyncPostgresSaver, thread_id: str, keep_last: int) -> int:
    deleted = 0
    async with _pg_connection(saver) as conn, conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            "SELECT checkpoint_ns, checkpoint_id FROM checkpoints WHERE thread_id = %s", (thread_id,), prepare=False
        )
        rows = [(r["checkpoint_ns"], r["checkpoint_id"]) for r in await cur.fetchall()]
        for ns, ids in doomed_checkpoints(rows, keep_last).items():
            key = (thread_id, ns, ids)
            where = "thread_id = %s AND checkpoint_ns = %s AND checkpoint_id = ANY(%s)"
            await cur.execute(f"DELETE FROM checkpoint_writes WHERE {where}", key, prepare=False)
            await cur.execute(
                f"DELETE FROM checkpoints WHERE {where} RETURNING checkpoint -> 'channel_versions' AS versions",
                key,
                prepare=False,
            )
            freed = {(ch, str(v)) for r in await cur.fetchall() for ch, v in (r["versions"] or {}).items()}
            await cur.execute(
                "UPDATE checkpoints SET parent_checkpoint_id = NULL "
                "WHERE thread_id = %s AND checkpoint_ns = %s AND parent_checkpoint_id = ANY(%s)",
                key,
                prepare=False,
            )
            await _drop_unreferenced_blobs(cur, thread_id, ns, freed)
            deleted += len(ids)
    return deleted


async def _drop_unreferenced_blobs(cur: Any, thread_id: str, ns: str, freed: set[tuple[str, str]]) -> None:
    if not freed:
        return
    await cur.execute(
        "SELECT DISTINCT v.key AS channel, v.value AS version FROM checkpoints c "
        "CROSS JOIN LATERAL jsonb_each_text(c.checkpoint -> 'channel_versions') AS v "
        "WHERE c.thread_id = %s AND c.checkpoint_ns = %s",
        (thread_id, ns),
        prepare=False,
    )
    referenced = {(r["channel"], r["version"]) for r in await cur.fetchall()}
    garbage: dict[str, list[str]] = defaultdict(list)
    for channel, version in freed - referenced:
        garbage[channel].append(version)
    for channel, versions in garbage.items():
        await cur.execute(
            "DELETE FROM checkpoint_blobs WHERE thread_id = %s AND checkpoint_ns = %s AND channel = %s "
            "AND version = ANY(%s)",
            (thread_id, ns, channel, versions),
            prepare=False,
        )
