"""Share the repository's building blocks: pages, the unset marker, tenant checks and the audit trail."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from vitesse.errors import NotFoundError, PersistenceError
from vitesse.persistence.models import AuditAction, AuditLog, Integration

T = TypeVar("T")
MAX_PAGE = 1000
SYSTEM_ACTOR = "system"


class _Unset(Enum):
    TOKEN = 0


UNSET = _Unset.TOKEN
"""Marks a keyword argument the caller did not pass (None means "set to null")."""


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing, with the total number of matching rows."""

    items: list[T]
    total: int
    limit: int
    offset: int


def check_page(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_PAGE:
        raise PersistenceError(f"limit must be between 1 and {MAX_PAGE}, got {limit}")
    if offset < 0:
        raise PersistenceError(f"offset must be 0 or more, got {offset}")


async def fetch_page(session: AsyncSession, query: Select[Any], limit: int, offset: int) -> Page[Any]:
    """Run a query for one page and count every row it would match."""
    check_page(limit, offset)
    total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = await session.scalars(query.limit(limit).offset(offset))
    return Page(items=list(rows), total=int(total or 0), limit=limit, offset=offset)


def scoped(query: Select[Any], tenant: str | None) -> Select[Any]:
    return query if tenant is None else query.where(Integration.tenant == tenant)


async def find_integration(session: AsyncSession, integration_id: str, tenant: str | None) -> Integration | None:
    row: Integration | None = await session.scalar(
        scoped(select(Integration).where(Integration.id == integration_id), tenant)
    )
    return row


async def require_integration(session: AsyncSession, integration_id: str, tenant: str | None) -> Integration:
    row = await find_integration(session, integration_id, tenant)
    if row is None:
        scope = "" if tenant is None else f" for tenant {tenant!r}"
        raise NotFoundError(f"Integration {integration_id!r} does not exist{scope}")
    return row


def dialect_insert(session: AsyncSession, table: Any) -> Any:
    """Return an INSERT that supports `on_conflict_do_nothing` on this session's database."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise PersistenceError(f"Unsupported database {name!r}: use PostgreSQL or SQLite")


async def add_audit_log(
    *,
    session: AsyncSession,
    integration_id: str,
    action: AuditAction,
    tenant: str,
    actor: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> AuditLog:
    """Append one row to an integration's audit trail (never secrets in `details`).

    Args:
        session: An open session; the caller commits.
        integration_id: The integration the row describes.
        action: What happened.
        tenant: The integration's tenant.
        actor: Who did it (user, API key subject); `system` when None.
        details: JSON-serialisable facts about the change.

    Returns:
        The new row (flushed, so its id is set).
    """
    row = AuditLog(
        integration_id=integration_id,
        tenant=tenant,
        action=action,
        actor=actor or SYSTEM_ACTOR,
        details=dict(details or {}),
    )
    session.add(row)
    await session.flush()
    return row


async def list_audit_logs(
    *,
    session: AsyncSession,
    integration_id: str,
    tenant: str | None,
    action: AuditAction | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Page[AuditLog]:
    """List an integration's audit rows, oldest first; they outlive the integration itself.

    Args:
        session: An open session.
        integration_id: Whose trail.
        tenant: Only rows of this tenant; None for every tenant (trusted internal callers).
        action: Only this action, when given.
        limit: Page size, 1 to 1000.
        offset: Rows to skip.

    Returns:
        A page of rows with the total count.
    """
    query = select(AuditLog).where(AuditLog.integration_id == integration_id)
    if tenant is not None:
        query = query.where(AuditLog.tenant == tenant)
    if action is not None:
        query = query.where(AuditLog.action == action)
    return await fetch_page(session, query.order_by(AuditLog.id), limit, offset)
