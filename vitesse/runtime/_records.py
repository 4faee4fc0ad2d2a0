"""The rows the state store keeps: ledger entries and dead letters."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

LedgerStatus = Literal["pending", "delivered", "duplicate", "dead"]


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """Where one source record stands at the destination."""

    source_id: str
    content_hash: str
    status: str
    dest_ref: str | None = None
    """The destination's id of the record, when its answer gave one."""


@dataclass(slots=True)
class DeadLetter:
    """A record the destination refused for good, or one the mapping could not transform."""

    source_id: str
    content_hash: str
    kind: str
    """transform, rejected (a 4xx) or invalid (no identity, not an object)."""
    reason: str
    record: Any
    """The source record, secret-looking fields masked; a replay maps it again with the current mapping."""
    payload: Any = None
    """What was (or would have been) sent, secret-looking fields masked."""
    status_code: int | None = None
    attempts: int = 1
    id: int | None = None
    created_at: float | None = None
    resolved_at: float | None = None
    resolution: str | None = None

    COLUMNS: ClassVar[str] = (
        "source_id, content_hash, kind, reason, record, payload, status_code, attempts, id, created_at, "
        "resolved_at, resolution"
    )

    def row(self) -> tuple[Any, ...]:
        """Values for the insert: source_id … attempts, in the insert's column order."""
        payload = None if self.payload is None else json.dumps(self.payload, default=str)
        record = json.dumps(self.record, default=str)
        return (self.source_id, self.content_hash, self.kind, self.reason, self.status_code, record, payload,
                self.attempts)  # fmt: skip

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> DeadLetter:
        source_id, content_hash, kind, reason, record, payload, status, attempts, id_, created, resolved, how = row
        return cls(
            source_id, content_hash, kind, reason, json.loads(record), None if payload is None else json.loads(payload),
            status, int(attempts), int(id_), created, resolved, how,
        )  # fmt: skip

    def public(self) -> dict[str, Any]:
        """Return the dead letter as JSON-able data (already masked when stored)."""
        return {
            "id": self.id, "source_id": self.source_id, "kind": self.kind, "reason": self.reason,
            "status_code": self.status_code, "attempts": self.attempts, "created_at": self.created_at,
            "resolved_at": self.resolved_at, "resolution": self.resolution, "record": self.record,
            "payload": self.payload,
        }  # fmt: skip
