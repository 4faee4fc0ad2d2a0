"""Decide how a run narrows its read: by an updated-at high-water mark, by a kept cursor, or not at all.

With an updated-at field the runtime keeps the newest value it delivered (the high-water mark). The next
run asks the source for records updated at or after it when the endpoint declares such a parameter
(`updated_since`, `updated_after` …), else reads everything and skips older records itself. The
boundary is inclusive — records sharing the mark's timestamp are read again and the ledger recognises
the ones already delivered — so a tie never loses a record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from vitesse.runtime.config import SourceConfig
from vitesse.schemas import Endpoint

UPDATED_NAMES = (
    "updated_at", "updatedAt", "updated", "modified_at", "modifiedAt", "last_modified", "lastModified",
    "date_modified", "dateModified", "modified", "updated_time", "updatedTime", "last_updated", "lastUpdated",
    "SystemModstamp", "LastModifiedDate", "updated_on",
)  # fmt: skip
SINCE_NAMES = (
    "updated_since", "updated_after", "updatedSince", "updatedAfter", "modified_since", "modified_after",
    "modifiedSince", "modifiedAfter", "updated_at_min", "updated_at[gte]", "updated_at.gte", "updated[gte]",
    "last_modified_after", "changed_since", "since",
)  # fmt: skip


@dataclass(frozen=True)
class Plan:
    mode: str
    """updated, cursor or full."""
    updated_field: str | None
    since_param: str | None
    since_type: str = "string"


def plan_incremental(source: SourceConfig) -> Plan:
    """Resolve `auto` and fill in the updated-at field and since parameter from the endpoint when not given."""
    inc = source.incremental
    endpoint = source.endpoint
    updated = inc.updated_field or _updated_field(endpoint)
    since = inc.since_param or _since_param(endpoint)
    mode = inc.mode
    if mode == "auto":
        mode = "updated" if updated else "full"
    if mode != "updated":
        return Plan(mode, None, None)
    if updated is None:
        return Plan("full", None, None)
    param = endpoint.parameter(since) if since else None
    return Plan(mode, updated, since, param.type if param is not None else "string")


def _updated_field(endpoint: Endpoint) -> str | None:
    fields = {f.path: f for f in endpoint.record_fields}
    for name in UPDATED_NAMES:
        field = fields.get(name)
        if field is not None and (field.format in ("date-time", "date") or field.type in ("integer", "number")):
            return name
    return None


def _since_param(endpoint: Endpoint) -> str | None:
    names = {p.name: p for p in endpoint.parameters if p.location.value == "query"}
    return next((name for name in SINCE_NAMES if name in names), None)


def to_epoch(value: Any) -> float | None:
    """Return a timestamp (ISO 8601 text or epoch seconds/milliseconds) as epoch seconds; None when unreadable."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value) / 1000 if value > 1e11 else float(value)
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def since_value(plan: Plan, mark: dict[str, Any] | None) -> tuple[str, Any] | None:
    """Return the (parameter, value) that narrows a run to records at or after the mark, if the API has one."""
    if plan.since_param is None or not mark:
        return None
    epoch = float(mark["epoch"])
    if plan.since_type == "integer":
        return plan.since_param, int(epoch)
    if plan.since_type == "number":
        return plan.since_param, epoch
    raw = mark.get("raw")
    if isinstance(raw, str):
        return plan.since_param, raw
    return plan.since_param, datetime.fromtimestamp(epoch, UTC).isoformat().replace("+00:00", "Z")
