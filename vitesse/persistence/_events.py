"""Keep each integration's run: what started it (to resume after a restart) and the events it emitted.

`graph_runs` holds one row per integration: the run's inputs and knobs (never credentials), its tenant and
whether it is running, paused at review or finished; a server that restarts resumes the running ones.
`run_events` is the append-only event log an SSE client replays from `Last-Event-ID`: `seq` numbers an
integration's events 1, 2, 3 … across all its runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from vitesse.persistence.models import DEFAULT_TENANT, Base, JSONType, UTCDateTime, _enum, utcnow

MAX_EVENTS_PAGE = 10_000


class RunState(StrEnum):
    RUNNING = "running"
    """Started (or resumed) and not finished: a restarted server picks it up again."""
    PAUSED = "paused"
    """Waiting at review for a person's decision."""
    FINISHED = "finished"


class GraphRun(Base):
    __tablename__ = "graph_runs"

    integration_id: Mapped[str] = mapped_column(ForeignKey("integrations.id", ondelete="CASCADE"), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64), default=DEFAULT_TENANT, index=True)
    state: Mapped[RunState] = mapped_column(_enum(RunState, "run_state"), default=RunState.RUNNING, index=True)
    inputs: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    """The graph's input (InputState fields) of the first run; never credentials."""
    context: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    """The run's knobs (`vitesse.graph.context.Context` fields other than services)."""
    actor: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class RunEvent(Base):
    __tablename__ = "run_events"
    __table_args__ = (UniqueConstraint("integration_id", "seq", name="uq_run_events_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    integration_id: Mapped[str] = mapped_column(ForeignKey("integrations.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    """The SSE id: 1, 2, 3 … per integration."""
    event: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


async def save_graph_run(
    *,
    session: AsyncSession,
    integration_id: str,
    state: RunState,
    tenant: str | None = None,
    inputs: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
    actor: str | None = None,
) -> GraphRun:
    """Create or change an integration's run row; arguments left as None keep their stored value.

    Args:
        session: An open session; the caller commits.
        integration_id: The integration (its row must exist).
        state: The run's new state.
        tenant: The owning tenant (used when the row is created).
        inputs: The graph input, JSON-serialisable and without credentials.
        context: The run's knobs, JSON-serialisable.
        actor: Who started the run.

    Returns:
        The row.
    """
    row = await session.get(GraphRun, integration_id)
    if row is None:
        row = GraphRun(integration_id=integration_id, tenant=tenant or DEFAULT_TENANT, inputs={}, context={})
        session.add(row)
    row.state = state
    if inputs is not None:
        row.inputs = dict(inputs)
    if context is not None:
        row.context = dict(context)
    if actor is not None:
        row.actor = actor
    row.updated_at = utcnow()
    await session.flush()
    return row


async def get_graph_run(*, session: AsyncSession, integration_id: str) -> GraphRun | None:
    """Return an integration's run row, or None when it was never run through the run manager."""
    row: GraphRun | None = await session.get(GraphRun, integration_id)
    return row


async def list_graph_runs(*, session: AsyncSession, state: RunState | None = None) -> list[GraphRun]:
    """List run rows (of every tenant), oldest first; only those in `state` when given."""
    query = select(GraphRun).order_by(GraphRun.created_at, GraphRun.integration_id)
    if state is not None:
        query = query.where(GraphRun.state == state)
    return list(await session.scalars(query))


async def append_run_event(
    *, session: AsyncSession, integration_id: str, seq: int, event: str, data: Mapping[str, Any]
) -> RunEvent:
    """Append one event to an integration's log.

    Args:
        session: An open session; the caller commits.
        integration_id: The integration.
        seq: The next number of this integration's log (`last_run_event_seq(...) + 1`).
        event: The event name (`stage`, `health`, `done` …).
        data: The JSON payload, already free of secrets.

    Returns:
        The new row.
    """
    row = RunEvent(integration_id=integration_id, seq=seq, event=event, data=dict(data))
    session.add(row)
    await session.flush()
    return row


async def list_run_events(
    *, session: AsyncSession, integration_id: str, after: int = 0, limit: int = 1000
) -> list[RunEvent]:
    """Return an integration's events with `seq` above `after`, in order (at most `limit`, up to 10,000)."""
    query = (
        select(RunEvent)
        .where(RunEvent.integration_id == integration_id, RunEvent.seq > after)
        .order_by(RunEvent.seq)
        .limit(max(1, min(limit, MAX_EVENTS_PAGE)))
    )
    return list(await session.scalars(query))


async def last_run_event_seq(*, session: AsyncSession, integration_id: str) -> int:
    """Return the highest `seq` of an integration's log, 0 when it has none."""
    value = await session.scalar(select(func.max(RunEvent.seq)).where(RunEvent.integration_id == integration_id))
    return int(value or 0)
