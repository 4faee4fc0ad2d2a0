"""Turn a page of source records into what the writer sends: identity, payload, content hash, dead letters."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from vitesse.runtime._records import DeadLetter
from vitesse.runtime.incremental import to_epoch
from vitesse.runtime.masking import mask_fields, mask_text
from vitesse.runtime.paths import record_value
from vitesse.runtime.writer import Outgoing, idempotency_key
from vitesse.transforms import CompiledMapping


def content_hash(value: Any) -> str:
    """Return a stable hash of a JSON value (key order does not matter)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass
class Prepared:
    outgoing: list[Outgoing] = field(default_factory=list)
    dead: list[DeadLetter] = field(default_factory=list)
    filtered: int = 0
    """Records older than the high-water mark (client-side incremental filter)."""
    newest: tuple[float, Any] | None = None
    """The newest updated-at value seen: (epoch seconds, the value as the source wrote it)."""


@dataclass(frozen=True)
class Preparer:
    compiled: CompiledMapping
    integration_id: str
    id_field: str
    updated_field: str | None = None
    mark_epoch: float | None = None
    """Skip records updated before this moment (None: keep all)."""

    def prepare(self, records: list[Any]) -> Prepared:
        """Map the records; records without identity or with transform errors become dead letters."""
        out = Prepared()
        kept = self._keep(records, out)
        result = self.compiled.apply_batch(kept)
        by_id: dict[str, Outgoing] = {}
        for index, (record, payload) in enumerate(zip(kept, result.payloads, strict=True)):
            source_id = self._identity(record)
            errors = result.errors.get(index)
            if source_id is None:
                out.dead.append(self._invalid(record, f"the record has no usable identity at `{self.id_field}`"))
            elif errors:
                reason = "the mapping failed: " + "; ".join(str(e) for e in errors)
                digest = content_hash(record)
                out.dead.append(
                    DeadLetter(source_id, digest, "transform", mask_text(reason), mask_fields(record), payload=None)
                )
            else:
                digest = content_hash(payload)
                key = idempotency_key(self.integration_id, source_id, digest)
                by_id[source_id] = Outgoing(source_id, digest, payload, record, key)  # the last copy wins
        out.outgoing = list(by_id.values())
        return out

    def _keep(self, records: list[Any], out: Prepared) -> list[Any]:
        if self.updated_field is None:
            return records
        kept = []
        for record in records:
            raw = record_value(record, self.updated_field) if isinstance(record, dict) else None
            epoch = to_epoch(raw)
            if epoch is not None and (out.newest is None or epoch > out.newest[0]):
                out.newest = (epoch, raw)
            if epoch is not None and self.mark_epoch is not None and epoch < self.mark_epoch:
                out.filtered += 1
                continue
            kept.append(record)
        return kept

    def _identity(self, record: Any) -> str | None:
        if not isinstance(record, dict):
            return None
        value = record_value(record, self.id_field)
        if value is None or isinstance(value, dict | list | bool) or value == "":
            return None
        return str(value)

    def _invalid(self, record: Any, reason: str) -> DeadLetter:
        digest = content_hash(record)
        return DeadLetter(f"no-id:{digest}", digest, "invalid", reason, mask_fields(record))
